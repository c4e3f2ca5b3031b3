#!/usr/bin/env python3
"""httpsrv.py - a scripted loopback HTTP(S) server for the lib/http shell
tests (tests/e2e/05x-*.sh).  Binds 127.0.0.1 port 0 and writes the port to
PORTFILE; logs "METHOD PATH secret=<X-Secret or ->" per request to LOGFILE.

usage: httpsrv.py PORTFILE LOGFILE [CERT KEY]

Paths: /json, /html, /echo (JSON), /trunc (Content-Length 100, 10 bytes),
/flaky (503 + retry-after-ms: 100 once, then 200), /redirect-same
(-> /echo), /redirect-other (-> http://localhost:PORT/echo)."""
import http.server
import ssl
import sys
import threading

portfile, logfile = sys.argv[1], sys.argv[2]
lock = threading.Lock()
counts = {}


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, body=b"", ctype="application/json", extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        path = self.path.split("?")[0]
        with lock:
            counts[path] = counts.get(path, 0) + 1
            seen = counts[path]
            with open(logfile, "a") as f:
                f.write("%s %s host=%s secret=%s\n" % (
                    self.command, path, self.headers.get("Host"),
                    self.headers.get("X-Secret") or "-"))
        port = self.server.server_address[1]
        if path == "/json" or path == "/echo":
            self.reply(200, b'{"ok": true}')
        elif path == "/html":
            self.reply(200, b"<html></html>", "text/html")
        elif path == "/trunc":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.write(b'{"value": [')
            self.wfile.flush()
            self.close_connection = True
        elif path == "/flaky" and seen == 1:
            self.reply(503, b"{}", extra=[("retry-after-ms", "100")])
        elif path == "/flaky":
            self.reply(200, b'{"ok": "at last"}')
        elif path == "/redirect-same":
            self.reply(302, b"", extra=[("Location", "/echo")])
        elif path == "/redirect-other":
            self.reply(302, b"", extra=[
                ("Location", "http://localhost:%d/echo" % port)])
        else:
            self.reply(404, b'{"error": {"code": "NotFound"}}')

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
if len(sys.argv) > 4:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[3], sys.argv[4])
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
