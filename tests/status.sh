#!/usr/bin/env bash
# bvops status against the node simulator and against a plain HTTP server:
# up, 503, refused, timeout, slow, hang, stopped, and 50 nodes at once.
# usage: tests/status.sh BVOPS
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
. tests/simlib.sh
BVOPS=$1
TMP=$(mktemp -d)
PY_PID=""
cleanup() {
	sim_stop
	[ -n "$PY_PID" ] && kill "$PY_PID" 2>/dev/null && wait "$PY_PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

# wait_tcp PORT: up to 5 s for something to listen on 127.0.0.1:PORT.
wait_tcp() {
	local i
	for i in $(seq 100); do
		python3 -c "import socket; socket.create_connection(('127.0.0.1',$1),0.2)" 2>/dev/null && return 0
		tick
	done
	fail "nothing listens on port $1"
}


SIM_FLEET_HEALTH='interval = "2s"\ntimeout = "1s"'
# Restarted nodes take 3 s to come up, so a check sees them starting.
sim_start 3 --start-delay 3000 || exit 1
F="$SIM_DIR/fleet.toml"

test_begin all_up
run "$BVOPS" status -f "$F" --json
check_eq "exit" "$RC" 0
check_eq "fleet" "$(json_field "$OUT" 'd["fleet"]')" "sim"
check_eq "statuses" "$(json_field "$OUT" '[n["status"] for n in d["nodes"]]')" "['up', 'up', 'up']"
check_eq "codes" "$(json_field "$OUT" '[n["http_code"] for n in d["nodes"]]')" "[200, 200, 200]"
check_eq "errors" "$(json_field "$OUT" '[n["error"] for n in d["nodes"]]')" "[None, None, None]"
check_eq "latency is a number" "$(json_field "$OUT" 'all(isinstance(n["latency_ms"], float) or isinstance(n["latency_ms"], int) for n in d["nodes"])')" "True"
check_eq "keys" "$(json_field "$OUT" 'sorted(d["nodes"][0].keys())')" "['aws', 'debug', 'debug_mode', 'debug_since', 'error', 'hold', 'http_code', 'index', 'latency_ms', 'name', 'nitro_status', 'role', 'status']"
check_eq "no node needs AWS: aws is null" "$(json_field "$OUT" '[n["aws"] for n in d["nodes"]]')" "[None, None, None]"
check_eq "no [nitro]: nitro_status is null" "$(json_field "$OUT" '[n["nitro_status"] for n in d["nodes"]]')" "[None, None, None]"
check_contains "checked_at" "$(json_field "$OUT" 'd["checked_at"]')" "Z"
run "$BVOPS" -f "$F" status
check_eq "table exit" "$RC" 0
check_contains "table header" "$OUT" "NODE"
check_contains "table row" "$OUT" "node-1     1  static   up       200"
check_not_contains "no colour off a terminal" "$OUT" $'\033['
test_end

test_begin faults_503_refused_stopped
sim_ctl node-1 fault 503
sim_ctl node-2 stop
run "$BVOPS" status -f "$F" --json
check_eq "exit" "$RC" 1
check_eq "statuses" "$(json_field "$OUT" '[n["status"] for n in d["nodes"]]')" "['up', 'down', 'down']"
check_eq "503" "$(json_field "$OUT" 'd["nodes"][1]["http_code"]')" "503"
check_eq "refused code" "$(json_field "$OUT" 'd["nodes"][2]["http_code"]')" "None"
check_eq "refused latency" "$(json_field "$OUT" 'd["nodes"][2]["latency_ms"]')" "None"
check_eq "refused error" "$(json_field "$OUT" 'd["nodes"][2]["error"]')" "connection refused"
sim_ctl node-1 fault none
sim_ctl node-2 start
test_end

test_begin hang_times_out_slow_is_up
sim_ctl node-0 fault hang
sim_ctl node-1 fault slow 300
run "$BVOPS" status -f "$F" --json
check_eq "exit" "$RC" 1
check_eq "hang" "$(json_field "$OUT" 'd["nodes"][0]["error"]')" "timeout after 1000 ms"
check_eq "slow status" "$(json_field "$OUT" 'd["nodes"][1]["status"]')" "up"
check_eq "slow latency" "$(json_field "$OUT" 'd["nodes"][1]["latency_ms"] >= 300')" "True"
sim_ctl node-0 fault none
sim_ctl node-1 fault none
test_end

test_begin maintenance_and_debug_mode_shown
# What bvops recorded of a node shows in status, in text and JSON.
export XDG_STATE_HOME="$TMP/state"
run "$BVOPS" -f "$F" maintenance node-1 --reason "kernel update" --for 1h --yes
check_eq "maintenance on" "$RC" 0
run "$BVOPS" -f "$F" status
check_contains "the note column" "$(printf '%s\n' "$OUT" | head -1)" "ERROR / NOTE"
check_contains "the hold, in words" "$(printf '%s\n' "$OUT" | grep '^node-1')" "maintenance: kernel update"
check_not_contains "only on its node" "$(printf '%s\n' "$OUT" | grep '^node-0')" "maintenance"
run "$BVOPS" -f "$F" status --json
check_eq "JSON: its kind and reason" "$(json_field "$OUT" '[(n["hold"] or {}).get("kind") for n in d["nodes"]]')" "[None, 'maintenance', None]"
check_eq "JSON: its reason and end" "$(json_field "$OUT" 'd["nodes"][1]["hold"]["reason"] + " " + d["nodes"][1]["hold"]["until"][:2]')" "kernel update 20"
run "$BVOPS" -f "$F" maintenance node-1 --end --yes
unset XDG_STATE_HOME
test_end

test_begin bad_fleet_is_exit_2
printf '[fleet]\nname = "x"\n[[node]]\nname = "a"\nindex = 0\n' >"$TMP/bad.toml"
run "$BVOPS" status --json -f "$TMP/bad.toml"
check_eq "exit" "$RC" 2
check_contains "place" "$ERR" "$TMP/bad.toml:3:1: node \"a\": missing ping_url"
check_eq "no JSON on a bad fleet" "$OUT" ""
test_end

test_begin starting_node_answers_503
sim_ctl node-0 restart
run "$BVOPS" status -f "$F" --json
check_eq "starting" "$(json_field "$OUT" 'd["nodes"][0]["http_code"]')" "503"
test_end
sim_stop

test_begin fifty_hanging_nodes_take_one_timeout
SIM_FLEET_HEALTH='interval = "2s"\ntimeout = "1s"'
sim_start 50 || exit 1
for i in $(seq 0 49); do sim_ctl "node-$i" fault hang; done
t0=$(date +%s%N)
run "$BVOPS" status -f "$SIM_DIR/fleet.toml" --json
t1=$(date +%s%N)
check_eq "exit" "$RC" 1
check_eq "all timed out" "$(json_field "$OUT" 'sorted(set(n["error"] for n in d["nodes"]))')" "['timeout after 1000 ms']"
# In parallel: about 1 s. One after another would be 50 s.
ms=$(((t1 - t0) / 1000000))
[ "$ms" -lt 10000 ] || fail "one round took ${ms} ms: not in parallel"
test_end
sim_stop

test_begin plain_http_server_not_the_simulator
mkdir -p "$TMP/www"
printf 'OK\n' >"$TMP/www/ping"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$TMP/www" \
	>/dev/null 2>&1 &
PY_PID=$!
wait_tcp "$port"
cat >"$TMP/fleet.toml" <<TOML
[fleet]
name = "plain"
[health]
timeout = "1s"
[[node]]
name = "ok"
index = 0
ping_url = "http://127.0.0.1:$port/ping"
[[node]]
name = "missing"
index = 1
ping_url = "http://127.0.0.1:$port/nope"
[[node]]
name = "redirect"
index = 2
ping_url = "http://127.0.0.1:$port/www"
TOML
mkdir -p "$TMP/www/www"
run "$BVOPS" status -f "$TMP/fleet.toml" --json
check_eq "exit" "$RC" 1
check_eq "codes" "$(json_field "$OUT" '[n["http_code"] for n in d["nodes"]]')" "[200, 404, 301]"
check_eq "statuses" "$(json_field "$OUT" '[n["status"] for n in d["nodes"]]')" "['up', 'down', 'down']"
test_end

test_begin https_is_verified
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/key.pem" \
	-out "$TMP/cert.pem" -days 1 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
	>/dev/null 2>&1
tport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 - "$tport" "$TMP" >/dev/null 2>&1 <<'PY' &
import http.server, ssl, sys
port, d = int(sys.argv[1]), sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *a): pass
srv = http.server.HTTPServer(("127.0.0.1", port), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(d + "/cert.pem", d + "/key.pem")
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
PY
TLS_PID=$!
wait_tcp "$tport"
cat >"$TMP/tls.toml" <<TOML
[fleet]
name = "tls"
[[node]]
name = "selfsigned"
index = 0
ping_url = "https://127.0.0.1:$tport/ping"
TOML
run "$BVOPS" status -f "$TMP/tls.toml" --json
check_eq "exit" "$RC" 1
check_contains "untrusted certificate refused" "$(json_field "$OUT" 'd["nodes"][0]["error"]')" "TLS: "
run env CURL_CA_BUNDLE="$TMP/cert.pem" "$BVOPS" status -f "$TMP/tls.toml" --json
check_eq "trusted with the CA" "$(json_field "$OUT" 'd["nodes"][0]["status"]')" "up"
kill "$TLS_PID" 2>/dev/null
wait "$TLS_PID" 2>/dev/null
test_end

# A /ping that answers 200 with a body without end (something else on
# the port, or a hostile one) is read up to 64 KiB: the check ends with
# its status code at once instead of reading until the timeout; the
# server counts what it could send before bvops let go.
test_begin an_endless_ping_body_is_read_up_to_a_cap
eport=$(free_port)
python3 - "$eport" "$TMP/sent" <<'PY' &
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(4)
for _ in range(2):
    c, _ = s.accept()
    c.recv(4096)
    sent = 0
    try:
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n")
        chunk = b"x" * 65536
        while sent < (1 << 30):
            c.sendall(chunk)
            sent += len(chunk)
    except OSError:
        pass
    open(sys.argv[2], "a").write("%d\n" % sent)
    c.close()
PY
EPY_PID=$!
wait_tcp "$eport"
cat >"$TMP/endless.toml" <<TOML
[fleet]
name = "endless"
[health]
interval = "15s"
timeout = "10s"
[[node]]
name = "endless"
index = 0
ping_url = "http://127.0.0.1:$eport/ping"
TOML
run "$BVOPS" status -f "$TMP/endless.toml" --json
check_eq "up on its 200" "$RC:$(json_field "$OUT" '[d["nodes"][0]["http_code"], d["nodes"][0]["status"]]')" "0:[200, 'up']"
# The first connection was wait_tcp's; the second, the check's.
for i in $(seq 100); do [ "$(wc -l <"$TMP/sent" 2>/dev/null)" = 2 ] && break; tick; done
sent=$(sed -n 2p "$TMP/sent" 2>/dev/null)
# 64 KiB read; the rest is what loopback's socket buffers took.
check_eq "bounded: less than 32 MB sent, not the 1 GB on offer" "$((${sent:-1073741824} < 33554432))" 1
kill "$EPY_PID" 2>/dev/null
wait "$EPY_PID" 2>/dev/null
test_end

summary