#!/usr/bin/env python3
"""A minimal fake of GitHub's deployment-status endpoint for benchmarks, on loopback only.

Every GET (the runner's skip-superseded list of the environment's newest deployment) is
answered with an empty list, so that check passes and costs one real round trip.

Every POST is answered at once with the status code given on the command line (default 403,
which the runner treats as final: it stops right after the in_progress request, so a
benchmark times "process start -> in_progress answered -> exit"). Prints its port, then serves
until killed. Requests are counted in the file given as the second argument.
"""
import http.server
import sys

status = int(sys.argv[1]) if len(sys.argv) > 1 else 403
counter = sys.argv[2] if len(sys.argv) > 2 else None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes; with Nagle's algorithm on, the second waits for the
    # client's delayed ACK (about 40 ms) on a kept-alive connection, which would be billed to
    # the runner's second request.
    disable_nagle_algorithm = True

    def do_GET(self):
        # The environment-lock check reads the lock branch: 404 is "not locked". Every other
        # read (the skip-superseded list) is an empty list.
        locked_check = "/git/ref/" in self.path
        body = b'{"message":"Not Found"}' if locked_check else b"[]"
        self.send_response(404 if locked_check else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        if counter:
            with open(counter, "a") as f:
                f.write("GET " + self.path + "\n")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = b'{"message":"benchmark fake"}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        if counter:
            with open(counter, "a") as f:
                f.write(self.path + "\n")

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
