#!/usr/bin/env python3
"""A webhook receiver for alert tests.

    webhook_fixture.py --port-file FILE --log FILE [--fail N]

Each POST's body is appended to --log as one line (with its Content-Type
checked: application/json, else 415). The first N requests get a 500, as
a receiver that is briefly down would; later ones 204.
"""
import argparse
from http.server import BaseHTTPRequestHandler

from fixturelib import serve

args = None
count = [0]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        count[0] += 1
        if self.headers.get("Content-Type") != "application/json":
            code = 415
        elif count[0] <= args.fail:
            code = 500
        else:
            code = 204
            with open(args.log, "ab") as f:
                f.write(body + b"\n")
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()


def main():
    global args
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--fail", type=int, default=0)
    args = ap.parse_args()
    serve(Handler, args.port_file)


if __name__ == "__main__":
    main()
