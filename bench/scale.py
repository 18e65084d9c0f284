#!/usr/bin/env python3
"""Scale benchmark (see bench/README.md, "bench/scale").

sweep:   N concurrent diamond runs (mock model with a fixed latency, so the ideal is known) through
         `ark dev --kubeconfig` (the operator's code paths + in-process agent workers) on the rig's
         API server, on the embedded Temporal and on a Temporal dev server; makespan / critical
         path p50/p99, runs/s, errors, heap peak; a PNG chart of the ratio against concurrency.
objects: 10,000 finished ArkRuns existing in the namespace; `ark dev` start-up time and heap with
         them; then ArkRun create -> status.workflowId (the workflow started) over 100 creates.
"""
import argparse
import concurrent.futures
import http.client
import json
import os
import random
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from urllib.parse import urlparse

FINAL = {"Succeeded", "Failed", "TimedOut", "Cancelled", "BudgetExceeded"}
GROUP = "/apis/arkonis.dev/v1alpha1"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TEAM = """apiVersion: arkonis.dev/v1alpha1
kind: ArkTeam
metadata:
  name: diamond
spec:
  timeoutSeconds: 1800
  successfulRunsHistoryLimit: 100000  # keep every run: the bench reads their times
  failedRunsHistoryLimit: 100000
  inputs:
    - name: topic
      type: string
      required: true
  roles:
    - name: worker
      model: mock
      limits: {maxConcurrentTasks: 2000, timeoutSeconds: 600}
  pipeline:
    - {name: a, role: worker, inputs: {prompt: "Facts about {{ .input.topic }}."}}
    - {name: b, role: worker, dependsOn: [a], inputs: {prompt: "Expand: {{ .steps.a.output }}"}}
    - {name: c, role: worker, dependsOn: [a], inputs: {prompt: "Counter: {{ .steps.a.output }}"}}
    - {name: d, role: worker, dependsOn: [b, c], inputs: {prompt: "Merge {{ .steps.b.output }} {{ .steps.c.output }}"}}
  output: "{{ .steps.d.output }}"
"""
CRITICAL_CALLS = 3


def log(msg):
    print(f"[bench/scale] {msg}", file=sys.stderr, flush=True)


class Api:
    """A minimal Kubernetes API client (admin token from the rig's kubeconfig), one connection per
    thread."""

    def __init__(self, kubeconfig):
        cfg = json.loads(subprocess.run(
            ["kubectl", "--kubeconfig", kubeconfig, "config", "view", "--raw", "-o", "json",
             "--minify"], capture_output=True, text=True, check=True).stdout)
        url = urlparse(cfg["clusters"][0]["cluster"]["server"])
        self.host, self.port = url.hostname, url.port
        self.token = cfg["users"][0]["user"].get("token")
        self.ctx = ssl._create_unverified_context()  # the rig's self-signed, local-only server
        self.local = threading.local()

    def call(self, method, path, body=None, content_type="application/json", stream=False):
        for attempt in range(5):
            try:
                return self._call(method, path, body, content_type, stream)
            except (http.client.HTTPException, OSError):
                if attempt == 4:
                    raise
                time.sleep(0.5 * (attempt + 1))  # a kept-alive connection the server closed

    def _call(self, method, path, body, content_type, stream):
        conn = getattr(self.local, "conn", None)
        if conn is None or stream:
            conn = http.client.HTTPSConnection(self.host, self.port, context=self.ctx,
                                               timeout=None if stream else 120)
            if not stream:
                self.local.conn = conn
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = content_type
        try:
            conn.request(method, path, body=data, headers=headers)
            resp = conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.local.conn = None
            raise
        if stream:
            return resp
        payload = resp.read()
        if resp.status == 409 and method == "POST":
            return resp.status, None  # created by an earlier attempt whose answer was lost
        if resp.status >= 300 and resp.status != 404:
            raise RuntimeError(f"{method} {path}: {resp.status} {payload[:300]!r}")
        if resp.status == 404:
            return resp.status, None  # the body may be plain text ("404 page not found")
        return resp.status, (json.loads(payload) if payload else None)

    def runs_path(self, ns, name=""):
        return f"{GROUP}/namespaces/{ns}/arkruns" + (f"/{name}" if name else "")

    def list_runs(self, ns):
        return self.call("GET", self.runs_path(ns))[1]

    def create_run(self, ns, name, topic):
        body = {"apiVersion": "arkonis.dev/v1alpha1", "kind": "ArkRun",
                "metadata": {"name": name}, "spec": {"teamRef": {"name": "diamond"},
                                                     "input": {"topic": topic}}}
        return self.call("POST", self.runs_path(ns), body)


def parse_time(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return None
    k = max(0, min(len(ordered) - 1, int(round(p / 100.0 * len(ordered) + 0.5)) - 1))
    return ordered[k]


def heap_used_mib(pid):
    out = subprocess.run(["jcmd", str(pid), "GC.heap_info"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        words = line.replace(",", " ").split()
        if "used" in words:
            value = words[words.index("used") + 1]
            if value.endswith("K"):
                return int(value[:-1]) / 1024
    return None


def rss_mib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


class HeapSampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0.0, threading.Event()

    def run(self):
        while not self.stop.is_set():
            used = heap_used_mib(self.pid)
            self.peak = max(self.peak, used or 0)
            self.stop.wait(1.0)


class Dev:
    """`ark dev --kubeconfig` in a namespace of its own, on one backend."""

    def __init__(self, args, api, ns, backend, work):
        self.args, self.api, self.ns, self.backend = args, api, ns, backend
        folder = os.path.join(work, f"team-{ns}")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "team.yaml"), "w") as f:
            f.write(TEAM)
        self.log_path = os.path.join(work, f"ark-dev-{ns}.log")
        # ARK_BENCH_JAVA_OPTS: extra JVM options for the measured process (e.g. a JFR recording)
        cmd = ["java", f"-Xmx{args.heap}", *os.environ.get("ARK_BENCH_JAVA_OPTS", "").split(),
               "-jar", args.jar, "dev", folder, "--kubeconfig",
               args.kubeconfig, "-n", ns, "--mock-latency", f"{args.latency_ms}ms",
               "--webhook-port", "0", "--port", "0"]
        if backend == "dev":
            cmd += ["--temporal-address", args.temporal_address]
        self.started_at = time.time()
        self.proc = subprocess.Popen(cmd, stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT)
        deadline = time.time() + 600
        while "(Ctrl-C to stop)" not in open(self.log_path).read():
            if self.proc.poll() is not None or time.time() > deadline:
                raise SystemExit(f"ark dev did not start ({backend}):\n"
                                 + open(self.log_path).read()[-3000:])
            time.sleep(0.1)
        self.startup_s = time.time() - self.started_at

    def delete_runs(self):
        self.api.call("DELETE", self.api.runs_path(self.ns))
        deadline = time.time() + 300
        while time.time() < deadline and self.api.list_runs(self.ns)["items"]:
            time.sleep(1)

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def ensure_namespace(api, ns):
    status, _ = api.call("GET", f"/api/v1/namespaces/{ns}")
    if status == 404:
        api.call("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                "metadata": {"name": ns}})


def create_many(api, ns, names, threads=8):
    times = {}

    def one(name):
        t = time.time()
        api.create_run(ns, name, name)
        times[name] = t
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, names))
    return times


def level(args, api, dev, concurrency, sampler):
    prefix = f"c{concurrency}-{random.randrange(36 ** 4):04x}"
    names = [f"{prefix}-{i}" for i in range(concurrency)]
    submitted = time.time()
    create_many(api, dev.ns, names)
    created = time.time()
    deadline = time.time() + args.timeout
    items = []
    while time.time() < deadline:
        items = [i for i in api.list_runs(dev.ns)["items"]
                 if i["metadata"]["name"].startswith(prefix + "-")]
        if len(items) == concurrency and all(
                i.get("status", {}).get("phase") in FINAL for i in items):
            break
        time.sleep(1)
    ratios, latencies, done, phases = [], [], [], {}
    ideal = CRITICAL_CALLS * args.latency_ms / 1000.0
    for item in items:
        st = item.get("status", {})
        phase = st.get("phase", "(none)")
        phases[phase] = phases.get(phase, 0) + 1
        if phase == "Succeeded" and st.get("startTime") and st.get("completionTime"):
            end = parse_time(st["completionTime"])
            ratios.append((end - parse_time(st["startTime"])) / ideal)
            latencies.append(end - submitted)
            done.append(end)
    lost = concurrency - sum(n for p, n in phases.items() if p in FINAL)
    errors = concurrency - phases.get("Succeeded", 0)
    span = (max(done) - submitted) if done else None
    row = {"backend": dev.backend, "concurrency": concurrency, "phases": phases, "lost": lost,
           "errors": errors, "create_s": created - submitted,
           "ratio_p50": percentile(ratios, 50), "ratio_p99": percentile(ratios, 99),
           "ratio_max": max(ratios) if ratios else None,
           "latency_p50": percentile(latencies, 50), "latency_p99": percentile(latencies, 99),
           "all_done_s": span, "runs_per_s": (len(done) / span) if span else None,
           "heap_peak_mib": sampler.peak}
    log(f"{dev.backend} c={concurrency}: {json.dumps(row)}")
    dev.delete_runs()
    return row


def sweep(args, api, work):
    rows = []
    for backend in args.backends.split(","):
        ns = f"ark-scale-{backend}-{random.randrange(36 ** 5):05x}"
        ensure_namespace(api, ns)
        dev = Dev(args, api, ns, backend, work)
        sampler = HeapSampler(dev.proc.pid)
        try:
            log(f"{backend}: ark dev up in {dev.startup_s:.1f} s; warm-up run")
            level(args, api, dev, 1, sampler)  # untimed: agent Deployment, JIT, namespace
            sampler.start()
            for c in [int(x) for x in args.levels.split(",")]:
                sampler.peak = 0.0
                levels = [r for r in rows if r["backend"] == backend]
                if any(r["lost"] for r in levels):
                    log(f"{backend}: skipping c={c}: runs were lost at a lower level")
                    continue
                rows.append(level(args, api, dev, c, sampler))
                save(args, {"sweep": rows})
        finally:
            sampler.stop.set()
            dev.close()
            api.call("DELETE", f"/api/v1/namespaces/{ns}")
    return rows


def ensure_crds(args, api, work):
    """A fresh cluster has no ark CRDs: a short `ark dev --kubeconfig` installs them."""
    status, _ = api.call("GET", f"{GROUP}/arkruns")
    if status == 404:
        log("installing ark's CRDs (a short ark dev start)")
        ensure_namespace(api, "ark-scale-crds")
        Dev(args, api, "ark-scale-crds", "dev", work).close()


def objects(args, api, work):
    ns = args.objects_namespace
    ensure_namespace(api, ns)
    ensure_crds(args, api, work)
    existing = {i["metadata"]["name"] for i in api.list_runs(ns)["items"]
                if i["metadata"]["name"].startswith("hist-")}
    missing = [f"hist-{i}" for i in range(args.objects) if f"hist-{i}" not in existing]
    if missing:
        log(f"creating {len(missing)} finished ArkRuns in {ns} (no operator running)")
        t0 = time.time()
        create_many(api, ns, missing, threads=16)
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")

        def finish(name):
            api.call("PATCH", api.runs_path(ns, name) + "/status",
                     {"status": {"phase": "Succeeded", "startTime": now, "completionTime": now,
                                 "output": "an answer of a finished run, kept as history"}},
                     content_type="application/merge-patch+json")
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            list(pool.map(finish, missing))
        log(f"created and finished {len(missing)} runs in {time.time() - t0:.0f} s")
    total = len([i for i in api.list_runs(ns)["items"]])
    dev = Dev(args, api, ns, "dev", work)
    try:
        startup = dev.startup_s
        subprocess.run(["jcmd", str(dev.proc.pid), "GC.run"], capture_output=True)
        heap_start = heap_used_mib(dev.proc.pid)
        rss_start = rss_mib(dev.proc.pid)
        log(f"ark dev up with {total} runs in {startup:.1f} s, heap {heap_start:.0f} MiB")
        rv = api.list_runs(ns)["metadata"]["resourceVersion"]
        started = {}
        pending = {}
        lock = threading.Lock()

        def watch():
            resp = api.call("GET", api.runs_path(ns) + f"?watch=true&resourceVersion={rv}",
                            stream=True)
            buf = b""
            while True:
                chunk = resp.read1(65536) if hasattr(resp, "read1") else resp.read(1)
                if not chunk:
                    return
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    event = json.loads(line)
                    obj = event.get("object", {})
                    name = obj.get("metadata", {}).get("name")
                    if obj.get("status", {}).get("workflowId"):
                        with lock:
                            if name in pending and name not in started:
                                started[name] = time.time()
        threading.Thread(target=watch, daemon=True).start()
        time.sleep(1)
        sampler = HeapSampler(dev.proc.pid)
        sampler.start()
        names = [f"probe-{random.randrange(36 ** 4):04x}-{i}" for i in range(args.creates)]
        for name in names:
            with lock:
                pending[name] = time.time()
            api.create_run(ns, name, name)
            time.sleep(args.create_interval_ms / 1000.0)
        deadline = time.time() + 120
        while time.time() < deadline and len(started) < len(names):
            time.sleep(0.5)
        sampler.stop.set()
        delays = [started[n] - pending[n] for n in names if n in started]
        row = {"runs_existing": total, "startup_s": startup, "heap_after_gc_mib": heap_start,
               "rss_mib": rss_start, "creates": len(names), "started": len(delays),
               "p50_s": percentile(delays, 50), "p99_s": percentile(delays, 99),
               "max_s": max(delays) if delays else None, "heap_peak_mib": sampler.peak}
        log(f"objects: {json.dumps(row)}")
        for name in names:
            api.call("DELETE", api.runs_path(ns, name))
        deadline = time.time() + 120
        while time.time() < deadline and any(
                i["metadata"]["name"].startswith("probe-") for i in api.list_runs(ns)["items"]):
            time.sleep(1)
        return row
    finally:
        dev.close()


def save(args, data):
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, f"scale-{args.stamp}.json")
    old = json.load(open(path)) if os.path.exists(path) else {}
    old.update(data)
    old["meta"] = {"jar": args.jar, "latency_ms": args.latency_ms, "heap": args.heap,
                   "load_before": args.load_before, "load_now": os.getloadavg()}
    json.dump(old, open(path, "w"), indent=1)


def chart(rows, path, latency_ms):
    python = os.path.expanduser(os.environ.get("ARK_BENCH_VENV", "~/.cache/ark/bench-venv")) \
        + "/bin/python"
    script = """
import json, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
rows, path, latency = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
names = {"embedded": "embedded Temporal", "dev": "Temporal dev server"}
for backend, color in (("embedded", "tab:blue"), ("dev", "tab:orange")):
    rs = sorted((r for r in rows if r["backend"] == backend and r["ratio_p50"]),
                key=lambda r: r["concurrency"])
    if not rs:
        continue
    xs = [r["concurrency"] for r in rs]
    ax.plot(xs, [r["ratio_p50"] for r in rs], "o-", color=color, label=names[backend] + " p50")
    ax.plot(xs, [r["ratio_p99"] for r in rs], "s--", color=color, label=names[backend] + " p99")
ax.axhline(1.5, color="grey", lw=0.8, ls=":")
ax.text(1, 1.52, "target p99 <= 1.5 (200 runs, dev server)", fontsize=8, color="grey")
ax.set_xscale("log")
ax.set_yscale("log")
from matplotlib.ticker import NullFormatter, ScalarFormatter
for axis in (ax.xaxis, ax.yaxis):
    axis.set_major_formatter(ScalarFormatter())
    axis.set_minor_formatter(NullFormatter())
ax.set_xlabel("concurrent diamond runs (ark dev --kubeconfig, one process)")
ax.set_ylabel("makespan / critical path")
ax.set_title("Makespan ratio against concurrency (mock model, " + latency + " ms per call)")
ax.grid(True, which="both", alpha=0.3)
ax.legend(fontsize=8)
fig.tight_layout()
fig.savefig(path)
"""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(rows, f)
    result = subprocess.run([python, "-c", script, f.name, path, str(latency_ms)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        log("chart not drawn (matplotlib in the bench venv; bench/scale creates it): "
            + result.stderr[-500:])
        return False
    return True


def fmt(v, spec=".2f", unit=""):
    return "-" if v is None else f"{v:{spec}}{unit}"


def print_tables(data, args):
    if data.get("sweep"):
        print(f"\nConcurrency sweep: diamond runs (critical path {CRITICAL_CALLS} x "
              f"{args.latency_ms} ms), `ark dev --kubeconfig` -Xmx{args.heap}, all runs of a level "
              "created at once\n")
        print("| Temporal | runs | ratio p50 | p99 | max | errors (lost) | create -> done p50 / p99 |"
              " all done | runs/s | heap peak |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for r in data["sweep"]:
            print(f"| {r['backend']} | {r['concurrency']} | {fmt(r['ratio_p50'], '.3f')} | "
                  f"{fmt(r['ratio_p99'], '.3f')} | {fmt(r['ratio_max'], '.3f')} | "
                  f"{r['errors']} ({r['lost']}) | {fmt(r['latency_p50'], '.1f', ' s')} / "
                  f"{fmt(r['latency_p99'], '.1f', ' s')} | {fmt(r['all_done_s'], '.0f', ' s')} | "
                  f"{fmt(r['runs_per_s'], '.1f')} | {fmt(r['heap_peak_mib'], '.0f', ' MiB')} |")
    o = data.get("objects")
    if o:
        print(f"\nMany objects: {o['runs_existing']} finished ArkRuns in the namespace\n")
        print("| ark dev start-up | heap after GC | RSS | create -> workflow started p50 | p99 |"
              " max | started |")
        print("|---|---|---|---|---|---|---|")
        print(f"| {o['startup_s']:.1f} s | {fmt(o['heap_after_gc_mib'], '.0f', ' MiB')} | "
              f"{fmt(o['rss_mib'], '.0f', ' MiB')} | {fmt(o['p50_s'], '.3f', ' s')} | "
              f"{fmt(o['p99_s'], '.3f', ' s')} | {fmt(o['max_s'], '.3f', ' s')} | "
              f"{o['started']}/{o['creates']} |")


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--jar", required=True)
    p.add_argument("--kubeconfig", required=True)
    p.add_argument("--temporal-address", required=True)
    p.add_argument("--series", default="sweep,objects")
    p.add_argument("--backends", default="embedded,dev")
    p.add_argument("--levels", default="1,10,50,200,1000")
    p.add_argument("--latency-ms", type=int, default=500)
    p.add_argument("--heap", default="512m")
    p.add_argument("--timeout", type=int, default=1200)
    p.add_argument("--objects", type=int, default=10000)
    p.add_argument("--objects-namespace", default="ark-scale-objects")
    p.add_argument("--creates", type=int, default=100)
    p.add_argument("--create-interval-ms", type=int, default=200)
    p.add_argument("--out", default=os.path.join(ROOT, "bench", "out"))
    p.add_argument("--chart", default=None, help="also copy the chart here (e.g. docs/images/…)")
    args = p.parse_args()
    args.stamp = time.strftime("%Y%m%d-%H%M%S")
    args.load_before = os.getloadavg()
    api = Api(args.kubeconfig)
    work = tempfile.mkdtemp(prefix="ark-scale-")
    log(f"logs in {work}; load average {args.load_before}")
    data = {}
    series = args.series.split(",")
    if "sweep" in series:
        data["sweep"] = sweep(args, api, work)
        save(args, data)
        png = os.path.join(args.out, f"scale-{args.stamp}.png")
        if chart(data["sweep"], png, args.latency_ms):
            log(f"chart: {png}")
            if args.chart:
                subprocess.run(["cp", png, args.chart], check=True)
    if "objects" in series:
        data["objects"] = objects(args, api, work)
        save(args, data)
    print(f"\nMeasured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average before /"
          f" after: {' '.join(f'{x:.2f}' for x in args.load_before)} /"
          f" {' '.join(f'{x:.2f}' for x in os.getloadavg())}; raw: {args.out}/scale-{args.stamp}.json")
    print_tables(data, args)
    if any(r["lost"] for r in data.get("sweep", [])):
        sys.exit(1)


if __name__ == "__main__":
    main()
