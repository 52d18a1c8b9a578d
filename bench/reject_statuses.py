"""A stand-in GitHub API on 127.0.0.1 for start-up benchmarks: it answers every request 422, so
the runner stops right after asking for `in_progress` (it never starts work without it) and a
benchmarked command ends at the in_progress request. Prints its port, serves until killed."""
import http.server
import sys


class Reject(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b'{"message":"benchmark: rejected on purpose"}'
        self.send_response(422)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Reject)
print(server.server_address[1], flush=True)
sys.stdout.close()
server.serve_forever()
