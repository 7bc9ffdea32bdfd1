#!/usr/bin/env python3
"""Measures clc-node's probing of N pods against a plain Python prober (see bench/probes.sh)."""
import argparse, http.client, json, os, re, socket, statistics, subprocess, threading, time, urllib.parse

class UnixHTTP(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("docker")
        self.path = path
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)

def docker(sock, path):
    connection = UnixHTTP(sock)
    connection.request("GET", path)
    body = connection.getresponse().read()
    connection.close()
    return json.loads(body)

def running_apps(sock):
    filters = urllib.parse.quote(json.dumps({"label": ["io.clc-node.node=probebench", "io.kubernetes.docker.type=container"], "status": ["running"]}))
    return docker(sock, f"/containers/json?filters={filters}")

def cpu_split(pid):
    """(user, system) CPU seconds of a process."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]) / os.sysconf("SC_CLK_TCK"), int(fields[12]) / os.sysconf("SC_CLK_TCK")

def thread_split(pid):
    """{tid: (group, user, system, switches)} of a process's threads: CPU seconds and context
    switches (voluntary and not), the group "probes" for the probe thread (clc-probes) and
    "other" for the rest."""
    tick = os.sysconf("SC_CLK_TCK")
    split = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            name = open(f"/proc/{pid}/task/{tid}/comm").read().strip()
            fields = open(f"/proc/{pid}/task/{tid}/stat").read().rsplit(")", 1)[1].split()
            status = dict(l.split(":", 1) for l in open(f"/proc/{pid}/task/{tid}/status"))
        except FileNotFoundError:
            continue
        split[tid] = ("probes" if name == "clc-probes" else "other", int(fields[11]) / tick, int(fields[12]) / tick,
                      int(status["voluntary_ctxt_switches"]) + int(status["nonvoluntary_ctxt_switches"]))
    return split

def group_delta(split0, split1, group):
    """(user, system, switches) of a group's threads between two thread_split readings: a
    thread that began within counts from zero, one that ended within drops out."""
    total = [0.0, 0.0, 0]
    for tid, (g, *values) in split1.items():
        if g == group:
            before = split0.get(tid, (g, 0.0, 0.0, 0))[1:]
            total = [t + v - b for t, v, b in zip(total, values, before)]
    return total

def manifest(i, probe=True):
    script = "mkdir -p /www && echo ok > /www/index.html && trap 'exit 0' TERM; httpd -f -p 80 -h /www & wait"
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"probe-{i}"},
            "spec": {"terminationGracePeriodSeconds": 2, "containers": [{
                "name": "web", "image": "clc-test/busybox:latest", "imagePullPolicy": "IfNotPresent",
                "command": ["sh", "-c", script], "ports": [{"containerPort": 80}],
                **({"livenessProbe": {"httpGet": {"path": "/", "port": 80}, "initialDelaySeconds": 1, "periodSeconds": 1}}
                   if probe else {})}]}}

def write_manifests(directory, pods, probe):
    for i in range(pods):
        tmp = os.path.join(directory, f".probe-{i}.tmp")
        json.dump(manifest(i, probe), open(tmp, "w"))
        os.rename(tmp, os.path.join(directory, f"probe-{i}.json"))

def wait_running(sock, pods, replaced=frozenset()):
    """Until `pods` app containers run, none of them one of `replaced`; their IDs."""
    deadline = time.time() + 600
    while True:
        running = {c["Id"] for c in running_apps(sock)}
        if len(running) >= pods and not running & replaced:
            return running
        if time.time() > deadline:
            raise SystemExit("pods did not all start within 10 minutes")
        time.sleep(1)

def agent_cpu_over(pid, window):
    """(user + system, system) of the agent over `window` seconds, in % of one core, with its
    threads' split before and after and the elapsed time."""
    (user0, system0), split0, t0 = cpu_split(pid), thread_split(pid), time.monotonic()
    time.sleep(window)
    (user1, system1), split1, elapsed = cpu_split(pid), thread_split(pid), time.monotonic() - t0
    return (user1 + system1 - user0 - system0) / elapsed * 100, (system1 - system0) / elapsed * 100, split0, split1, elapsed

def baseline(ips, window):
    """One thread per pod, a GET every second on its own schedule, like a probe worker."""
    lateness, failures, stop = [], [0], time.monotonic() + window
    lock = threading.Lock()
    def worker(ip, offset):
        next_run = time.monotonic() + offset
        while True:
            time.sleep(max(0, next_run - time.monotonic()))
            now = time.monotonic()
            if now >= stop:
                return
            with lock:
                lateness.append(now - next_run)
            try:
                c = http.client.HTTPConnection(ip, 80, timeout=1)
                c.request("GET", "/")
                status = c.getresponse().status
                c.close()
                if not 200 <= status < 400:
                    failures[0] += 1
            except OSError:
                failures[0] += 1
            next_run += 1
    start_cpu, start_times = time.process_time(), os.times()
    threads = [threading.Thread(target=worker, args=(ip, i / len(ips))) for i, ip in enumerate(ips)]
    for t in threads: t.start()
    for t in threads: t.join()
    cpu = (time.process_time() - start_cpu) / window * 100
    system = (os.times().system - start_times.system) / window * 100
    return cpu, system, lateness, failures[0]

def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, max(0, int(round(p / 100 * len(values))) - 1))] if values else 0

def main():
    a = argparse.ArgumentParser()
    for name in ("--sock", "--manifests", "--agent-log"): a.add_argument(name, required=True)
    a.add_argument("--pods", type=int, default=100)
    a.add_argument("--window", type=int, default=60)
    a.add_argument("--agent-pid", type=int, required=True)
    a.add_argument("--floor", help="the C prober (bench/probe-floor.c), run beside the agent's probed window")
    o = a.parse_args()
    # The same pods without probes first: what the agent costs to keep 100 pods (resyncs, the
    # stats sampler) apart from probing them. Adding the probe changes each container's hash,
    # so the agent replaces every container before the probed window.
    write_manifests(o.manifests, o.pods, probe=False)
    unprobed = wait_running(o.sock, o.pods)
    print(f"probes: {o.pods} pods running without probes; settling 5 s", flush=True)
    time.sleep(5)
    idle_cpu = agent_cpu_over(o.agent_pid, o.window)[0]
    write_manifests(o.manifests, o.pods, probe=True)
    wait_running(o.sock, o.pods, replaced=frozenset(unprobed))
    print(f"probes: {o.pods} pods running with probes; settling 5 s", flush=True)
    time.sleep(5)

    ips = []
    for c in running_apps(o.sock):
        infra = c["HostConfig"]["NetworkMode"].split(":", 1)[1]
        ips.append(docker(o.sock, f"/containers/{infra}/json")["NetworkSettings"]["IPAddress"])

    # Agent window: CPU over the window, then the first "probe timing" line logged after it
    # ends (a line logged during the window covers a minute that may begin before every pod ran).
    # The floor probes the same pods over the same window, so that both meet the same machine:
    # on this VM one window can cost a third more than the next for the same work.
    floor_run = subprocess.Popen([o.floor, str(o.window)] + ips, stdout=subprocess.PIPE, text=True) if o.floor else None
    agent_cpu, agent_system, split0, split1, elapsed = agent_cpu_over(o.agent_pid, o.window)
    floor = {}
    if floor_run:
        out = floor_run.communicate()[0].split()
        if floor_run.returncode != 0:
            raise SystemExit(f"probe-floor failed with status {floor_run.returncode}")
        floor = dict(zip(out[0::2], out[1::2]))
    # The probe thread apart from the rest (the pods' upkeep, the stats sampler): steadier than
    # the total from run to run, and the context switches count the wake-ups between threads.
    # Threads that ended within the window (curl's idle workers) count in the total only.
    def per_group(group):
        user, system, switches = group_delta(split0, split1, group)
        return f"{(user + system) / elapsed * 100:.2f} ({user / elapsed * 100:.2f} + {system / elapsed * 100:.2f})", switches / elapsed
    probe_thread, probe_switches = per_group("probes")
    other_threads, other_switches = per_group("other")
    rss = {k: int(v.split()[0]) / 1024 for k, v in (l.split(":", 1) for l in open(f"/proc/{o.agent_pid}/status")) if k in ("VmRSS", "RssAnon", "RssFile")}
    threads = len(os.listdir(f"/proc/{o.agent_pid}/task"))
    log_lines_before = open(o.agent_log, errors="replace").read().count("probe timing over the last minute")
    timing = None
    wait_until = time.time() + 70
    while time.time() < wait_until:
        lines = [l for l in open(o.agent_log, errors="replace") if "probe timing over the last minute" in l]
        if len(lines) > log_lines_before:
            timing = lines[-1]
            break
        time.sleep(1)
    values = dict(re.findall(r"(probe\.[a-z0-9.]+)=([0-9.]+)", timing or ""))
    restarts = sum(int(c["Labels"].get("io.kubernetes.container.restartCount", "0")) for c in running_apps(o.sock))

    base_cpu, base_system, base_late, base_fail = baseline(ips, o.window)
    def f(key, fmt=lambda v: v):
        return fmt(floor[key]) if key in floor else "-"

    runs = float(values.get("probe.runs", 0))
    rows = [
        ("probe runs in the window", f"{len(base_late)}", f("runs"), f"{runs:.0f} (per minute)", "-"),
        ("CPU, % of one core", f"{base_cpu:.2f}", f("user", lambda v: f"{float(v) + float(floor['system']):.2f}"),
         f"{agent_cpu:.2f}", "< 3%: " + ("ok" if agent_cpu < 3 else "MISS")),
        # The kernel's part (connects, packets through the bridge, wake-ups): what a new
        # connection per probe, as kubelet makes it, costs whatever the prober is written in.
        ("  of which in the kernel", f"{base_system:.2f}", f("system"), f"{agent_system:.2f}", "-"),
        ("  the same pods, no probes", "-", "-", f"{idle_cpu:.2f}", "-"),
        ("  probing alone (difference)", "-", "-", f"{agent_cpu - idle_cpu:.2f}", "-"),
        ("  above the floor", "-", "-", f"{agent_cpu - float(floor['user']) - float(floor['system']):.2f}" if floor else "-", "-"),
        ("  probe thread (user + kernel)", "-", "-", probe_thread, "-"),
        ("  other threads (same)", "-", "-", other_threads, "-"),
        ("agent context switches / s", "-", "-", f"{probe_switches + other_switches:.0f}", "-"),
        ("lateness p50, ms", f"{pct(base_late, 50) * 1000:.1f}", f("p50"), values.get("probe.lateness.p50.ms", "?"), "-"),
        ("lateness p99, ms", f"{pct(base_late, 99) * 1000:.1f}", f("p99"), values.get("probe.lateness.p99.ms", "?"),
         "< 50 ms: " + ("ok" if float(values.get("probe.lateness.p99.ms", 1e9)) < 50 else "MISS")),
        ("lateness max, ms", f"{max(base_late or [0]) * 1000:.1f}", f("max"), values.get("probe.lateness.max.ms", "?"), "-"),
        ("agent VmRSS (anon + file), MB", "-", "-", f"{rss['VmRSS']:.1f} ({rss['RssAnon']:.1f} + {rss['RssFile']:.1f})", "-"),
        ("agent threads", "-", "-", f"{threads}", "-"),
        ("failed probes / restarts", f"{base_fail}", f("failures"), f"restarts {restarts}", "0"),
    ]
    print(f"\n{o.pods} pods, HTTP liveness probe every 1 s, {o.window} s window "
          "(baseline: plain Python prober, after the agent's window; floor: one C epoll loop doing the same, nothing else, "
          "beside the agent's window)")
    print(f"{'figure':<30} | {'baseline':>9} | {'floor':>7} | {'agent':>20} | target")
    for r in rows:
        print(f"{r[0]:<30} | {r[1]:>9} | {r[2]:>7} | {r[3]:>20} | {r[4]}")

if __name__ == "__main__":
    main()
