"""The real-model series of bench/run: ark's pipeline makespan against the same model calls made
directly, in the same order, on a real OpenAI-compatible server (llama-server from
scripts/model-server). Python 3 standard library only; used by bench/measure.py.

Both sides go through one recording proxy (the same localhost hop for both): `ark run` of a chain
team with OPENAI_BASE_URL pointing at the proxy, which records every request body; "direct" sends
the recorded bodies again, one after the other, each as soon as the previous answer arrived. With
deterministic sampling (scripts/model-server runs --temp 0 --seed 42) every ark run sends the same
requests, which the series checks.
"""

import http.server
import json
import threading
import time
import urllib.error
import urllib.request


class Proxy:
    """Forwards POST /v1/... to the model server and records (path, body, start ns, end ns)."""

    def __init__(self, upstream):
        self.upstream = upstream.rstrip("/")
        self.calls = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status, answer = proxy.forward(self.path, body)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self):
        return "http://127.0.0.1:%d/v1" % self.server.server_address[1]

    def forward(self, path, body):
        if not path.startswith("/v1/"):
            return 404, b"{}"
        start = time.time_ns()
        request = urllib.request.Request(self.upstream + path[len("/v1"):], data=body,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=600) as r:
                status, answer = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, answer = e.code, e.read()
        self.calls.append({"path": path, "body": body, "start_ns": start,
                           "end_ns": time.time_ns(), "status": status})
        return status, answer

    def take(self):
        calls, self.calls = self.calls, []
        return calls

    def close(self):
        self.server.shutdown()


def direct(proxy, requests):
    """Sends the recorded requests through the proxy, in order; wall ms first send → last answer."""
    t0 = time.time_ns()
    for c in requests:
        request = urllib.request.Request(proxy.url[:-len("/v1")] + c["path"], data=c["body"],
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=600) as r:
            r.read()
            if r.status != 200:
                raise RuntimeError("the model server answered %d" % r.status)
    return (time.time_ns() - t0) / 1e6, proxy.take()


def series(run_once, team_file, model_url, runs, log):
    """`runs` rounds of (ark run, direct) on the embedded server, the order alternating, after one
    untimed ark run that records the requests. Returns the samples."""
    proxy = Proxy(model_url)
    env = {"OPENAI_BASE_URL": proxy.url, "OPENAI_API_KEY": None}
    args = lambda: ["run", team_file, "--input", '{"topic": "queues"}', "--provider", "openai",
                    "-o", "json"]
    try:
        log("real model: one untimed ark run records the requests")
        run_once(team_file, 0, None, args=args(), env=env)
        recorded = proxy.take()
        if not recorded or any(c["status"] != 200 for c in recorded):
            raise SystemExit("bench: the model server did not answer the warm-up run's calls")
        out = {"ark": [], "direct": [], "same_requests": True, "team": team_file, "url": model_url}
        for i in range(runs):
            for side in (("ark", "direct") if i % 2 == 0 else ("direct", "ark")):
                if side == "ark":
                    s = run_once(team_file, 0, None, args=args(), env=env)
                    calls = proxy.take()
                    if [c["body"] for c in calls] != [c["body"] for c in recorded]:
                        out["same_requests"] = False
                    s["model_ms"] = sum((c["end_ns"] - c["start_ns"]) / 1e6 for c in calls)
                    s["calls"] = len(calls)
                    out["ark"].append(s)
                    log("real model %d/%d ark run  makespan %6.0f ms (model %6.0f ms, %d calls)"
                        % (i + 1, runs, s["makespan_ms"], s["model_ms"], len(calls)))
                else:
                    wall, calls = direct(proxy, recorded)
                    model = sum((c["end_ns"] - c["start_ns"]) / 1e6 for c in calls)
                    out["direct"].append({"wall_ms": wall, "model_ms": model})
                    log("real model %d/%d direct   wall     %6.0f ms (model %6.0f ms)"
                        % (i + 1, runs, wall, model))
        return out
    finally:
        proxy.close()
