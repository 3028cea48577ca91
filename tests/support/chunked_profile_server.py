#!/usr/bin/env python3
"""examples/python/profile_server.py answering with chunked bodies
(Transfer-Encoding: chunked, RFC 9112 section 7.1), as many web frameworks do
when they stream a response. The contract fixes the bytes of a body, not how a
response frames them, so archbench check must pass this server. The options are
the example's own."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "examples", "python"))
import profile_server as ps  # noqa: E402


class Chunked(ps.Handler):
    """The example's answers, their Content-Length framing replaced by chunks (the
    errors http.server writes itself, such as 431, keep theirs)."""
    chunking = False

    def send_header(self, key, value):
        if self.chunking and key == "Content-Length":
            key, value = "Transfer-Encoding", "chunked"
        ps.Handler.send_header(self, key, value)

    def send(self, status, body, content_type, extra=()):
        self.chunking = True
        try:
            ps.Handler.send(self, status, b"", content_type, extra)
        finally:
            self.chunking = False
        if self.command == "HEAD":
            return
        # two chunks, the first with an extension, then the last chunk and no trailer
        half = len(body) // 2
        for part, ext in ((body[:half], b";part=1"), (body[half:], b"")):
            if part:
                self.wfile.write(b"%x%s\r\n%s\r\n" % (len(part), ext, part))
        self.wfile.write(b"0\r\n\r\n")


if __name__ == "__main__":
    ps.main(sys.argv[1:], handler=Chunked)
