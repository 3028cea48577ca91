#!/usr/bin/env python3
"""GET /profile in one small program, with Python's standard library only.

The archbench contract (docs/design.md, section 2) as a student would first
write it: a threaded HTTP/1.1 server, one read-only sqlite connection per
thread, the session token checked before any database work, the profile
rendered as compact JSON, every error an RFC 9457 problem.

    python3 examples/python/profile_server.py --data var --port 8090
    bin/archbench check --data var http://127.0.0.1:8090

It is the starting point of the lab (docs/lab.md): change it, split it into
services, or rewrite it in another language, and keep `archbench check` green.
"""
import argparse
import hashlib
import http.server
import json
import re
import signal
import sqlite3
import sys
import threading
import time

# A session token: 32 random bytes in base64url without padding.
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")

# A request body is never needed here; a larger one is refused before reading.
MAX_BODY = 8192

# The monolith's one indexed join: the session and its user in one lookup.
PROFILE_BY_TOKEN = """
    SELECT u.id, u.username, u.display_name, u.email, u.bio, u.created_at, s.expires_at
    FROM sessions AS s JOIN users AS u ON u.id = s.user_id
    WHERE s.token_sha256 = ?"""

UNAUTHORIZED = {
    "missing": "missing bearer token",
    "malformed": "malformed bearer token",
    "unknown": "unknown or revoked session token",
    "expired": "session token has expired",
}


def parse_authorization(values):
    """The token in the request's Authorization headers, or (None, why)."""
    if not values or (len(values) == 1 and not values[0].strip(" \t")):
        return None, "missing"
    if len(values) > 1:  # two credentials: refuse both, whatever they hold
        return None, "malformed"
    scheme, _, rest = values[0].strip(" \t").partition(" ")
    token = rest.strip(" \t")
    if scheme.lower() != "bearer" or not TOKEN.fullmatch(token):
        return None, "malformed"
    return token, None


def render(row):
    """The profile as the contract renders it: compact, in order, UTF-8."""
    keys = ("id", "username", "display_name", "email", "bio", "created_at")
    body = dict(zip(keys, row))
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Database:
    """One read-only sqlite connection per thread."""

    def __init__(self, path):
        self.path = path
        self.local = threading.local()

    def connection(self):
        if not hasattr(self.local, "db"):
            uri = "file:%s?mode=ro" % self.path
            self.local.db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        return self.local.db

    def profile(self, token):
        """(row, None) for a live session's token, else (None, why)."""
        digest = hashlib.sha256(token.encode("ascii")).digest()
        found = self.connection().execute(PROFILE_BY_TOKEN, (digest,)).fetchone()
        if found is None:
            return None, "unknown"
        if found[6] <= time.time():
            return None, "expired"
        return found[:6], None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: every answer has a Content-Length
    # The head and the body go out in two writes; with Nagle's algorithm on, the
    # second waits for the client's delayed ACK of the first: 40 ms a request.
    disable_nagle_algorithm = True
    database = None                # set by main()

    def send(self, status, body, content_type, extra=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-store")
        for name, value in extra:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def problem(self, status, detail, extra=()):
        title = http.server.BaseHTTPRequestHandler.responses[status][0]
        body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
        data = json.dumps(body, separators=(",", ":")).encode("utf-8")
        self.send(status, data, "application/problem+json", extra)

    def unauthorized(self, why):
        challenge = 'Bearer realm="archbench"'
        if why != "missing":
            challenge += ', error="invalid_token"'
        self.problem(401, UNAUTHORIZED[why], [("WWW-Authenticate", challenge)])

    def body_refused(self):
        """Reads and drops a request body; True when it was refused instead."""
        if self.headers.get("Transfer-Encoding") is not None:
            self.close_connection = True
            self.problem(501, "request bodies with a transfer coding are not accepted")
            return True
        length = self.headers.get("Content-Length", "0")
        if not length.isdigit() or int(length) > MAX_BODY:
            self.close_connection = True
            self.problem(413 if length.isdigit() else 400, "bad or oversized request body")
            return True
        self.rfile.read(int(length))
        return False

    def do_GET(self):
        if self.body_refused():
            return
        path = self.path.split("?", 1)[0]
        if path == "/health":
            self.send(200, b'{"status":"ok"}', "application/json")
        elif path == "/profile":
            self.profile()
        else:
            self.problem(404, "no such resource")

    do_HEAD = do_GET

    def profile(self):
        token, why = parse_authorization(self.headers.get_all("Authorization"))
        if token is None:
            return self.unauthorized(why)
        try:
            row, why = self.database.profile(token)
        except sqlite3.Error as e:
            return self.problem(503, "database unavailable: %s" % e)
        if row is None:
            return self.unauthorized(why)
        self.send(200, render(row), "application/json")

    def not_allowed(self):
        if self.body_refused():
            return
        path = self.path.split("?", 1)[0]
        if path in ("/profile", "/health"):
            self.problem(405, "method not allowed on this resource", [("Allow", "GET, HEAD")])
        else:
            self.problem(404, "no such resource")

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = not_allowed

    def log_message(self, fmt, *args):
        pass  # one line per request would cost more than the request


class Server(http.server.ThreadingHTTPServer):
    """A thread per connection, each with its own sqlite connection."""
    daemon_threads = True
    # listen()'s backlog. socketserver's default, 5, drops the SYNs of a burst of
    # new connections (a load generator opening 64 at once), and each dropped one
    # waits a second for its retransmission: a p99 of seconds.
    request_queue_size = 128


def main(argv=None, handler=Handler):
    parser = argparse.ArgumentParser(description="Serves GET /profile and GET /health.")
    parser.add_argument("--data", default="var", help="seeded folder (archbench seed)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090, help="0 picks a free port")
    args = parser.parse_args(argv)
    handler.database = Database(args.data + "/app.db")
    server = Server((args.host, args.port), handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("listening on %s:%d" % server.server_address[:2], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
