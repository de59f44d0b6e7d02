#!/usr/bin/env python3
"""A small, faithful EC2 instance metadata service (IMDSv2 only) for tests.

    imds_fixture.py --port-file FILE [--role NAME] [--region R]
                    [--tag KEY=VALUE]... [--expire-seconds N] [--log FILE]

Listens on 127.0.0.1 (a free port, written to --port-file). As on EC2:
  PUT /latest/api/token with X-aws-ec2-metadata-token-ttl-seconds (1-21600)
      gives a token; without the header: 400. A token expires after its TTL.
  Every GET needs X-aws-ec2-metadata-token (IMDSv1 is off): else 401.
  /latest/meta-data/instance-id, placement/region,
  /latest/dynamic/instance-identity/document (JSON),
  /latest/meta-data/tags/instance (key list) and tags/instance/<Key>,
  /latest/meta-data/iam/security-credentials/ (the role name) and
  .../<role> (JSON: Code, LastUpdated, Type, AccessKeyId,
  SecretAccessKey, Token, Expiration). Each credentials request hands out
  a new key (ASIA...1, ...2): a client that refreshes can be seen doing so.
Each request is logged (method, path) to --log, never a secret.
"""
import argparse
import json
import secrets
import time
from datetime import datetime, timedelta, timezone
import os
import sys
from http.server import BaseHTTPRequestHandler

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from fixturelib import serve  # noqa: E402

args = None
tokens = {}  # token -> expiry (monotonic)
issued = [0]


def log(line):
    if args.log:
        with open(args.log, "a") as f:
            f.write(line + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, code, body, ctype="text/plain", headers=None):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self):
        log("PUT " + self.path)
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.path != "/latest/api/token":
            return self.send(404, "Not Found")
        ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")
        if ttl is None or not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
            return self.send(400, "Bad Request")
        token = secrets.token_urlsafe(32)
        tokens[token] = time.monotonic() + int(ttl)
        self.send(200, token, headers={
            "X-aws-ec2-metadata-token-ttl-seconds": ttl})

    def do_GET(self):
        log("GET " + self.path)
        token = self.headers.get("X-aws-ec2-metadata-token")
        if token is None or tokens.get(token, 0) < time.monotonic():
            return self.send(401, "Unauthorized")
        p = self.path
        md = "/latest/meta-data/"
        tags = dict(t.split("=", 1) for t in args.tag)
        if p == md + "instance-id":
            return self.send(200, args.instance_id)
        if p == md + "placement/region":
            return self.send(200, args.region)
        if p == "/latest/dynamic/instance-identity/document":
            return self.send(200, json.dumps({
                "instanceId": args.instance_id, "region": args.region,
                "availabilityZone": args.region + "a",
                "accountId": "123456789012"}), "application/json")
        if p == md + "tags/instance" or p == md + "tags/instance/":
            return self.send(200, "\n".join(tags))
        if p.startswith(md + "tags/instance/"):
            key = p[len(md + "tags/instance/"):]
            if key in tags:
                return self.send(200, tags[key])
            return self.send(404, "Not Found")
        creds = md + "iam/security-credentials/"
        if p in (creds, creds[:-1]) and args.role:
            return self.send(200, args.role)
        if args.role and p == creds + args.role:
            issued[0] += 1
            now = datetime.now(timezone.utc)
            exp = now + timedelta(seconds=args.expire_seconds)
            fmt = "%Y-%m-%dT%H:%M:%SZ"
            log("CREDENTIALS %d" % issued[0])
            return self.send(200, json.dumps({
                "Code": "Success", "LastUpdated": now.strftime(fmt),
                "Type": "AWS-HMAC",
                "AccessKeyId": "ASIAFIXTURE%09d" % issued[0],
                "SecretAccessKey": "fixture-secret-%d" % issued[0],
                "Token": "fixture-session-token-%d" % issued[0],
                "Expiration": exp.strftime(fmt)}), "text/plain")
        return self.send(404, "Not Found")


def main():
    global args
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--role", default="")
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--instance-id", default="i-0123456789abcdef0")
    ap.add_argument("--tag", action="append", default=[])
    ap.add_argument("--expire-seconds", type=int, default=3600)
    ap.add_argument("--log", default="")
    args = ap.parse_args()
    serve(Handler, args.port_file)


if __name__ == "__main__":
    main()
