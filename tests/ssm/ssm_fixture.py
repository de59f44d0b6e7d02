#!/usr/bin/env python3
"""SSM Run Command for tests, really running the commands on this machine.

    ssm_fixture.py --port-file FILE [--instance ID]... [--log FILE]
                   [--not-yet N] [--throttle N] [--pending-ms MS]
                   [--undeliverable ID]... [--exec-timeout-cap S]

moto's SendCommand runs nothing (every invocation is an instant Success
with no output), so this fixture speaks the same two JSON 1.1 calls as
AWS (POST /, X-Amz-Target AmazonSSM.SendCommand / GetCommandInvocation,
plus CancelCommand) and runs AWS-RunShellScript's "commands" with
/bin/sh, as the SSM agent does:
  - only the given instance ids exist (else InvalidInstanceId);
  - GetCommandInvocation answers InvocationDoesNotExist for the first
    --not-yet calls of each command, as AWS does for a few seconds;
  - the first --throttle SendCommand calls answer ThrottlingException;
  - a command stays Pending for --pending-ms, then InProgress while it
    runs, then Success or Failed (ResponseCode: its exit status), or
    TimedOut (executionTimeout passed: killed), or Cancelled;
  - a command to an --undeliverable instance (its agent offline) stays
    Pending for a second, then ends TimedOut / DeliveryTimedOut, never run;
  - --exec-timeout-cap lowers every executionTimeout to S seconds (the
    agent's own limit then ends a command first: TimedOut);
  - output is cut as AWS cuts it: 24,000 characters of stdout, 8,000 of
    stderr;
  - requests must carry a SigV4 Authorization whose scope names "ssm";
  - with --forward URL, every other SSM call (GetParameter, ...) goes on
    to URL (moto) as it came, headers and signature included;
  - with --pass-commands too, SendCommand and GetCommandInvocation also go
    on to URL (moto runs nothing), after the faults above: moto's own
    answers, with InvocationDoesNotExist and throttling in front of them.
Each call is logged to --log as one line: the action, the command id,
the instance, and "inflight N" (commands running at that moment).
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from fixturelib import serve  # noqa: E402

args = None
lock = threading.Lock()
commands = {}  # id -> dict
throttled = [0]
asked = {}  # --pass-commands: command id -> GetCommandInvocation calls


def log(line):
    if args.log:
        with open(args.log, "a") as f:
            f.write(line + "\n")


def inflight():
    return sum(1 for c in commands.values() if c["proc"] is not None and c["status"] in ("InProgress", "Pending"))


def run(cmd):
    """Wait for the command (the agent's side), then record its end."""
    if cmd["instance"] in args.undeliverable:
        time.sleep(1)
        with lock:
            if cmd["status"] == "Pending":
                cmd["status"], cmd["details"] = "TimedOut", "DeliveryTimedOut"
                log("end %s %s %s" % (cmd["id"], cmd["status"], cmd["details"]))
        return
    time.sleep(args.pending_ms / 1000.0)
    with lock:
        if cmd["status"] == "Cancelled":
            return
        cmd["status"] = "InProgress"
        proc = subprocess.Popen(["/bin/sh", "-c", cmd["script"]], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True)
        cmd["proc"] = proc
        log("start %s %s inflight %d" % (cmd["id"], cmd["instance"], inflight()))
    try:
        out, err = proc.communicate(timeout=cmd["timeout"])
        timed_out = False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        timed_out = True
    with lock:
        cmd["out"] = out.decode("utf-8", "replace")[:24000]
        cmd["err"] = err.decode("utf-8", "replace")[:8000]
        if cmd["status"] == "Cancelled":
            pass
        elif timed_out:
            cmd["status"], cmd["details"], cmd["rc"] = "TimedOut", "ExecutionTimedOut", -1
        else:
            cmd["rc"] = proc.returncode if proc.returncode >= 0 else -1
            cmd["status"] = "Success" if proc.returncode == 0 else "Failed"
            cmd["details"] = cmd["status"]
        cmd["proc"] = None
        log("end %s %s %s" % (cmd["id"], cmd["status"], cmd["rc"]))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, code, obj):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, code, kind, message):
        self.answer(code, {"__type": kind, "message": message})

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("AWS4-HMAC-SHA256 ") or "/ssm/aws4_request" not in auth:
            return self.error(403, "MissingAuthenticationTokenException", "not signed for ssm")
        if "x-amz-target" not in auth.lower():
            return self.error(403, "InvalidSignatureException", "X-Amz-Target is not signed")
        target = self.headers.get("X-Amz-Target", "")
        try:
            req = json.loads(body or b"{}")
        except ValueError:
            return self.error(400, "SerializationException", "bad JSON")
        action = target.split(".")[-1]
        if args.pass_commands and action in ("SendCommand", "GetCommandInvocation"):
            with lock:
                if action == "SendCommand" and throttled[0] < args.throttle:
                    throttled[0] += 1
                    log("throttle SendCommand")
                    return self.error(400, "ThrottlingException", "Rate exceeded")
                if action == "GetCommandInvocation":
                    cid = req.get("CommandId", "")
                    asked[cid] = asked.get(cid, 0) + 1
                    if asked[cid] <= args.not_yet:
                        log("notyet %s" % cid)
                        return self.error(400, "InvocationDoesNotExist", "")
                log("pass %s" % action)
            return self.forward(body)
        if action == "SendCommand":
            return self.send_command(req)
        if action == "GetCommandInvocation":
            return self.get_invocation(req)
        if action == "CancelCommand":
            return self.cancel(req)
        if args.forward:
            return self.forward(body)
        return self.error(400, "UnknownOperationException", target)

    def forward(self, body):
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("content-length", "connection")}
        rq = urllib.request.Request(args.forward.rstrip("/") + "/", data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(rq, timeout=30) as r:
                code, data, ctype = r.status, r.read(), r.headers.get("Content-Type", "")
        except urllib.error.HTTPError as e:
            code, data, ctype = e.code, e.read(), e.headers.get("Content-Type", "")
        self.send_response(code)
        self.send_header("Content-Type", ctype or "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def send_command(self, req):
        ids = req.get("InstanceIds") or []
        with lock:
            if throttled[0] < args.throttle:
                throttled[0] += 1
                log("throttle SendCommand")
                return self.error(400, "ThrottlingException", "Rate exceeded")
        if req.get("DocumentName") != "AWS-RunShellScript" or len(ids) != 1:
            return self.error(400, "InvalidParameters", "one instance, AWS-RunShellScript")
        if ids[0] not in args.instance:
            return self.error(400, "InvalidInstanceId", "Instances [[%s]] not in a valid state" % ids[0])
        params = req.get("Parameters") or {}
        script = "\n".join(params.get("commands") or [])
        timeout = int((params.get("executionTimeout") or ["3600"])[0])
        if args.exec_timeout_cap:
            timeout = min(timeout, args.exec_timeout_cap)
        cid = str(uuid.uuid4())
        cmd = {"id": cid, "instance": ids[0], "script": script, "timeout": timeout,
               "status": "Pending", "details": "Pending", "rc": -1, "out": "", "err": "",
               "proc": None, "asked": 0}
        with lock:
            commands[cid] = cmd
            log("send %s %s" % (cid, ids[0]))
        threading.Thread(target=run, args=(cmd,), daemon=True).start()
        self.answer(200, {"Command": {"CommandId": cid, "DocumentName": "AWS-RunShellScript",
                                      "InstanceIds": ids, "Status": "Pending",
                                      "Comment": req.get("Comment", "")}})

    def get_invocation(self, req):
        with lock:
            cmd = commands.get(req.get("CommandId"))
            if cmd is None or cmd["instance"] != req.get("InstanceId"):
                return self.error(400, "InvocationDoesNotExist", "no such invocation")
            cmd["asked"] += 1
            if cmd["asked"] <= args.not_yet:
                log("notyet %s" % cmd["id"])
                return self.error(400, "InvocationDoesNotExist", "")
            ans = {"CommandId": cmd["id"], "InstanceId": cmd["instance"],
                   "DocumentName": "AWS-RunShellScript", "Status": cmd["status"],
                   "StatusDetails": cmd["details"], "ResponseCode": cmd["rc"],
                   "StandardOutputContent": cmd["out"], "StandardErrorContent": cmd["err"]}
            log("get %s %s" % (cmd["id"], cmd["status"]))
        self.answer(200, ans)

    def cancel(self, req):
        with lock:
            cmd = commands.get(req.get("CommandId"))
            if cmd is None:
                return self.error(400, "InvalidCommandId", "no such command")
            if cmd["status"] in ("Pending", "InProgress"):
                cmd["status"], cmd["details"] = "Cancelled", "Cancelled"
                if cmd["proc"] is not None:
                    os.killpg(cmd["proc"].pid, signal.SIGKILL)
            log("cancel %s" % cmd["id"])
        self.answer(200, {})


def main():
    global args
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    p.add_argument("--instance", action="append", default=[])
    p.add_argument("--log")
    p.add_argument("--not-yet", type=int, default=0)
    p.add_argument("--throttle", type=int, default=0)
    p.add_argument("--pending-ms", type=int, default=0)
    p.add_argument("--forward")
    p.add_argument("--pass-commands", action="store_true")
    p.add_argument("--undeliverable", action="append", default=[])
    p.add_argument("--exec-timeout-cap", type=int, default=0)
    args = p.parse_args()
    serve(Handler, args.port_file)


if __name__ == "__main__":
    main()
