#!/usr/bin/env python3
"""A tiny sample service for the demo and the quickstart.

Answers every request with JSON naming the service and the instance that served it:

    {"service": "users", "instance": "127.0.0.1:9001", "method": "GET", "path": "/users/7"}

With --call PREFIX=URL, a request whose path starts with PREFIX is passed on (GET) to URL plus
the rest of the path, and the answer says what came back, with the called service's status:

    --call /web/orders=http://127.0.0.1:10002/orders      (web's sidecar, local port to orders)
    GET /web/orders/7 -> {"service": "web", ..., "called": {"url": ".../orders/7", "status": 200,
                                                           "answer": {"service": "orders", ...}}}

With --consul URL the service registers itself in Consul's agent (address --address, the port
--port, a TTL health check it keeps passing every 5 s) and deregisters when it stops.

Usage: compose/samples/echo.py --name users --port 9001 [--host 127.0.0.1]
           [--call PREFIX=URL ...] [--consul http://127.0.0.1:8500 [--address A] [--id ID]]
Only the Python standard library is used.
"""
import argparse
import json
import signal
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def consul(base: str, method: str, path: str, body=None) -> None:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base.rstrip("/") + path, data=data, method=method)
    with urllib.request.urlopen(request, timeout=5):
        pass


def register(args, log) -> str:
    """Registers the instance, retrying for a minute while Consul starts; returns the check id."""
    address = args.address
    if address == "auto":
        address = socket.gethostbyname(socket.gethostname())
    service_id = args.id or f"{args.name}-{address}-{args.port}"
    check = f"ttl-{service_id}"
    body = {
        "ID": service_id,
        "Name": args.name,
        "Address": address,
        "Port": args.port,
        "Check": {"CheckID": check, "TTL": "15s", "Status": "passing", "DeregisterCriticalServiceAfter": "1m"},
    }
    deadline = time.time() + 60
    while True:
        try:
            consul(args.consul, "PUT", "/v1/agent/service/register", body)
            break
        except (urllib.error.URLError, OSError) as e:
            if time.time() > deadline:
                raise SystemExit(f"echo: cannot register {args.name} in Consul at {args.consul}: {e}")
            time.sleep(0.5)
    log(f"echo: registered {service_id} ({address}:{args.port}) in Consul at {args.consul}")

    def heartbeat() -> None:
        while True:
            time.sleep(5)
            try:
                consul(args.consul, "PUT", f"/v1/agent/check/pass/{check}")
            except (urllib.error.URLError, OSError) as e:
                log(f"echo: heartbeat to Consul failed: {e}")

    threading.Thread(target=heartbeat, daemon=True).start()
    return service_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--name", required=True, help="the service name to report")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--call", action="append", default=[], metavar="PREFIX=URL",
                        help="pass requests under PREFIX on to URL (repeatable)")
    parser.add_argument("--consul", help="Consul agent URL to register in, e.g. http://127.0.0.1:8500")
    parser.add_argument("--address", default="127.0.0.1",
                        help="address to register in Consul ('auto': this host's address; default 127.0.0.1)")
    parser.add_argument("--id", help="Consul service id (default <name>-<address>-<port>)")
    args = parser.parse_args()
    instance = f"{args.host}:{args.port}"
    calls = []
    for spec in args.call:
        prefix, sep, url = spec.partition("=")
        if not sep or not prefix.startswith("/") or not url.startswith("http"):
            parser.error(f"--call expects PREFIX=URL, like /web/orders=http://127.0.0.1:10002/orders; got {spec!r}")
        calls.append((prefix, url))

    def log(line: str) -> None:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "sluice-echo"

        def _call(self, url: str):
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    status, text = r.status, r.read().decode(errors="replace")
            except urllib.error.HTTPError as e:
                status, text = e.code, e.read().decode(errors="replace")
            except (urllib.error.URLError, OSError) as e:
                return 502, {"url": url, "status": 502, "error": str(e)}
            try:
                answer = json.loads(text)
            except ValueError:
                answer = text.strip()
            return status, {"url": url, "status": status, "answer": answer}

        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            if length:
                self.rfile.read(length)
            status = 200
            reply = {"service": args.name, "instance": instance, "method": self.command, "path": self.path}
            for prefix, url in calls:
                if self.path == prefix or self.path.startswith(prefix + "/") or self.path.startswith(prefix + "?"):
                    status, reply["called"] = self._call(url + self.path[len(prefix):])
                    break
            body = json.dumps(reply).encode() + b"\n"
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.send_header("x-upstream", args.name)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _answer

        def log_message(self, fmt: str, *a) -> None:
            log(f"{args.name} {instance} {self.address_string()} {fmt % a}")

    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    log(f"echo: {args.name} listening on {instance}")
    service_id = register(args, log) if args.consul else None
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if service_id:
            try:
                consul(args.consul, "PUT", f"/v1/agent/service/deregister/{service_id}")
                log(f"echo: deregistered {service_id}")
            except (urllib.error.URLError, OSError):
                pass


if __name__ == "__main__":
    main()
