#!/usr/bin/env python3
"""cisrv.py - a loopback stand-in for the two pull-request comment APIs the
CI examples call (tests/e2e/280-gitops-examples.sh): GitHub's issue
comments and Azure DevOps' pull-request threads.  Binds 127.0.0.1 port 0,
writes the port to PORTFILE and appends "METHOD PATH" per request to
LOGFILE.  GET /_dump returns everything stored; POST /_seed/github/N/K adds K
unrelated comments to pull request N.

usage: cisrv.py PORTFILE LOGFILE TOKEN

GitHub:  GET|POST /repos/O/R/issues/N/comments (per_page, page),
         PATCH /repos/O/R/issues/comments/ID
Azure:   GET|POST /ORG/PROJ/_apis/git/repositories/REPO/pullRequests/N/threads,
         PATCH .../threads/T/comments/C   (api-version required)
Requests without "Authorization: Bearer TOKEN" get 401."""
import http.server
import json
import re
import sys
import threading
import urllib.parse

portfile, logfile, token = sys.argv[1], sys.argv[2], sys.argv[3]
lock = threading.Lock()
gh = {}        # issue number -> [comment]
ado = {}       # pr id -> [thread]
next_id = [100]

GH_LIST = re.compile(r"^/repos/[^/]+/[^/]+/issues/(\d+)/comments$")
GH_EDIT = re.compile(r"^/repos/[^/]+/[^/]+/issues/comments/(\d+)$")
ADO_THREADS = re.compile(
    r"^/[^/]+/[^/]+/_apis/git/repositories/[^/]+/pullRequests/(\d+)/threads$")
ADO_EDIT = re.compile(
    r"^/[^/]+/[^/]+/_apis/git/repositories/[^/]+/pullRequests/(\d+)"
    r"/threads/(\d+)/comments/(\d+)$")


def new_id():
    next_id[0] += 1
    return next_id[0]


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(n) or b"null")

    def handle_any(self, method):
        url = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(url.query)
        with open(logfile, "a") as f:
            f.write(f"{method} {url.path}\n")
        if url.path == "/_dump":
            with lock:
                return self.reply(200, {"github": gh, "azure": ado})
        m = re.match(r"^/_seed/github/(\d+)/(\d+)$", url.path)
        if m and method == "POST":
            # Someone else's comments, so the marker is found by paging.
            with lock:
                for i in range(int(m[2])):
                    gh.setdefault(m[1], []).append(
                        {"id": new_id(), "body": f"LGTM {i}"})
            return self.reply(200, {})
        if self.headers.get("Authorization") != "Bearer " + token:
            return self.reply(401, {"message": "Bad credentials"})
        with lock:
            m = GH_LIST.match(url.path)
            if m and method == "GET":
                per = int(q.get("per_page", ["30"])[0])
                page = int(q.get("page", ["1"])[0])
                lst = gh.get(m[1], [])
                return self.reply(200, lst[(page - 1) * per:page * per])
            if m and method == "POST":
                c = {"id": new_id(), "body": self.body()["body"]}
                gh.setdefault(m[1], []).append(c)
                return self.reply(201, c)
            m = GH_EDIT.match(url.path)
            if m and method == "PATCH":
                for lst in gh.values():
                    for c in lst:
                        if c["id"] == int(m[1]):
                            c["body"] = self.body()["body"]
                            return self.reply(200, c)
                return self.reply(404, {"message": "Not Found"})
            if "api-version" not in q:
                return self.reply(400, {"message": "api-version missing"})
            m = ADO_THREADS.match(url.path)
            if m and method == "GET":
                lst = ado.get(m[1], [])
                return self.reply(200, {"value": lst, "count": len(lst)})
            if m and method == "POST":
                b = self.body()
                t = {"id": new_id(), "status": b.get("status"),
                     "comments": [{"id": 1, "content": c["content"],
                                   "commentType": c.get("commentType")}
                                  for c in b["comments"]]}
                ado.setdefault(m[1], []).append(t)
                return self.reply(200, t)
            m = ADO_EDIT.match(url.path)
            if m and method == "PATCH":
                for t in ado.get(m[1], []):
                    if t["id"] == int(m[2]):
                        for c in t["comments"]:
                            if c["id"] == int(m[3]):
                                c["content"] = self.body()["content"]
                                return self.reply(200, c)
                return self.reply(404, {"message": "Not Found"})
        return self.reply(404, {"message": "no such route " + url.path})

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PATCH(self):
        self.handle_any("PATCH")


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os  # noqa: E402
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
