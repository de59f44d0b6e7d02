#!/usr/bin/env python3
"""Two credential endpoints AWS runs that moto does not, for
tests/awschain.sh:

  creds_fixture.py --port-file FILE [--auth TOKEN] [--sso-token TOKEN]
                   [--log FILE]

- the container credentials endpoint (ECS's 169.254.170.2, EKS Pod
  Identity): GET /creds, answered only with "Authorization: TOKEN" when
  --auth is given, as the agents do: {AccessKeyId, SecretAccessKey, Token,
  Expiration};
- IAM Identity Center's portal: GET /federation/credentials?account_id=
  &role_name= with "x-amz-sso_bearer_token: TOKEN" (else 401), answering
  {"roleCredentials": {accessKeyId, secretAccessKey, sessionToken,
  expiration (ms)}}, as GetRoleCredentials does.
"""
import argparse
import json
import os
import sys
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlparse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from fixturelib import serve  # noqa: E402

ARGS = None


def log(line):
    if ARGS.log:
        with open(ARGS.log, "a") as f:
            f.write(line + "\n")


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def answer(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlparse(self.path)
        log("GET %s" % url.path)
        if url.path == "/creds":
            if ARGS.auth and self.headers.get("Authorization") != ARGS.auth:
                return self.answer(401, {"message": "no such token"})
            exp = datetime.now(timezone.utc) + timedelta(hours=1)
            return self.answer(200, {
                "AccessKeyId": "ASIACONTAINER",
                "SecretAccessKey": "container-secret",
                "Token": "container-token",
                "Expiration": exp.strftime("%Y-%m-%dT%H:%M:%SZ")})
        if url.path == "/federation/credentials":
            q = parse_qs(url.query)
            if self.headers.get("x-amz-sso_bearer_token") != ARGS.sso_token:
                return self.answer(401, {"message": "Session token not found or invalid"})
            log("sso %s %s" % (q.get("account_id", [""])[0], q.get("role_name", [""])[0]))
            return self.answer(200, {"roleCredentials": {
                "accessKeyId": "ASIASSO" + q.get("account_id", [""])[0][-4:],
                "secretAccessKey": "sso-secret",
                "sessionToken": "sso-token",
                "expiration": int((time.time() + 3600) * 1000)}})
        self.answer(404, {"message": "not found"})


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    p.add_argument("--auth")
    p.add_argument("--sso-token", default="")
    p.add_argument("--log")
    ARGS = p.parse_args()
    serve(Handler, ARGS.port_file)


if __name__ == "__main__":
    main()
