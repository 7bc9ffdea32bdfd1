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
    """{"probes": [user, system, switches], "other": [...]} of a process's threads: CPU seconds
    and context switches (voluntary and not) of the probe thread (clc-probes) and of the rest.
    A thread that ended between two calls drops out of the second; the window is short."""
    tick = os.sysconf("SC_CLK_TCK")
    split = {"probes": [0.0, 0.0, 0], "other": [0.0, 0.0, 0]}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            name = open(f"/proc/{pid}/task/{tid}/comm").read().strip()
            fields = open(f"/proc/{pid}/task/{tid}/stat").read().rsplit(")", 1)[1].split()
            status = dict(l.split(":", 1) for l in open(f"/proc/{pid}/task/{tid}/status"))
        except FileNotFoundError:
            continue
        group = split["probes" if name == "clc-probes" else "other"]
        group[0] += int(fields[11]) / tick
        group[1] += int(fields[12]) / tick
        group[2] += int(status["voluntary_ctxt_switches"]) + int(status["nonvoluntary_ctxt_switches"])
    return split

def manifest(i):
    script = "mkdir -p /www && echo ok > /www/index.html && trap 'exit 0' TERM; httpd -f -p 80 -h /www & wait"
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"probe-{i}"},
            "spec": {"terminationGracePeriodSeconds": 2, "containers": [{
                "name": "web", "image": "clc-test/busybox:latest", "imagePullPolicy": "IfNotPresent",
                "command": ["sh", "-c", script], "ports": [{"containerPort": 80}],
                "livenessProbe": {"httpGet": {"path": "/", "port": 80}, "initialDelaySeconds": 1, "periodSeconds": 1}}]}}

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
    a.add_argument("--floor", help="the C prober (bench/probe-floor.c), run after the Python baseline")
    o = a.parse_args()
    for i in range(o.pods):
        tmp = os.path.join(o.manifests, f".probe-{i}.tmp")
        json.dump(manifest(i), open(tmp, "w"))
        os.rename(tmp, os.path.join(o.manifests, f"probe-{i}.json"))
    deadline = time.time() + 600
    while len(running_apps(o.sock)) < o.pods:
        if time.time() > deadline:
            raise SystemExit("pods did not all start within 10 minutes")
        time.sleep(1)
    print(f"probes: {o.pods} pods running; settling 5 s", flush=True)
    time.sleep(5)

    # Agent window: CPU over the window, then the first "probe timing" line logged after it
    # ends (a line logged during the window covers a minute that may begin before every pod ran).
    (user0, system0), split0, t0 = cpu_split(o.agent_pid), thread_split(o.agent_pid), time.monotonic()
    time.sleep(o.window)
    (user1, system1), split1, elapsed = cpu_split(o.agent_pid), thread_split(o.agent_pid), time.monotonic() - t0
    # The probe thread apart from the rest (the pods' upkeep, the stats sampler): steadier than
    # the total from run to run, and the context switches count the wake-ups between threads.
    # Threads that ended within the window (curl's idle workers) are in the total only.
    def per_group(group):
        user, system, switches = (split1[group][i] - split0[group][i] for i in range(3))
        return f"{(user + system) / elapsed * 100:.2f} ({user / elapsed * 100:.2f} + {system / elapsed * 100:.2f})", switches / elapsed
    probe_thread, probe_switches = per_group("probes")
    other_threads, other_switches = per_group("other")
    agent_cpu = (user1 + system1 - user0 - system0) / elapsed * 100
    agent_system = (system1 - system0) / elapsed * 100
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

    ips = []
    for c in running_apps(o.sock):
        infra = c["HostConfig"]["NetworkMode"].split(":", 1)[1]
        ips.append(docker(o.sock, f"/containers/{infra}/json")["NetworkSettings"]["IPAddress"])
    base_cpu, base_system, base_late, base_fail = baseline(ips, o.window)
    floor = {}
    if o.floor:
        out = subprocess.run([o.floor, str(o.window)] + ips, capture_output=True, text=True, check=True).stdout.split()
        floor = dict(zip(out[0::2], out[1::2]))
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
          "(baseline: plain Python prober; floor: one C epoll loop doing the same, nothing else)")
    print(f"{'figure':<30} | {'baseline':>9} | {'floor':>7} | {'agent':>20} | target")
    for r in rows:
        print(f"{r[0]:<30} | {r[1]:>9} | {r[2]:>7} | {r[3]:>20} | {r[4]}")

if __name__ == "__main__":
    main()
