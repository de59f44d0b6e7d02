#!/usr/bin/env python3
"""A fault-injecting stand-in for an AWS JSON endpoint, for retry tests.

    aws_fault.py --port-file FILE --fail N --mode 503|throttle|400|badxml [--log FILE]

The first N requests get the fault (503 Service Unavailable, a 400
ThrottlingException, or a plain 400 ValidationException); later ones get a
GetParameter answer with the value "after-faults". Each request is logged
with its time and User-Agent, so a test can see the attempts and the
back-off between them. Mode badxml answers every request 200 with a cut-off XML document,
as a query-protocol service would if the connection broke mid-answer.
"""
import argparse
import json
import time
from http.server import BaseHTTPRequestHandler

from fixturelib import serve

args = None
count = [0]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        count[0] += 1
        if args.log:
            with open(args.log, "a") as f:
                f.write("%d %.3f %s\n" % (count[0], time.monotonic(),
                                         self.headers.get("User-Agent", "-")))
        if args.mode == "badxml":
            data = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
                    b'<DescribeInstancesResponse><reservationSet><item>')
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        if count[0] <= args.fail:
            if args.mode == "503":
                code, body = 503, {"__type": "InternalServerError",
                                   "message": "injected 503"}
            elif args.mode == "throttle":
                code, body = 400, {"__type": "ThrottlingException",
                                   "message": "Rate exceeded"}
            else:
                code, body = 400, {"__type": "ValidationException",
                                   "message": "injected bad request"}
        else:
            code, body = 200, {"Parameter": {"Name": "x", "Type": "String",
                                             "Value": "after-faults"}}
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main():
    global args
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--fail", type=int, default=2)
    ap.add_argument("--mode", default="503")
    ap.add_argument("--log", default="")
    args = ap.parse_args()
    serve(Handler, args.port_file)


if __name__ == "__main__":
    main()
