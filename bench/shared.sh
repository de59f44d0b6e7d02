#!/usr/bin/env bash
# What the shared state costs, on moto_server (loopback):
#  - S3 requests per minute of one bvops watch (the console's worker does
#    the same looks) at 10 and 100 nodes, counted by a proxy in front of
#    S3, with the default look every 5 seconds; and the bytes a look
#    would fetch without its conditional GETs (the document and the lock
#    read whole each time);
#  - how long host B's watch takes to see host A's change (a maintenance
#    set with bvops maintenance): from A's command returning to B's state
#    folder holding it, several times.
# usage: bench/shared.sh BUILD [SECONDS]
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-build}
SECS=${2:-30}
B=$(realpath "$BUILD/bvops")
. tests/lib.sh
. tests/simlib.sh
. tests/motolib.sh
if ! command -v moto_server >/dev/null || ! command -v aws >/dev/null; then
	echo "shared state: moto_server or the aws CLI missing: skipped"
	exit 0
fi
TMP=$(mktemp -d)
PROXY_PID=""
WATCH_PID=""
cleanup() {
	[ -n "$WATCH_PID" ] && kill "$WATCH_PID" 2>/dev/null && wait "$WATCH_PID" 2>/dev/null
	[ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2>/dev/null && wait "$PROXY_PID" 2>/dev/null
	moto_stop
	sim_stop
	rm -rf "$TMP"
}
trap cleanup EXIT
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE AWS_ENDPOINT_URL_S3
export HOME="$TMP" AWS_EC2_METADATA_DISABLED=true AWS_REGION=us-east-1 \
	AWS_DEFAULT_REGION=us-east-1 AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench
now_ms() { date +%s%3N; }

# world N: moto seeded with N nodes, the simulator, $TMP/fleet.toml.
world() {
	local n=$1 node port i
	moto_stop
	sim_stop
	MOTO_PORT=$(free_port)
	moto_server -H 127.0.0.1 -p "$MOTO_PORT" >"$TMP/moto.log" 2>&1 &
	MOTO_PID=$!
	wait_port "$MOTO_PORT" || exit 1
	export AWS_ENDPOINT_URL="http://127.0.0.1:$MOTO_PORT"
	python3 demo/aws_seed.py --endpoint "$AWS_ENDPOINT_URL" --fleet bench --nodes "$n" \
		--out "$TMP/seed.json" >/dev/null || exit 1
	SIM_FLEET_HEALTH='interval = "5s"\ntimeout = "2s"' sim_start "$n" >/dev/null || exit 1
	{
		printf '[fleet]\nname = "bench"\nregion = "us-east-1"\n[health]\ninterval = "5s"\ntimeout = "2s"\n'
		sim_commands
		while read -r node port; do
			i=${node#node-}
			printf '\n[[node]]\nname = "%s"\nindex = %s\nping_url = "http://127.0.0.1:%s/ping"\n' "$node" "$i" "$port"
			printf 'transport = "local"\nenclave_name = "bench-%s"\nconfig_ssm_param = "/bench/node-%s/config"\n' "$i" "$i"
		done <"$SIM_DIR/ports"
	} >"$TMP/fleet.toml"
}

# proxy_start: a counting proxy before moto (it loses nothing); its log
# has a line per request.
proxy_start() {
	rm -f "$TMP/proxy.port" "$TMP/proxy.log"
	python3 tests/s3_lost_answer.py --port-file "$TMP/proxy.port" \
		--upstream "$AWS_ENDPOINT_URL" --suffix /never-lost --times 0 \
		--log "$TMP/proxy.log" &
	PROXY_PID=$!
	for i in $(seq 100); do [ -f "$TMP/proxy.port" ] && break; tick; done
	PROXY="http://127.0.0.1:$(cat "$TMP/proxy.port")"
}
proxy_stop() {
	kill "$PROXY_PID" 2>/dev/null
	wait "$PROXY_PID" 2>/dev/null
	PROXY_PID=""
}

printf '%-6s %18s %16s %22s\n' nodes "S3 requests/min" "bytes/min" "bytes/min, no 304s"
for n in 10 100; do
	world "$n"
	proxy_start
	export XDG_STATE_HOME="$TMP/state-$n"
	# A first change makes the document, so the looks have one to read.
	AWS_ENDPOINT_URL_S3=$PROXY "$B" -f "$TMP/fleet.toml" maintenance node-0 --yes >/dev/null 2>&1
	AWS_ENDPOINT_URL_S3=$PROXY "$B" -f "$TMP/fleet.toml" watch --json >/dev/null 2>&1 &
	WATCH_PID=$!
	tick 5 # its first looks
	: >"$TMP/proxy.log"
	tick "$SECS"
	req=$(wc -l <"$TMP/proxy.log")
	kill "$WATCH_PID"
	wait "$WATCH_PID" 2>/dev/null
	WATCH_PID=""
	proxy_stop
	per_min=$(awk -v r="$req" -v s="$SECS" 'BEGIN { printf "%.0f", r * 60 / s }')
	# What the same looks cost as whole GETs: the document and the lock
	# as they are, each look.
	doc=$(aws s3api head-object --bucket "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["nodes"][0]["bucket"])' "$TMP/seed.json")" \
		--key bvops/bench/state.json --region eu-west-1 --query ContentLength --output text 2>/dev/null || echo 0)
	lock=$(aws s3api head-object --bucket "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["nodes"][0]["bucket"])' "$TMP/seed.json")" \
		--key bvops/lock-bench.json --region eu-west-1 --query ContentLength --output text 2>/dev/null || echo 0)
	whole=$(awk -v r="$per_min" -v d="$doc" -v l="$lock" 'BEGIN { printf "%.0f", r / 2 * (d + l) }')
	printf '%-6s %18s %16s %22s\n' "$n" "$per_min" "0 (304s)" "$whole"
done
echo "A console or watch looks every 5 s: two conditional GETs (the document,"
echo "the lock), a 304 each while nothing changes, whatever the fleet's size."

# How long B takes to see A's change, with the default look every 5 s.
world 3
export XDG_STATE_HOME="$TMP/b"
"$B" -f "$TMP/fleet.toml" maintenance node-1 --yes >/dev/null 2>&1
"$B" -f "$TMP/fleet.toml" watch --json >/dev/null 2>&1 &
WATCH_PID=$!
tick 3
worst=0 sum=0 runs=5
for r in $(seq "$runs"); do
	reason="change-$r"
	XDG_STATE_HOME="$TMP/a" BVOPS_HOST=host-a "$B" -f "$TMP/fleet.toml" \
		maintenance node-2 --reason "$reason" --yes >/dev/null 2>&1
	t0=$(now_ms)
	for i in $(seq 400); do
		grep -qF "$reason" "$TMP/b/bvops/bench/holds.json" 2>/dev/null && break
		tick
	done
	dt=$(($(now_ms) - t0))
	sum=$((sum + dt))
	[ "$dt" -gt "$worst" ] && worst=$dt
	XDG_STATE_HOME="$TMP/a" BVOPS_HOST=host-a "$B" -f "$TMP/fleet.toml" \
		maintenance node-2 --end --yes >/dev/null 2>&1
	tick 1
done
printf 'B sees A'"'"'s change after %d ms on average, %d ms at worst (%d changes; target 15 s)\n' \
	$((sum / runs)) "$worst" "$runs"
