#!/usr/bin/env python3
"""Load test: N concurrent ArkRuns with injected model failures (see bench/README.md, "load").

Runs `ark dev --kubeconfig` (the operator's code paths and in-process agent workers) against the
rig's API server, with the openai provider pointed at an OpenAI-compatible fixture server in this
process that fails a fraction of calls with HTTP 500. Creates all runs at once, waits for every
one to end, samples the ark JVM's heap meanwhile, and prints a Markdown table.
"""
import argparse
import http.server
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime

FINAL = {"Succeeded", "Failed", "TimedOut", "Cancelled"}


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Fixture(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fail_rate, latency_ms, seed):
        super().__init__(("127.0.0.1", 0), Handler)
        self.fail_rate = fail_rate
        self.latency = latency_ms / 1000.0
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.calls = 0
        self.failures = 0


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        server = self.server
        with server.lock:
            server.calls += 1
            fail = server.random.random() < server.fail_rate
            if fail:
                server.failures += 1
        time.sleep(server.latency)
        if fail:
            body = {"error": {"message": "injected 500", "type": "server_error"}}
            status = 500
        else:
            body = {
                "id": "chatcmpl-load", "object": "chat.completion", "created": int(time.time()),
                "model": "fixture",
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": "A short answer."}}],
                "usage": {"prompt_tokens": 20, "completion_tokens": 5, "total_tokens": 25},
            }
            status = 200
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


TEAM = """apiVersion: arkonis.dev/v1alpha1
kind: ArkAgent
metadata:
  name: loader
spec:
  model: fixture-model
  provider: openai
  limits: {timeoutSeconds: 30, maxConcurrentTasks: 50}
---
apiVersion: arkonis.dev/v1alpha1
kind: ArkTeam
metadata:
  name: load
spec:
  successfulRunsHistoryLimit: 100000  # keep every run of the test to read its times
  failedRunsHistoryLimit: 100000
  inputs:
    - name: item
      required: true
  roles:
    - name: first
      arkAgent: loader
    - name: second
      arkAgent: loader
  pipeline:
    - role: first
      inputs: {prompt: "Item {{ .input.item }}: say something."}
    - role: second
      dependsOn: [first]
      inputs: {prompt: "Shorten: {{ .steps.first.output }}"}
"""


def kubectl(kubeconfig, ns, *args, input=None):
    cmd = ["kubectl", "--kubeconfig", kubeconfig]
    if ns:
        cmd += ["-n", ns]
    result = subprocess.run(cmd + list(args), input=input, capture_output=True, text=True)
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines()
        more = f"\n... ({len(lines) - 5} more lines)" if len(lines) > 5 else ""
        raise SystemExit(f"kubectl {' '.join(args)}: " + "\n".join(lines[:5]) + more)
    return result.stdout


def heap_used_kb(pid):
    out = subprocess.run(["jcmd", str(pid), "GC.heap_info"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        words = line.replace(",", " ").split()
        if "used" in words:
            value = words[words.index("used") + 1]
            if value.endswith("K"):
                return int(value[:-1])
    return None


def parse_time(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def percentile(values, p):
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(p / 100.0 * len(ordered) + 0.5)) - 1))
    return ordered[k]


def run_backend(args, backend, temporal_address, work):
    ns = f"ark-load-{backend}-{random.randrange(36 ** 5):05x}"
    fixture = Fixture(args.fail_rate, args.latency_ms, args.seed)
    threading.Thread(target=fixture.serve_forever, daemon=True).start()
    kubectl(args.kubeconfig, None, "create", "namespace", ns)
    folder = os.path.join(work, backend)
    os.makedirs(folder)
    with open(os.path.join(folder, "team.yaml"), "w") as f:
        f.write(TEAM)
    log_path = os.path.join(work, f"ark-dev-{backend}.log")
    env = dict(os.environ, OPENAI_BASE_URL=f"http://127.0.0.1:{fixture.server_address[1]}/v1",
               OPENAI_API_KEY="sk-load-test")
    cmd = ["java", f"-Xmx{args.heap}", "-jar", args.jar, "dev", folder, "--kubeconfig",
           args.kubeconfig, "-n", ns, "--provider", "openai", "--webhook-port", "0"]
    if temporal_address:
        cmd += ["--temporal-address", temporal_address]
    log = open(log_path, "w")
    dev = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.time() + 180
        while "(Ctrl-C to stop)" not in open(log_path).read():
            if dev.poll() is not None or time.time() > deadline:
                raise SystemExit(f"ark dev did not start ({backend}):\n" + open(log_path).read())
            time.sleep(0.5)
        runs = "".join(
            f"---\napiVersion: arkonis.dev/v1alpha1\nkind: ArkRun\nmetadata:\n  name: load-{i}\n"
            f"spec:\n  teamRef: {{name: load}}\n  input: {{item: \"{i}\"}}\n"
            for i in range(args.runs))
        submitted = time.time()
        kubectl(args.kubeconfig, ns, "create", "-f", "-", input=runs)
        heap_peak = 0
        items = []
        deadline = time.time() + args.timeout
        while time.time() < deadline:
            heap = heap_used_kb(dev.pid)
            heap_peak = max(heap_peak, heap or 0)
            items = json.loads(kubectl(args.kubeconfig, ns, "get", "arkruns", "-o", "json"))["items"]
            if len(items) == args.runs and all(
                    i.get("status", {}).get("phase") in FINAL for i in items):
                break
            time.sleep(2)
        wall = time.time() - submitted
        subprocess.run(["jcmd", str(dev.pid), "GC.run"], capture_output=True)
        heap_after = heap_used_kb(dev.pid)
        phases, latencies, lost = {}, [], 0
        for item in items:
            status = item.get("status", {})
            phase = status.get("phase")
            if phase not in FINAL:
                lost += 1
                continue
            phases[phase] = phases.get(phase, 0) + 1
            if status.get("completionTime"):
                latencies.append(parse_time(status["completionTime"]) - submitted)
        lost += args.runs - len(items)
        return {
            "backend": backend, "runs": args.runs, "phases": phases, "lost": lost,
            "calls": fixture.calls, "failures": fixture.failures,
            "p50": percentile(latencies, 50) if latencies else None,
            "p99": percentile(latencies, 99) if latencies else None,
            "wall": wall, "heap_peak_mb": heap_peak / 1024, "heap_after_gc_mb": (heap_after or 0) / 1024,
        }
    finally:
        # while ark dev still runs: it removes the runs' finalizers
        subprocess.run(["kubectl", "--kubeconfig", args.kubeconfig, "-n", ns, "delete", "arkruns",
                        "--all", "--timeout=120s"], capture_output=True)
        dev.terminate()
        try:
            dev.wait(60)
        except subprocess.TimeoutExpired:
            dev.kill()
        fixture.shutdown()
        subprocess.run(["kubectl", "--kubeconfig", args.kubeconfig, "delete", "namespace", ns,
                        "--wait=false"], capture_output=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jar", required=True)
    parser.add_argument("--kubeconfig", required=True)
    parser.add_argument("--temporal-address", default=None)
    parser.add_argument("--backends", default="embedded,dev")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--fail-rate", type=float, default=0.05)
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--heap", default="512m")
    parser.add_argument("--timeout", type=int, default=900)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="ark-load-")
    rows = []
    for backend in args.backends.split(","):
        address = args.temporal_address if backend == "dev" else None
        if backend == "dev" and not address:
            raise SystemExit("--temporal-address is needed for the dev backend")
        print(f"[bench/load] {backend}: {args.runs} runs, {args.fail_rate:.0%} model failures",
              file=sys.stderr)
        rows.append(run_backend(args, backend, address, work))
    print(f"\n{args.runs} concurrent runs of a 2-step team, {args.fail_rate:.0%} of model calls"
          f" answered 500 (retried, 3 attempts), {args.latency_ms} ms per call;"
          f" `ark dev --kubeconfig` with -Xmx{args.heap}; logs in {work}\n")
    print("| Temporal | runs | final phases | lost | model calls (500s) | p50 latency | p99 latency |"
          " all done | heap peak | heap after GC |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        phases = ", ".join(f"{n} {p}" for p, n in sorted(r["phases"].items()))
        p50 = f"{r['p50']:.1f} s" if r["p50"] is not None else "-"
        p99 = f"{r['p99']:.1f} s" if r["p99"] is not None else "-"
        print(f"| {r['backend']} | {r['runs']} | {phases} | {r['lost']} | {r['calls']} ({r['failures']})"
              f" | {p50} | {p99} | {r['wall']:.0f} s | {r['heap_peak_mb']:.0f} MiB"
              f" | {r['heap_after_gc_mb']:.0f} MiB |")
    if any(r["lost"] for r in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
