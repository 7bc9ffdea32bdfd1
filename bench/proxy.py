#!/usr/bin/env python3
"""Helpers of bench/proxy.sh, each run by it inside one of its network namespaces.

  proxy.py backend PORT
      TCP listener on 0.0.0.0:PORT that accepts and closes (the endpoints of the latency test).
  proxy.py connect --target NAME=IP:PORT ... [--count N] [--warmup N] [--block N]
      N sequential connects to each target, interleaved in blocks of --block so that noise hits
      all targets alike; each connect is a new socket (a fresh source port), timed with
      time.perf_counter() around connect(). Prints `latency NAME p50_us=.. p99_us=.. ...`.
  proxy.py manifests DIR COUNT
      COUNT Service manifests (one file each) whose selector matches no pod.
  proxy.py master PORT COUNT [--burst N]
      A static master for the agent-memory test on 127.0.0.1:PORT: COUNT Services without
      selector and their Endpoints (2 addresses each, as clc-bench-proxy's workload), no pods,
      the node the agent registers; watches stay open and quiet. (MasterDouble takes minutes to
      load 10,000 services: each create lists and sorts every service to allocate addresses.)
      With --burst N (run in the agent's network namespace): once the agent's table serves the
      COUNT services, and 2 s later, the master takes N more Services and their Endpoints at
      once and sends them as ADDED events on the open watches; it then polls the kernel (nft)
      until the table serves all COUNT + N and prints `burst services=N ... ms=` (from the
      moment the master holds them).
  proxy.py table RESULTS
      The table of the key=value lines proxy.sh collected.
"""
import json
import re
import queue
import select
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

NAMESPACE = "bench"


def cluster_ip(index):
    return f"10.{100 + (index >> 16)}.{(index >> 8) & 0xFF}.{index & 0xFF}"


def endpoint_ip(second, index):
    return f"10.{second}.{(index >> 8) & 0xFF}.{index & 0xFF}"


# --- latency ---------------------------------------------------------------------------------


def backend(port):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("0.0.0.0", port))
    server.listen(4096)
    print(f"backend listening on {port}", flush=True)
    while True:
        connection, _ = server.accept()
        connection.close()


def percentile(sorted_values, fraction):
    """Nearest rank."""
    if not sorted_values:
        return 0.0
    rank = max(0, min(len(sorted_values) - 1, int(-(-fraction * len(sorted_values) // 1)) - 1))
    return sorted_values[rank]


def connect_once(address):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(2)
    try:
        start = time.perf_counter()
        sock.connect(address)
        return (time.perf_counter() - start) * 1e6
    finally:
        sock.close()


def connect(args):
    targets, count, warmup, block = [], 2000, 100, 50
    it = iter(args)
    for arg in it:
        if arg == "--target":
            name, _, rest = next(it).partition("=")
            host, _, port = rest.rpartition(":")
            targets.append((name, (host, int(port))))
        elif arg == "--count":
            count = int(next(it))
        elif arg == "--warmup":
            warmup = int(next(it))
        elif arg == "--block":
            block = int(next(it))
        else:
            sys.exit(f"connect: unknown argument {arg}")
    samples = {name: [] for name, _ in targets}
    failures = {name: 0 for name, _ in targets}
    for name, address in targets:
        for _ in range(warmup):
            connect_once(address)
    done = 0
    round_index = 0
    while done < count:
        size = min(block, count - done)
        # Alternate which target goes first.
        order = targets if round_index % 2 == 0 else list(reversed(targets))
        for name, address in order:
            for _ in range(size):
                try:
                    samples[name].append(connect_once(address))
                except OSError:
                    failures[name] += 1
        done += size
        round_index += 1
    for name, _ in targets:
        values = sorted(samples[name])
        mean = sum(values) / len(values) if values else 0.0
        print(
            f"latency {name} n={len(values)} failures={failures[name]} p50_us={percentile(values, 0.5):.1f} "
            f"p90_us={percentile(values, 0.9):.1f} p99_us={percentile(values, 0.99):.1f} mean_us={mean:.1f}",
            flush=True,
        )


# --- agent inputs ----------------------------------------------------------------------------


def manifests(directory, count):
    for index in range(count):
        service = {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": f"service-{index}", "namespace": NAMESPACE},
            "spec": {
                "selector": {"app": f"no-such-pod-{index}"},
                "ports": [{"protocol": "TCP", "port": 80, "targetPort": 8080}],
            },
        }
        with open(f"{directory}/service-{index:05d}.json", "w") as f:
            json.dump(service, f)


def object_list(kind, items):
    return json.dumps(
        {"kind": kind, "apiVersion": "v1", "metadata": {"resourceVersion": "1"}, "items": items}
    ).encode()


def service_pair(index, version=1):
    """Service `service-INDEX` and its Endpoints (2 addresses)."""
    name = f"service-{index}"
    meta = {"name": name, "namespace": NAMESPACE, "uid": f"svc-{index}", "resourceVersion": str(version)}
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta,
        "spec": {
            "type": "ClusterIP",
            "clusterIP": cluster_ip(index),
            "clusterIPs": [cluster_ip(index)],
            "sessionAffinity": "None",
            "ports": [{"protocol": "TCP", "port": 80, "targetPort": 8080}],
        },
        "status": {"loadBalancer": {}},
    }
    endpoints = {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": dict(meta, uid=f"ep-{index}"),
        "subsets": [
            {
                "addresses": [{"ip": endpoint_ip(200, index)}, {"ip": endpoint_ip(201, index)}],
                "ports": [{"protocol": "TCP", "port": 8080}],
            }
        ],
    }
    return service, endpoints


def master(port, count, burst=0):
    services, endpoints = [], []
    for index in range(count):
        service, endpoint = service_pair(index)
        services.append(service)
        endpoints.append(endpoint)
    lists = {
        "/api/v1/services": object_list("ServiceList", services),
        "/api/v1/endpoints": object_list("EndpointsList", endpoints),
        "/api/v1/pods": object_list("PodList", []),
    }
    nodes = {}
    lock = threading.Lock()
    requests = {}
    # Open watches by path: each a queue of event bytes to send.
    watchers = {}

    def kernel_services():
        """Elements of the cluster-ips set of clc-proxy (the cluster IP ports served); -1 before the table."""
        listed = subprocess.run(["nft", "list", "set", "ip", "clc-proxy", "cluster-ips"], capture_output=True, text=True)
        if listed.returncode != 0:
            return -1
        return len(re.findall(r"\d+\.\d+\.\d+\.\d+ \. tcp \. \d+", listed.stdout))

    def run_burst():
        while kernel_services() != count:
            time.sleep(0.1)
        time.sleep(2)
        added = [service_pair(count + index, version=2) for index in range(burst)]
        events = {
            "/api/v1/services": b"".join(json.dumps({"type": "ADDED", "object": s}).encode() + b"\n" for s, _ in added),
            "/api/v1/endpoints": b"".join(json.dumps({"type": "ADDED", "object": e}).encode() + b"\n" for _, e in added),
        }
        with lock:
            services.extend(s for s, _ in added)
            endpoints.extend(e for _, e in added)
            lists["/api/v1/services"] = object_list("ServiceList", services)
            lists["/api/v1/endpoints"] = object_list("EndpointsList", endpoints)
            held = time.monotonic()
            for path, data in events.items():
                for watcher in watchers.get(path, []):
                    watcher.put(data)
        polls = 0
        while True:
            polls += 1
            if kernel_services() >= count + burst:
                break
            time.sleep(0.005)
        elapsed = (time.monotonic() - held) * 1000
        print(f"burst services={burst} initial={count} ms={elapsed:.1f} polls={polls}", flush=True)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, code, body):
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def status(self, code, reason):
            self.reply(code, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": reason, "code": code})

        def body(self):
            length = int(self.headers.get("Content-Length") or 0)
            return json.loads(self.rfile.read(length) or b"{}")

        def count(self):
            with lock:
                key = f"{self.command} {urlsplit(self.path).path}"
                requests[key] = requests.get(key, 0) + 1

        def do_GET(self):
            self.count()
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            if url.path in lists:
                if query.get("watch") == ["true"]:
                    return self.watch(url.path, float(query.get("timeoutSeconds", ["300"])[0]))
                with lock:
                    body = lists[url.path]
                return self.reply(200, body)
            if url.path.startswith("/api/v1/nodes/"):
                node = nodes.get(url.path.rsplit("/", 1)[1])
                return self.reply(200, node) if node else self.status(404, "NotFound")
            # No coordination.k8s.io: the agent reports status without leases, as with a master
            # older than 1.14.
            return self.status(404, "NotFound")

        def watch(self, path, timeout):
            """An open watch: headers, then the events a burst sends (none otherwise), until the
            timeout or the client goes."""
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.flush()
            events = queue.Queue()
            with lock:
                watchers.setdefault(path, []).append(events)
            try:
                deadline = time.monotonic() + timeout
                while time.monotonic() < deadline:
                    try:
                        data = events.get(timeout=0.5)
                    except queue.Empty:
                        readable, _, _ = select.select([self.connection], [], [], 0)
                        if readable:
                            try:
                                if self.connection.recv(1, socket.MSG_PEEK) == b"":
                                    return
                            except OSError:
                                return
                        continue
                    self.wfile.write(b"%x\r\n" % len(data) + data + b"\r\n")
                    self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")
                self.close_connection = True
            except OSError:
                return
            finally:
                with lock:
                    watchers[path].remove(events)

        def do_POST(self):
            self.count()
            url = urlsplit(self.path)
            obj = self.body()
            meta = obj.setdefault("metadata", {})
            meta.setdefault("uid", f"uid-{time.monotonic_ns()}")
            meta["resourceVersion"] = "2"
            meta.setdefault("creationTimestamp", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
            if url.path == "/api/v1/nodes":
                nodes[meta.get("name", "")] = obj
            self.reply(201, obj)

        def do_PATCH(self):
            self.count()
            url = urlsplit(self.path)
            patch = self.body()
            parts = url.path.split("/")
            if url.path.startswith("/api/v1/nodes/") and parts[4] in nodes:
                node = nodes[parts[4]]
                node["status"] = {**node.get("status", {}), **patch.get("status", {})}
                return self.reply(200, node)
            patch.setdefault("metadata", {}).setdefault("name", parts[-1])
            self.reply(200, patch)

        def do_PUT(self):
            self.count()
            self.reply(200, self.body())

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    if burst:
        threading.Thread(target=run_burst, daemon=True).start()
    print(f"master listening on 127.0.0.1:{port} services={count}", flush=True)
    server.serve_forever()


# --- table -----------------------------------------------------------------------------------


def parse(path):
    """key=value lines: the first word is the kind, `count=` (or the second word) the key."""
    results = {}
    for line in open(path):
        words = line.split()
        if not words or "=" in words[0]:
            continue
        kind, fields, extra = words[0], {}, []
        for word in words[1:]:
            key, sep, value = word.partition("=")
            if sep:
                fields[key] = value
            else:
                extra.append(word)
        results.setdefault(kind, []).append((extra, fields))
    return results


def median(values):
    values = sorted(values)
    return values[len(values) // 2] if values else float("nan")


def table(path):
    r = parse(path)
    rows = []

    def row(figure, baseline, ours, target=""):
        rows.append((figure, baseline, ours, target))

    def num(fields, key):
        try:
            return float(fields[key])
        except (KeyError, ValueError):
            return float("nan")

    # 1. full sync
    full = {}
    for _, f in r.get("full", []):
        full.setdefault(int(f["count"]), []).append(f)
    for count in sorted(full):
        runs = full[count]
        ours = median([num(f, "netlink_ms") for f in runs])
        compute = median([num(f, "netlink_compute_ms") for f in runs])
        text = median([num(f, "nft_text_ms") for f in runs])
        commands = median([num(f, "nft_commands_ms") for f in runs])
        # Faster than nft -f: than the faster of its two forms.
        faster = ours < min(text, commands)
        if count >= 10000:
            target = "< 2000 and < nft -f: " + ("ok" if ours < 2000 and faster else "MISS")
        else:
            target = "< nft -f: " + ("ok" if faster else "MISS")
        render = median([num(f, "render_ms") for _, f in r.get("ruleset", []) if int(f["count"]) == count])
        row(f"full sync, {count:,} services x 2 endpoints (ms, median of {len(runs)})",
            f"nft -f text {text:.0f} (+{render:.0f} render) | commands {commands:.0f}",
            f"{ours:.0f} (compute {compute:.0f})", target)
    # 2. one change
    changes = {int(f["count"]): f for _, f in r.get("change", [])}
    for count in sorted(changes):
        f = changes[count]
        row(f"one service changed among {count:,}: until the kernel has it (ms, median / p90 of {f['rounds']})",
            f"nft -f {num(f, 'nft_median_ms'):.1f} / {num(f, 'nft_p90_ms'):.1f}",
            f"{num(f, 'netlink_median_ms'):.2f} / {num(f, 'netlink_p90_ms'):.2f}",
            "< 10: " + ("ok" if num(f, "netlink_median_ms") < 10 else "MISS"))
        row(f"  of which: our compute + netlink batch (encode + kernel); kernel commit of 1 rule alone ({count:,})",
            f"nft apply {num(f, 'nft_apply_median_ms'):.1f}",
            f"{num(f, 'netlink_median_ms') - num(f, 'netlink_apply_median_ms'):.2f} + {num(f, 'netlink_apply_median_ms'):.2f}; "
            f"1 rule {num(f, 'kernel_one_rule_median_ms'):.2f}",
            f"kernel check {f.get('kernel_check', '?')}")
    if len(changes) >= 2:
        small, large = changes[min(changes)], changes[max(changes)]
        a, b = num(small, "netlink_median_ms"), num(large, "netlink_median_ms")
        row(f"  same at {min(changes):,} and {max(changes):,}? (ratio of medians)", "",
            f"x{b / a:.1f}" if a > 0 else "?", "same: " + ("ok" if b < max(2 * a, a + 1) else "MISS"))
    # 3. latency
    latency = {}
    for extra, f in r.get("latency", []):
        latency[extra[0]] = f
    sizes = sorted({int(k.split("-")[1]) for k in latency if "-" in k})
    for size in sizes:
        direct, service = latency.get(f"direct-{size}"), latency.get(f"service-{size}")
        if not direct or not service:
            continue
        row(f"TCP connect, {size:,} services in the table (us, p50 / p99 of {service['n']})",
            f"backend IP {num(direct, 'p50_us'):.0f} / {num(direct, 'p99_us'):.0f}",
            f"cluster IP {num(service, 'p50_us'):.0f} / {num(service, 'p99_us'):.0f}",
            "failures: " + str(int(num(service, "failures")) + int(num(direct, "failures"))))
    if len(sizes) >= 2:
        s0, s1 = latency.get(f"service-{sizes[0]}"), latency.get(f"service-{sizes[-1]}")
        d0, d1 = latency.get(f"direct-{sizes[0]}"), latency.get(f"direct-{sizes[-1]}")
        if s0 and s1 and d0 and d1:
            added0 = num(s0, "p50_us") - num(d0, "p50_us")
            added1 = num(s1, "p50_us") - num(d1, "p50_us")
            growth = num(s1, "p50_us") - num(s0, "p50_us")
            # "No measurable growth": within the run's own noise, taken as the direct path's
            # change between the two sizes plus 10 % of the smaller figure.
            noise = abs(num(d1, "p50_us") - num(d0, "p50_us")) + 0.1 * num(s0, "p50_us")
            row(f"  cluster IP p50 growth {sizes[0]:,} -> {sizes[-1]:,} (NAT adds {added0:.0f} -> {added1:.0f} us)",
                f"backend IP {num(d1, 'p50_us') - num(d0, 'p50_us'):+.0f}", f"{growth:+.0f} us",
                "no measurable growth: " + ("ok" if growth <= noise else "MISS"))
    # 4. agent memory
    agents = {extra[0]: f for extra, f in r.get("agent", []) if extra}
    empty = agents.get("empty")
    base_mb = num(empty, "rss_kb") / 1024 if empty else float("nan")
    labels = {
        "manifests": "manifest dir, selectors match no pod (no-endpoint map only)",
        "master": "master, 2 endpoints each (service + endpoint chains)",
    }
    for mode in ("manifests", "master"):
        f = agents.get(mode)
        if not f:
            continue
        rss = num(f, "rss_kb") / 1024
        count = int(num(f, "services"))
        row(f"agent VmRSS, {count:,} services: {labels[mode]}",
            f"0 services {base_mb:.1f} MB" if empty else "",
            f"{rss:.1f} MB (+{rss - base_mb:.1f}; anon {num(f, 'anon_kb') / 1024:.1f}, peak {num(f, 'hwm_kb') / 1024:.1f})",
            "< 60 MB: " + ("ok" if rss < 60 else "MISS"))
        row(f"  its sync of {count:,} services ({f.get('sync_kind', '?')}, from the log); kernel map elements",
            "", f"{num(f, 'sync_s'):.2f} s; {f.get('map', '?')} {f.get('map_elements', '?')}", "")
    serves = {int(f["count"]): f for _, f in r.get("serve", [])}
    if len(serves) >= 2:
        small, large = min(serves), max(serves)
        a, b = num(serves[small], "rss_kb") / 1024, num(serves[large], "rss_kb") / 1024
        ta, tb = num(serves[small], "rss_trimmed_kb") / 1024, num(serves[large], "rss_trimmed_kb") / 1024
        row(f"  for scale: clc-bench-proxy holding only the proxy state of {large:,} services (VmRSS)",
            f"{small:,} services {a:.1f} MB", f"{b:.1f} MB (+{b - a:.1f}); after malloc_trim +{tb - ta:.1f}", "")

    # 5. a burst of services
    for _, f in r.get("burst", []):
        count = int(num(f, "services"))
        baseline = full.get(count)
        ms = num(f, "ms")
        row(f"{count:,} services created at once: the master holds them -> the kernel has all (ms)",
            f"our full sync of {count:,} {median([num(g, 'netlink_ms') for g in baseline]):.0f}" if baseline else "",
            f"{ms:.0f} in {int(num(f, 'syncs'))} sync(s)",
            "< 500: " + ("ok" if ms < 500 else "MISS"))

    widths = [max(len(str(row[i])) for row in rows + [("figure", "baseline", "clc-node", "target")]) for i in range(4)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()
    print(line(("figure", "baseline", "clc-node", "target")))
    print(line(["-" * w for w in widths]))
    for row_cells in rows:
        print(line(row_cells))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    command, args = sys.argv[1], sys.argv[2:]
    if command == "backend":
        backend(int(args[0]))
    elif command == "connect":
        connect(args)
    elif command == "manifests":
        manifests(args[0], int(args[1]))
    elif command == "master":
        burst = int(args[args.index("--burst") + 1]) if "--burst" in args else 0
        master(int(args[0]), int(args[1]), burst)
    elif command == "table":
        table(args[0])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
