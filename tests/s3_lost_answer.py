#!/usr/bin/env python3
"""A proxy in front of moto that loses AWS's answer to a write.

    s3_lost_answer.py --port-file FILE --upstream http://127.0.0.1:PORT
                      (--suffix SUFFIX | --target X-AMZ-TARGET)
                      [--times N] [--log FILE]

Every request goes to the upstream as it came (method, path, headers with
Host, body: a SigV4 signature stays valid) and its answer comes back,
except for the first N writes it is told to lose: S3 PUTs whose path ends
with SUFFIX, or JSON calls whose X-Amz-Target is X-AMZ-TARGET
("TrentService.PutKeyPolicy"). Those are forwarded, applied, and then
answered 500 InternalError as if the answer had been lost on the way. The
log gets one line per request: "METHOD PATH STATUS-SENT", and for a form
(STS) its Action, RoleArn and ExternalId, never a secret. --times 0 loses
nothing: a recording proxy.
"""
import argparse
import http.client
import urllib.parse
from http.server import BaseHTTPRequestHandler

from fixturelib import serve

args = None
lost = [0]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def _forward(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        up = urllib.parse.urlsplit(args.upstream)
        conn = http.client.HTTPConnection(up.hostname, up.port, timeout=30)
        headers = {k: v for k, v in self.headers.items()}
        conn.request(self.command, self.path, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        if args.target:
            hit = (self.command == "POST" and
                   self.headers.get("X-Amz-Target") == args.target)
        else:
            hit = self.command == "PUT" and self.path.endswith(args.suffix)
        lose = hit and lost[0] < args.times
        if lose:
            lost[0] += 1
            data = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error>'
                    b'<Code>InternalError</Code><Message>the answer was '
                    b'lost (injected)</Message></Error>')
            self.send_response(500)
            self.send_header("Content-Type", "application/xml")
        else:
            self.send_response(r.status)
            for k, v in r.getheaders():
                if k.lower() not in ("content-length", "transfer-encoding",
                                     "connection", "date", "server"):
                    self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        conn.close()
        if args.log:
            form = ""
            if "x-www-form-urlencoded" in self.headers.get("Content-Type",
                                                           ""):
                q = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
                form = "".join(" %s=%s" % (k, q[k][0]) for k in
                               ("Action", "RoleArn", "ExternalId") if k in q)
            with open(args.log, "a") as f:
                f.write("%s %s %d%s%s\n" % (self.command, self.path,
                                            500 if lose else r.status,
                                            " (applied, answer lost)"
                                            if lose else "", form))

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _forward


def main():
    global args
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--suffix", default="")
    ap.add_argument("--target", default="")
    ap.add_argument("--times", type=int, default=1)
    ap.add_argument("--log", default="")
    args = ap.parse_args()
    serve(Handler, args.port_file)


if __name__ == "__main__":
    main()
