#!/usr/bin/env python3
"""Pod-start benchmark: clc-node against the Docker API driven directly (the baseline).

Run by bench/pod-start.sh, which builds the agent, starts a private dockerd and builds the
images; this file does the measuring and prints the table. Everything talks to the engine over
its unix socket only.

Phases (each "pod" = infra container clc-node/pause:3.0 + one app container
clc-test/busybox:latest joining its network and IPC namespaces):
  0. make sure clc-node/pause:3.0 exists (run the agent briefly if not: it builds it)
  1. baseline, N pods: N threads, each create/start/inspect infra, create/start app
  2. agent, N pods: N manifests renamed into the manifest directory at once
  3. agent idle with the N pods running: RSS, CPU over the idle window
  4. single pod, `reps` times: baseline 1 pod, then agent 1 pod
"All running" is the Docker `start` event of the last app container (events watched live,
timeNano from the engine clock, the same CLOCK_REALTIME as this process).
"""

import argparse
import calendar
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

API = "/v1.41"
INFRA_IMAGE = "clc-node/pause:3.0"
APP_IMAGE = "clc-test/busybox:latest"
APP_SCRIPT = 'trap "exit 0" TERM; sleep 100000 & wait'
APP_COMMAND = ["sh", "-c", APP_SCRIPT]
NODE = "bench"
# DockerClient(socketPath:) default maxConcurrentRequests: the agent's curl worker pool size
AGENT_INFLIGHT = 16
BASELINE_LABEL = "io.clc-bench.baseline"
APP_TYPE_FILTER = "io.kubernetes.docker.type=container"


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- Docker API over the socket

class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=120):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        s.connect(self.unix_path)
        self.sock = s


class Docker:
    """One keep-alive connection; use one per thread."""

    def __init__(self, sock):
        self.conn = UnixHTTPConnection(sock)

    def call(self, method, path, body=None, ok=(200, 201, 204, 304)):
        headers = {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.conn.request(method, API + path, body=data, headers=headers)
        resp = self.conn.getresponse()
        raw = resp.read()
        if resp.status not in ok:
            raise RuntimeError(f"{method} {path}: HTTP {resp.status}: {raw[:300]!r}")
        return resp.status, (json.loads(raw) if raw and raw[:1] in (b"{", b"[") else None)

    def containers(self, labels=(), all_=True):
        q = {"all": "1" if all_ else "0"}
        if labels:
            q["filters"] = json.dumps({"label": list(labels)})
        return self.call("GET", "/containers/json?" + urllib.parse.urlencode(q))[1]

    def image_exists(self, name):
        return self.call("GET", f"/images/{name}/json", ok=(200, 404))[0] == 200

    def remove(self, cid):
        self.call("DELETE", f"/containers/{cid}?force=1&v=1", ok=(204, 404, 409))

    def close(self):
        self.conn.close()


class StartWatcher:
    """Watches /events for create and start of the containers carrying `owner` (a label
    filter); done when `n` distinct app containers (io.kubernetes.docker.type=container)
    started. Keeps every event for the engine-side timeline."""

    def __init__(self, sock, n, owner, timeout):
        self.n = n
        self.timeout = timeout
        self.starts = {}  # app container id -> (timeNano, name)
        self.events = []  # (timeNano, action, docker type label)
        self.done = threading.Event()
        self.error = None
        self.conn = UnixHTTPConnection(sock, timeout=timeout)
        filters = {"type": ["container"], "event": ["create", "start"], "label": [owner]}
        self.conn.request("GET", API + "/events?" + urllib.parse.urlencode({"filters": json.dumps(filters)}))
        self.resp = self.conn.getresponse()  # dockerd flushes headers at once: subscribed from here on
        if self.resp.status != 200:
            raise RuntimeError(f"events: HTTP {self.resp.status}")
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            while len(self.starts) < self.n:
                line = self.resp.readline()
                if not line:
                    raise RuntimeError("event stream ended")
                line = line.strip()
                if not line:
                    continue
                ev = json.loads(line)
                attrs = ev.get("Actor", {}).get("Attributes", {})
                kind = attrs.get("io.kubernetes.docker.type", "")
                action = ev.get("Action") or ev.get("status")
                self.events.append((int(ev["timeNano"]), action, kind))
                if action == "start" and kind == "container":
                    self.starts.setdefault(ev["id"], (int(ev["timeNano"]), attrs.get("name", "")))
        except Exception as e:  # noqa: BLE001 - reported by wait()
            self.error = e
        finally:
            self.done.set()

    def wait(self):
        """Returns the timeNano of the last (n-th) app start, or raises."""
        if not self.done.wait(self.timeout):
            self.close()
            raise RuntimeError(f"only {len(self.starts)}/{self.n} app containers started within {self.timeout} s")
        self.close()
        if len(self.starts) < self.n:
            raise RuntimeError(f"only {len(self.starts)}/{self.n} app containers started: {self.error}")
        return max(t for t, _ in self.starts.values())

    def timeline(self, t0):
        """Engine-side first..last ms after t0 of infra/app create/start events."""
        out = {}
        for kind, label in (("podsandbox", "infra"), ("container", "app")):
            for action in ("create", "start"):
                ts = [t for t, a, k in self.events if a == action and k == kind]
                if ts:
                    out[f"{label} {action}"] = [(min(ts) - t0) / 1e6, (max(ts) - t0) / 1e6]
        return out

    def close(self):
        try:
            self.conn.sock and self.conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.conn.close()


# ---------------------------------------------------------------- baseline

class Limited(Docker):
    """A Docker connection whose requests take a slot of a shared semaphore (None: no limit)."""

    def __init__(self, sock, slots):
        super().__init__(sock)
        self.slots = slots

    def call(self, *a, **kw):
        if self.slots is None:
            return super().call(*a, **kw)
        with self.slots:
            return super().call(*a, **kw)


def baseline_pod(sock, name, barrier, out, idx, slots):
    d = Limited(sock, slots)
    try:
        barrier.wait()
        infra_cfg = {
            "Image": INFRA_IMAGE,
            "Hostname": name,
            "Labels": {BASELINE_LABEL: name, "io.kubernetes.docker.type": "podsandbox"},
            "HostConfig": {"IpcMode": "shareable", "CpuShares": 2},
        }
        _, r = d.call("POST", f"/containers/create?name=bench_POD_{name}", infra_cfg)
        infra = r["Id"]
        d.call("POST", f"/containers/{infra}/start")
        infra_started = time.time_ns()
        d.call("GET", f"/containers/{infra}/json")
        app_cfg = {
            "Image": APP_IMAGE,
            "Entrypoint": APP_COMMAND,
            "Labels": {BASELINE_LABEL: name, "io.kubernetes.docker.type": "container"},
            "HostConfig": {"NetworkMode": f"container:{infra}", "IpcMode": f"container:{infra}"},
        }
        _, r = d.call("POST", f"/containers/create?name=bench_app_{name}", app_cfg)
        app = r["Id"]
        d.call("POST", f"/containers/{app}/start")
        out[idx] = (time.time_ns(), None, infra_started)
    except Exception as e:  # noqa: BLE001
        out[idx] = (None, e, None)
        try:
            barrier.abort()
        except threading.BrokenBarrierError:
            pass
    finally:
        d.close()


def run_baseline(sock, n, tag, timeout, max_inflight=None):
    """n pods concurrently (at most `max_inflight` requests in flight if given); returns ms
    from the first request to the n-th app start event."""
    slots = threading.BoundedSemaphore(max_inflight) if max_inflight else None
    cleanup_baseline(sock)
    watcher = StartWatcher(sock, n, BASELINE_LABEL, timeout)
    out = [None] * n
    barrier = threading.Barrier(n + 1)
    threads = [threading.Thread(target=baseline_pod, args=(sock, f"{tag}-{i:02d}", barrier, out, i, slots)) for i in range(n)]
    for t in threads:
        t.start()
    t0 = time.time_ns()
    barrier.wait()  # releases all n pods together; t0 is just before the first request
    for t in threads:
        t.join()
    errors = [e for _, e, _ in out if e]
    if errors:
        watcher.close()
        raise RuntimeError(f"baseline {tag}: {errors[0]}")
    last = watcher.wait()
    replies = max(t for t, _, _ in out)
    check_running(sock, [BASELINE_LABEL, APP_TYPE_FILTER], n)
    cleanup_baseline(sock)
    return {"ms": (last - t0) / 1e6, "ms_replies": (replies - t0) / 1e6, "engine": watcher.timeline(t0)}


def cleanup_baseline(sock):
    d = Docker(sock)
    try:
        cs = d.containers([BASELINE_LABEL])
        # apps first, then the infra containers whose namespaces they join
        cs.sort(key=lambda c: c["Labels"].get("io.kubernetes.docker.type") != "container")
        for c in cs:
            d.remove(c["Id"])
    finally:
        d.close()


def check_running(sock, labels, n):
    d = Docker(sock)
    try:
        running = [c for c in d.containers(labels, all_=False) if c["State"] == "running"]
    finally:
        d.close()
    if len(running) < n:
        raise RuntimeError(f"expected {n} running app containers, found {len(running)}")


# ---------------------------------------------------------------- agent

class Agent:
    def __init__(self, args, manifest_dir):
        self.args = args
        self.manifest_dir = manifest_dir
        self.proc = None

    def start(self):
        a = self.args
        log_file = open(a.agent_log, "ab")
        self.log_offset = log_file.tell()
        cmd = [a.agent, "run", "--docker-socket", a.sock, "--node-name", NODE, "--state-dir", a.state_dir,
               "--pod-infra-image", INFRA_IMAGE]
        if self.manifest_dir:
            cmd += ["--manifest-dir", self.manifest_dir]
        log(f"starting agent: {' '.join(cmd)}")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file,
                                     start_new_session=True)
        log_file.close()
        with open(a.agent_pidfile, "w") as f:
            f.write(str(self.proc.pid))
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"agent exited with {self.proc.returncode}; see {a.agent_log}")
            if "docker engine reachable" in self.log_text():
                return
            time.sleep(0.05)
        raise RuntimeError("agent did not reach the docker engine within 60 s")

    def log_text(self):
        with open(self.args.agent_log, "rb") as f:
            f.seek(self.log_offset)
            return f.read().decode(errors="replace")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        try:
            os.unlink(self.args.agent_pidfile)
        except FileNotFoundError:
            pass


def parse_log_time(line):
    # 2025-01-02T03:04:05.678Z LEVEL message key=value...
    stamp = line.split(" ", 1)[0]
    try:
        secs = calendar.timegm(time.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S"))
        return secs * 10**9 + int(stamp[20:23]) * 10**6
    except (ValueError, IndexError):
        return None


def log_events(text, message):
    """(time_ns, line) of log lines containing `message`."""
    out = []
    for line in text.splitlines():
        if f" {message}" in line:
            t = parse_log_time(line)
            if t is not None:
                out.append((t, line))
    return out


def manifest(name):
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "restartPolicy": "Always",
            "terminationGracePeriodSeconds": 5,
            "containers": [{
                "name": "app",
                "image": APP_IMAGE,
                "imagePullPolicy": "IfNotPresent",
                "command": APP_COMMAND,
            }],
        },
    }


def run_agent_pods(args, agent, names, timeout):
    """Writes the manifests of `names` into the manifest dir at once; returns timings in ms."""
    stage = args.stage_dir
    shutil.rmtree(stage, ignore_errors=True)
    os.makedirs(stage)
    paths = []
    for name in names:
        src = os.path.join(stage, f"{name}.json")
        with open(src, "w") as f:
            json.dump(manifest(name), f)
        paths.append((src, os.path.join(agent.manifest_dir, f"{name}.json")))
    log_mark = len(agent.log_text())
    watcher = StartWatcher(args.sock, len(names), f"io.clc-node.node={NODE}", timeout)
    t0 = time.time_ns()
    for src, dst in paths:
        os.rename(src, dst)
    t_written = time.time_ns()
    last = watcher.wait()
    check_running(args.sock, [APP_TYPE_FILTER, f"io.clc-node.node={NODE}"], len(names))
    time.sleep(0.3)  # let the log lines of this burst land
    text = agent.log_text()[log_mark:]
    reads = [t for t, line in log_events(text, "manifest read")
             if any(f"file={dst}" in line for _, dst in paths)]
    infra = [t for t, _ in log_events(text, "started infra container")]
    apps = [t for t, _ in log_events(text, "started container")]
    first_read = min(reads) if reads else None
    r = {
        "engine": watcher.timeline(first_read or t0),
        "ms": (last - t0) / 1e6,
        "write_ms": (t_written - t0) / 1e6,
        "ms_from_read": (last - first_read) / 1e6 if first_read else None,
        "scan_wait_ms": (first_read - t0) / 1e6 if first_read else None,
        "reads": len(reads),
        "read_spread_ms": (max(reads) - min(reads)) / 1e6 if reads else None,
    }
    if first_read and infra and apps:
        r["timeline"] = {
            "first_infra_ms": (min(infra) - first_read) / 1e6, "last_infra_ms": (max(infra) - first_read) / 1e6,
            "first_app_ms": (min(apps) - first_read) / 1e6, "last_app_ms": (max(apps) - first_read) / 1e6,
            "infra_times": sorted((t - first_read) / 1e6 for t in infra),
            "app_times": sorted((t - first_read) / 1e6 for t in apps),
        }
    return r


def remove_agent_pods(args, agent, timeout=120):
    """Deletes every manifest and waits until the agent removed all its containers."""
    for name in os.listdir(agent.manifest_dir):
        os.unlink(os.path.join(agent.manifest_dir, name))
    d = Docker(args.sock)
    try:
        deadline = time.time() + timeout
        t0 = time.time()
        while time.time() < deadline:
            left = d.containers([f"io.clc-node.node={NODE}"])
            if not left:
                return time.time() - t0
            time.sleep(0.1)
        raise RuntimeError(f"agent left {len(left)} containers {timeout} s after its manifests were removed")
    finally:
        d.close()


def proc_cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)


def proc_status(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])  # kB
    return None


def measure_idle(agent_pid, dockerd_pid, seconds):
    hz = os.sysconf("SC_CLK_TCK")
    a0, w0 = proc_cpu_ticks(agent_pid), time.monotonic()
    d0 = proc_cpu_ticks(dockerd_pid) if dockerd_pid else None
    rss_samples = []
    end = w0 + seconds
    while time.monotonic() < end:
        rss_samples.append(proc_status(agent_pid, "VmRSS"))
        time.sleep(min(1.0, max(0.0, end - time.monotonic())))
    a1, w1 = proc_cpu_ticks(agent_pid), time.monotonic()
    d1 = proc_cpu_ticks(dockerd_pid) if dockerd_pid else None
    elapsed = w1 - w0
    return {
        "seconds": elapsed,
        "cpu_pct": 100.0 * (a1 - a0) / hz / elapsed,
        "dockerd_cpu_pct": 100.0 * (d1 - d0) / hz / elapsed if d0 is not None else None,
        "rss_kb": proc_status(agent_pid, "VmRSS"),
        "rss_max_kb": max(rss_samples),
        "hwm_kb": proc_status(agent_pid, "VmHWM"),
        "threads": proc_status(agent_pid, "Threads"),
        "rss_anon_kb": proc_status(agent_pid, "RssAnon"),
        "rss_file_kb": proc_status(agent_pid, "RssFile"),
        "pss_kb": smaps_rollup(agent_pid, "Pss"),
    }


def smaps_rollup(pid, key):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


# ---------------------------------------------------------------- driver

def ensure_infra_image(args):
    d = Docker(args.sock)
    try:
        if d.image_exists(INFRA_IMAGE):
            log(f"{INFRA_IMAGE} present")
            return
        log(f"{INFRA_IMAGE} missing: running the agent once so that it builds it")
        agent = Agent(args, None)
        agent.start()
        try:
            deadline = time.time() + 60
            while not d.image_exists(INFRA_IMAGE):
                if time.time() > deadline:
                    raise RuntimeError(f"agent did not build {INFRA_IMAGE} within 60 s")
                time.sleep(0.1)
        finally:
            agent.stop()
    finally:
        d.close()


def remove_everything(sock):
    d = Docker(sock)
    try:
        cs = d.containers()
        cs.sort(key=lambda c: c["Labels"].get("io.kubernetes.docker.type") != "container")
        for c in cs:
            d.remove(c["Id"])
        if cs:
            log(f"removed {len(cs)} leftover container(s)")
    finally:
        d.close()


def fmt(v, unit="ms", digits=0):
    if v is None:
        return "-"
    return f"{v:,.{digits}f} {unit}".strip()


def run(args):
    results = {"pods": args.pods, "reps": args.reps, "bursts": args.bursts, "idle_seconds": args.idle}
    for path in (args.manifest_dir, args.state_dir):
        shutil.rmtree(path, ignore_errors=True)
    os.makedirs(args.manifest_dir)
    remove_everything(args.sock)
    d = Docker(args.sock)
    try:
        for image in (APP_IMAGE,):
            if not d.image_exists(image):
                raise RuntimeError(f"{image} missing (scripts/build-images.sh)")
    finally:
        d.close()
    ensure_infra_image(args)

    # warm-up: one baseline pod, so that the first measured run does not pay for cold caches
    run_baseline(args.sock, 1, "warm", args.timeout)

    dockerd_pid = None
    try:
        with open(args.dockerd_pidfile) as f:
            dockerd_pid = int(f.read().strip())
    except (OSError, ValueError, TypeError):
        pass

    agent = Agent(args, args.manifest_dir)
    agent.start()
    try:
        time.sleep(1.5)  # first (empty) scan and adoption done
        results["rss_empty_kb"] = proc_status(agent.proc.pid, "VmRSS")
        bursts = []
        for k in range(args.bursts):
            # the agent idles with no pod meanwhile (no worker, no request)
            log(f"round {k + 1}/{args.bursts}: baseline, {args.pods} pods")
            b = run_baseline(args.sock, args.pods, f"b{k}", args.timeout)
            log(f"  -> {b['ms']:.0f} ms")
            log(f"round {k + 1}/{args.bursts}: baseline, {args.pods} pods, at most {AGENT_INFLIGHT} requests in flight (info)")
            c = run_baseline(args.sock, args.pods, f"c{k}", args.timeout, AGENT_INFLIGHT)
            log(f"  -> {c['ms']:.0f} ms")
            log(f"round {k + 1}/{args.bursts}: agent, {args.pods} pods")
            a = run_agent_pods(args, agent, [f"bench-{i:02d}" for i in range(args.pods)], args.timeout)
            log(f"  -> {a['ms']:.0f} ms ({a['ms_from_read']} ms from manifest read)")
            bursts.append({"baseline": b, "capped": c, "agent": a})
            if k < args.bursts - 1:
                results["agent_n_removal_s"] = remove_agent_pods(args, agent)
                time.sleep(1)
        results["bursts"] = bursts

        time.sleep(3)  # settle: post-start syncs of the burst
        log(f"agent idle with {args.pods} pods for {args.idle} s")
        results["idle"] = measure_idle(agent.proc.pid, dockerd_pid, args.idle)
        log(f"  -> {results['idle']}")
        results["agent_n_removal_s"] = remove_agent_pods(args, agent)
        log(f"removed the {args.pods} pods in {results['agent_n_removal_s']:.1f} s")

        singles = []
        for i in range(args.reps):
            b = run_baseline(args.sock, 1, f"s{i}", args.timeout)
            time.sleep(0.5)
            a = run_agent_pods(args, agent, [f"single-{i}"], args.timeout)
            remove_agent_pods(args, agent)
            singles.append({"baseline": b, "agent": a})
            log(f"single {i}: baseline {b['ms']:.0f} ms, agent {a['ms']:.0f} ms ({a['ms_from_read']} ms from manifest read)")
            time.sleep(0.5)
        results["singles"] = singles
    finally:
        agent.stop()

    with open(args.results, "w") as f:
        json.dump(results, f, indent=1)
    print_table(results)


def print_table(r):
    n = r["pods"]
    rounds = r["bursts"]
    med = statistics.median
    b_ms = med(x["baseline"]["ms"] for x in rounds)
    c_ms = med(x["capped"]["ms"] for x in rounds)
    a_ms = med(x["agent"]["ms"] for x in rounds)
    a_read = med(x["agent"]["ms_from_read"] for x in rounds)
    # timelines of the round whose agent figure is the median one
    mid = sorted(rounds, key=lambda x: x["agent"]["ms_from_read"])[(len(rounds) - 1) // 2]
    b, c, a = mid["baseline"], mid["capped"], mid["agent"]
    rows = []
    of = f"median of {len(rounds)}" if len(rounds) > 1 else "1 run"

    def ratio_row(label, base, ag, target):
        ratio = ag / base if base and ag is not None else None
        verdict = "" if ratio is None else ("ok" if ratio <= target else "MISS")
        rows.append((label, fmt(base), fmt(ag), f"{ratio:.2f}x (<= {target}x) {verdict}" if ratio else "-"))

    ratio_row(f"{n}-pod start {of}, from manifest write", b_ms, a_ms, 1.1)
    ratio_row(f"{n}-pod start {of}, from 'manifest read'", b_ms, a_read, 1.1)

    s = r["singles"]
    bs = [x["baseline"]["ms"] for x in s]
    aw = [x["agent"]["ms"] for x in s]
    ar = [x["agent"]["ms_from_read"] for x in s if x["agent"]["ms_from_read"] is not None]
    add_w = statistics.median(x["agent"]["ms"] - x["baseline"]["ms"] for x in s)
    add_r = statistics.median(x["agent"]["ms_from_read"] - x["baseline"]["ms"] for x in s
                              if x["agent"]["ms_from_read"] is not None) if ar else None

    def added_row(label, base, ag, added):
        verdict = "" if added is None else ("ok" if added < 50 else "MISS")
        rows.append((label, fmt(base), fmt(ag), f"{added:+.0f} ms (< 50 ms) {verdict}" if added is not None else "-"))

    added_row(f"1-pod start median of {len(s)}, from manifest write", statistics.median(bs), statistics.median(aw), add_w)
    added_row(f"1-pod start median of {len(s)}, from 'manifest read'", statistics.median(bs),
              statistics.median(ar) if ar else None, add_r)

    idle = r["idle"]
    rss = idle["rss_kb"] / 1024
    rows.append((f"agent RSS with {n} pods (VmRSS)", "-", fmt(rss, "MB", 1),
                 f"< 30 MB {'ok' if rss < 30 else 'MISS'}"))
    rows.append((f"agent idle CPU, {idle['seconds']:.0f} s, {n} pods", "-", fmt(idle["cpu_pct"], "%", 2),
                 f"< 1% of a core {'ok' if idle['cpu_pct'] < 1 else 'MISS'}"))

    widths = [max(len(row[i]) for row in rows + [("figure", "baseline", "agent", "ratio / target")]) for i in range(4)]
    line = lambda c: " | ".join(v.ljust(widths[i]) if i == 0 else v.rjust(widths[i]) if i < 3 else v for i, v in enumerate(c))
    print()
    print(line(("figure", "baseline", "agent", "ratio / target")))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(line(row))
    print()
    print("notes:")
    print(f"  'from manifest write': clock starts when the {n} manifests are renamed into the directory, so it")
    print("   includes the agent's wait for its next directory scan (every 500 ms);")
    print("   'from manifest read': clock starts at the agent's first 'manifest read' log line (ms resolution).")
    print(f"  baseline = Docker API driven directly, all pods concurrent, each pod create/start/inspect infra,")
    print("   create/start app; end = engine 'start' event of the last app container (same for the agent).")
    def each(phase, key):
        return ", ".join(f"{x[phase][key]:.0f}" for x in rounds)

    print(f"  {n}-pod rounds (ms): baseline {each('baseline', 'ms')}; agent from write {each('agent', 'ms')}; "
          f"from read {each('agent', 'ms_from_read')}")
    print(f"  {n}-pod baseline with at most {AGENT_INFLIGHT} requests in flight (the agent's curl pool size): "
          f"{each('capped', 'ms')} ms, median {c_ms:.0f} ms (agent from read / this = {a_read / c_ms:.2f}x)")
    print(f"  median round: agent scan wait {fmt(a['scan_wait_ms'])}, {a['reads']} manifests read within "
          f"{fmt(a['read_spread_ms'])}; baseline replies done at {fmt(b['ms_replies'])}")
    t = a.get("timeline")
    if t:
        print(f"  median round, agent log after first read: 'started infra container' {t['first_infra_ms']:.0f}..{t['last_infra_ms']:.0f} ms, "
              f"'started container' {t['first_app_ms']:.0f}..{t['last_app_ms']:.0f} ms")

    def engine(e):
        return ", ".join(f"{k} {v[0]:.0f}..{v[1]:.0f}" for k, v in e.items())

    print(f"  median round, engine events (ms): baseline from 1st request: {engine(b['engine'])}")
    print(f"                                    capped baseline:           {engine(c['engine'])}")
    print(f"                                    agent from 1st read:       {engine(a['engine'])}")
    print(f"  single pods (ms): baseline {', '.join(f'{v:.0f}' for v in bs)}; agent from write "
          f"{', '.join(f'{v:.0f}' for v in aw)}; agent from read {', '.join(f'{v:.0f}' for v in ar)}")
    def med(phase, key, i):
        vals = [x[phase]["engine"][key][i] for x in s if key in x[phase].get("engine", {})]
        return f"{statistics.median(vals):.0f}" if vals else "-"

    print(f"  single pods, engine events, median ms: baseline (from first request) infra create {med('baseline', 'infra create', 0)}, "
          f"infra start {med('baseline', 'infra start', 0)}, app create {med('baseline', 'app create', 0)}, app start {med('baseline', 'app start', 0)};")
    print(f"   agent (from 'manifest read') infra create {med('agent', 'infra create', 0)}, infra start {med('agent', 'infra start', 0)}, "
          f"app create {med('agent', 'app create', 0)}, app start {med('agent', 'app start', 0)}")
    print(f"  idle window: agent RSS max {idle['rss_max_kb'] / 1024:.1f} MB, VmHWM {idle['hwm_kb'] / 1024:.1f} MB, "
          f"RssAnon {idle['rss_anon_kb'] / 1024:.1f} MB + RssFile {idle['rss_file_kb'] / 1024:.1f} MB, "
          f"PSS {(idle.get('pss_kb') or 0) / 1024:.1f} MB; "
          f"{idle['threads']} threads; RSS with 0 pods {r.get('rss_empty_kb', 0) / 1024:.1f} MB;\n   dockerd CPU {fmt(idle['dockerd_cpu_pct'], '%', 2)} of a core meanwhile")
    if r.get("agent_n_removal_s") is not None:
        print(f"  removing the {n} agent pods (manifests deleted -> containers gone) took {r['agent_n_removal_s']:.1f} s")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sock")
    p.add_argument("--agent", help="clc-node binary")
    p.add_argument("--work", help="scratch directory (manifests, state, logs)")
    p.add_argument("--dockerd-pidfile")
    p.add_argument("--pods", type=int, default=30)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--bursts", type=int, default=3, help="rounds of the N-pod comparison (median reported)")
    p.add_argument("--idle", type=float, default=60)
    p.add_argument("--timeout", type=float, default=180, help="per start phase, seconds")
    p.add_argument("--table-only", metavar="RESULTS_JSON", help="print the table of an earlier run")
    args = p.parse_args()
    if args.table_only:
        with open(args.table_only) as f:
            print_table(json.load(f))
        return
    if not (args.sock and args.agent and args.work):
        p.error("--sock, --agent and --work are required")
    w = args.work
    args.manifest_dir = os.path.join(w, "manifests")
    args.stage_dir = os.path.join(w, "manifests.stage")
    args.state_dir = os.path.join(w, "state")
    args.agent_log = os.path.join(w, "agent.log")
    args.agent_pidfile = os.path.join(w, "agent.pid")
    args.results = os.path.join(w, "results.json")
    os.makedirs(w, exist_ok=True)
    open(args.agent_log, "w").close()
    run(args)


if __name__ == "__main__":
    main()
