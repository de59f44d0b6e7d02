#!/usr/bin/env python3
"""Where an ERS rollout left the test fleet, in one line.

    ers_check.py SEED_JSON ORIG_DIR PORTS_FILE [save]

Reads every node's config.toml from the S3 endpoint in AWS_ENDPOINT_URL
and prints "CONFIGS PING": CONFIGS is "orig" when every config is byte for
byte the one saved in ORIG_DIR, "ers" when every config is its original
with the enable-ers-export preset merged (as bvops merges it), else
"mixed:node=state,..."; PING is "up" when every node's /ping answers 200,
else "down:node,...". With "save", it saves the configs as the originals.
"""
import json
import os
import sys
import urllib.request

import boto3


def merged(text):
    # The preset merged into the seeded config: the key after [DKLS19]'s
    # last line, [SEPD19S] added at the end.
    lines = text.split("\n")
    i = lines.index("[DKLS19]")
    j = i + 1
    while j < len(lines) and lines[j] and not lines[j].startswith("["):
        j += 1
    lines.insert(j, "EnableERSExport = true")
    out = "\n".join(lines)
    if not out.endswith("\n"):
        out += "\n"
    return out + "\n[SEPD19S]\nEnableERSExport = true\n"


def main():
    seed, orig_dir, ports = sys.argv[1], sys.argv[2], sys.argv[3]
    nodes = json.load(open(seed))["nodes"]
    s3 = boto3.client("s3", region_name="eu-west-1",
                      endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    states = {}
    for i, n in enumerate(nodes):
        body = s3.get_object(Bucket=n["bucket"],
                             Key=n["enclave"] + "/config.toml")["Body"].read().decode()
        path = os.path.join(orig_dir, "node-%d.toml" % i)
        if len(sys.argv) > 4 and sys.argv[4] == "save":
            open(path, "w").write(body)
        orig = open(path).read()
        states["node-%d" % i] = ("orig" if body == orig else
                                 "ers" if body == merged(orig) else "other")
    vals = set(states.values())
    configs = vals.pop() if len(vals) == 1 else "mixed:" + ",".join(
        "%s=%s" % kv for kv in sorted(states.items()))
    down = []
    for line in open(ports):
        name, port = line.split()
        try:
            code = urllib.request.urlopen(
                "http://127.0.0.1:%s/ping" % port, timeout=2).status
        except Exception:
            code = 0
        if code != 200:
            down.append(name)
    print(configs, "up" if not down else "down:" + ",".join(down))


main()
