#!/usr/bin/env python3
"""examples/python/profile_server.py with one defect, for the tests of archbench
check: `--break CASE` gives the example the bug that case exists to catch (each
one a mistake a student could make), so every rule check holds is shown to fail
a server that breaks it. The other options are the example's own."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "examples", "python"))
import profile_server as ps  # noqa: E402

USER_BY_ID = ("SELECT id, username, display_name, email, bio, created_at "
              "FROM users WHERE id = ?")


class Broken(ps.Handler):
    """The example's handler; each defect below overrides one piece of it."""

    def user(self, user_id):
        row = self.database.connection().execute(USER_BY_ID, (user_id,)).fetchone()
        return row


def render_with(**dumps):
    keys = ("id", "username", "display_name", "email", "bio", "created_at")
    return lambda row: json.dumps(dict(zip(keys, row)), **dumps).encode("utf-8")


def health(H):
    def do_GET(self):
        if self.path == "/health":
            return self.send(200, b'{"status":"up"}', "application/json")
        ps.Handler.do_GET(self)
    H.do_GET = do_GET


def unauthorized_as(why_broken, status):
    def patch(H):
        def unauthorized(self, why):
            if why == why_broken:
                return self.problem(status, "refused")
            ps.Handler.unauthorized(self, why)
        H.unauthorized = unauthorized
    return patch


def expired(H):
    def profile(self, token):  # the session's expiry is never looked at
        digest = ps.hashlib.sha256(token.encode()).digest()
        found = self.connection().execute(ps.PROFILE_BY_TOKEN, (digest,)).fetchone()
        return (found[:6], None) if found else (None, "unknown")
    ps.Database.profile = profile


def revoked(H):
    """Sessions cached from tokens.tsv when the server started, never dropped."""
    cached = {}
    with open(os.path.join(DATA, "tokens.tsv")) as f:
        for line in f:
            fields = line.split()
            if len(fields) == 3 and fields[2] == "revoked":
                cached[fields[1]] = int(fields[0])

    def profile(self):
        token, _ = ps.parse_authorization(self.headers.get_all("Authorization"))
        if token in cached:
            return self.send(200, ps.render(self.user(cached[token])), "application/json")
        ps.Handler.profile(self)
    H.profile = profile


def first_header(values):
    return ps_parse(values[:1] if values else values)


def non_empty_headers(values):
    return ps_parse([v for v in values if v.strip()] if values else values)


def any_scheme(values):
    token, why = ps_parse(values)
    if why == "malformed" and values and len(values) == 1:
        return values[0].split()[-1], None
    return token, why


def case_sensitive_scheme(values):
    if values and len(values) == 1 and not values[0].startswith("Bearer "):
        return None, "malformed"
    return ps_parse(values)


def user_from(pick):
    """A profile chosen by something other than the token: the query, the path or
    X-User-Id (trusted as if a gateway had set it)."""
    def patch(H):
        def do_GET(self):
            user_id = pick(self)
            if user_id is not None and user_id.isdigit():
                return self.send(200, ps.render(self.user(int(user_id))), "application/json")
            ps.Handler.do_GET(self)
        H.do_GET = do_GET
    return patch


def query_id(self):
    query = self.path.partition("?")[2]
    params = dict(p.partition("=")[::2] for p in query.split("&") if p)
    return params.get("id")


def path_id(self):
    head, _, tail = self.path.rpartition("/")
    return tail if head == "/profile" else None


def not_found(H):
    def problem(self, status, detail, extra=()):
        if status == 404:
            return self.send_error(404)  # http.server's HTML page
        ps.Handler.problem(self, status, detail, extra)
    H.problem = problem


def no_allow(H):
    def not_allowed(self):
        self.problem(405, "method not allowed")
    H.do_POST = H.do_PUT = H.do_DELETE = not_allowed


def no_keep_alive(H):
    H.protocol_version = "HTTP/1.0"


def no_header_limit(H):
    ps.http.client._MAXLINE = 4 << 20  # "raised the limit": 1 MiB of headers goes through


def internal_errors(H):
    """No token format check, and any exception answered 500."""
    ps.parse_authorization = lambda values: (values[0].partition(" ")[2], None) \
        if values and len(values) == 1 and values[0].strip() else ps_parse(values)

    def profile(self):
        try:
            ps.Handler.profile(self)
        except Exception as e:
            self.problem(500, "internal error: %s" % e)
    H.profile = profile


def set_render(**dumps):
    def patch(H):
        ps.render = render_with(**dumps)
    return patch


def set_parse(fn):
    def patch(H):
        ps.parse_authorization = fn
    return patch


def drop_header(name):
    def patch(H):
        def send_header(self, key, value):
            if key != name:
                ps.Handler.send_header(self, key, value)
        H.send_header = send_header
    return patch


def text_plain(H):
    def send(self, status, body, content_type, extra=()):
        if content_type == "application/json":
            content_type = "text/plain; charset=utf-8"
        ps.Handler.send(self, status, body, content_type, extra)
    H.send = send


BREAKS = {
    "health": health,
    "profile-body-ascii": set_render(ensure_ascii=False, separators=(",", ":"), sort_keys=True),
    "profile-body-non-ascii": set_render(separators=(",", ":")),
    "content-type": text_plain,
    "cache-control": drop_header("Cache-Control"),
    "401-missing": unauthorized_as("missing", 400),
    "401-malformed": unauthorized_as("malformed", 400),
    "401-unknown": unauthorized_as("unknown", 404),
    "401-expired": expired,
    "401-revoked": revoked,
    "401-two-headers": set_parse(first_header),
    "401-empty-then-valid": set_parse(non_empty_headers),
    "401-wrong-scheme": set_parse(any_scheme),
    "scheme-case-insensitive": set_parse(case_sensitive_scheme),
    "no-user-in-query": user_from(query_id),
    "no-user-in-path": user_from(path_id),
    "no-user-in-header": user_from(lambda self: self.headers.get("X-User-Id")),
    "404": not_found,
    "405": no_allow,
    "keep-alive": no_keep_alive,
    "oversized-headers": no_header_limit,
    "no-5xx": internal_errors,
}

ps_parse = ps.parse_authorization
DATA = "var"

if __name__ == "__main__":
    args = sys.argv[1:]
    if len(args) < 2 or args[0] != "--break" or args[1] not in BREAKS:
        sys.exit("usage: broken_profile_server.py --break CASE [profile_server options]\n"
                 "CASE: " + ", ".join(BREAKS))
    if "--data" in args:
        DATA = args[args.index("--data") + 1]
    BREAKS[args[1]](Broken)
    ps.main(args[2:], handler=Broken)
