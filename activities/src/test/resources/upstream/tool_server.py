"""A tool server in upstream ark's simple HTTP convention (not MCP), for tests.

POST /tools/list -> {"tools": [{name, description, inputSchema}]}
POST /tools/call {"name", "arguments"} -> {"content": [{"type": "text", "text": ...}]}
    4xx with {"error": ...} on bad calls
GET /health -> 200 (503 while the file named by HEALTH_FILE exists)

Usage: python3 tool_server.py  (prints "listening on PORT" once ready; port from PORT, else free)
Every request's method, path and X-Team / X-Api-Key headers are appended to LOG_FILE when set.
A call of "flaky" answers 503 the first time and succeeds afterwards.
"""

import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ORDERS = {"A-100": "shipped on 2026-11-30", "A-200": "waiting for payment"}

TOOLS = [
    {
        "name": "lookup_order",
        "description": "The status of an order.",
        "inputSchema": {
            "type": "object",
            "properties": {"order_id": {"type": "string", "description": "e.g. A-100"}},
            "required": ["order_id"],
        },
    },
    {
        "name": "whoami",
        "description": "The X-Team and X-Api-Key headers the server received.",
        "inputSchema": {"type": "object", "properties": {}},
    },
    {"name": "flaky", "description": "Fails once with 503, then works."},
    {"name": "broken", "description": "Always fails with 500."},
]

flaky_calls = {"n": 0}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def _record(self):
        log = os.environ.get("LOG_FILE")
        if log:
            with open(log, "a") as f:
                f.write("%s %s team=%s key=%s\n" % (
                    self.command, self.path,
                    self.headers.get("X-Team"), self.headers.get("X-Api-Key")))

    def _send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
        try:
            return json.loads(raw or b"{}")
        except ValueError:
            return None

    def do_GET(self):
        self._record()
        if self.path == "/health":
            health_file = os.environ.get("HEALTH_FILE")
            if health_file and os.path.exists(health_file):
                self._send(503, {"status": "unhealthy"})
            else:
                self._send(200, {"status": "ok"})
        else:
            self._send(404, {"error": "not found: " + self.path})

    def do_POST(self):
        self._record()
        body = self._body()
        if body is None:
            self._send(400, {"error": "the body is not JSON"})
        elif self.path == "/tools/list":
            self._send(200, {"tools": TOOLS})
        elif self.path == "/tools/call":
            self._call(body)
        else:
            self._send(404, {"error": "not found: " + self.path})

    def _call(self, body):
        name = body.get("name")
        args = body.get("arguments") or {}
        if name == "lookup_order":
            order = args.get("order_id")
            if not order:
                self._send(400, {"error": "order_id is required"})
            elif order not in ORDERS:
                self._send(404, {"error": "no order " + order})
            else:
                self._send(200, {"content": [{"type": "text", "text": order + ": " + ORDERS[order]}]})
        elif name == "whoami":
            text = "team=%s key=%s" % (self.headers.get("X-Team"), self.headers.get("X-Api-Key"))
            self._send(200, {"content": [{"type": "text", "text": text}]})
        elif name == "flaky":
            flaky_calls["n"] += 1
            if flaky_calls["n"] == 1:
                self._send(503, {"error": "warming up"})
            else:
                self._send(200, {"content": [{"type": "text", "text": "ok after %d calls" % flaky_calls["n"]}]})
        elif name == "broken":
            self._send(500, {"error": "internal error"})
        else:
            self._send(404, {"error": "unknown tool " + str(name)})


def main():
    server = ThreadingHTTPServer(("127.0.0.1", int(os.environ.get("PORT", "0"))), Handler)
    print("listening on %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
