#!/usr/bin/env bash
# The ERS rollout's wall time for 4, 16 and 64 simulated nodes (moto on
# loopback, the node simulator with every node taking START_MS to come
# up), side by side with the operations guide done by hand: a shell loop
# over the nodes, one at a time (bvsim ctl stop, aws s3 cp down, the key
# added, aws s3 cp up, start, wait for /ping), for 4 and 16 nodes.
# bvops should take about as long for 64 nodes as for 4: each step runs on
# every node at once, so the rollout waits for its slowest node, not for
# the sum of them.
# usage: bench/ers.sh BUILD
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-build}
B=$(realpath "$BUILD/bvops")
START_MS=${START_MS:-1000}
. tests/lib.sh
. tests/simlib.sh
. tests/motolib.sh
if ! command -v moto_server >/dev/null || ! command -v aws >/dev/null; then
	echo "ers: moto_server or the aws CLI missing: skipped"
	exit 0
fi
TMP=$(mktemp -d)
trap 'moto_stop; sim_stop; rm -rf "$TMP"' EXIT
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE
export HOME="$TMP" AWS_EC2_METADATA_DISABLED=true AWS_REGION=us-east-1 \
	AWS_DEFAULT_REGION=us-east-1 AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench \
	XDG_STATE_HOME="$TMP/state"
now_ms() { date +%s%3N; }

printf '%-6s %8s %12s %12s %14s %8s\n' nodes "up in" "apply s" "revert s" "by hand s" ratio
for run in 4:$START_MS 16:$START_MS 64:$START_MS 16:$((START_MS * 3)); do
	n=${run%%:*} start=${run#*:}
	MOTO_PORT=$(free_port)
	moto_server -H 127.0.0.1 -p "$MOTO_PORT" >"$TMP/moto.log" 2>&1 &
	MOTO_PID=$!
	wait_port "$MOTO_PORT" || exit 1
	export AWS_ENDPOINT_URL="http://127.0.0.1:$MOTO_PORT"
	python3 demo/aws_seed.py --endpoint "$AWS_ENDPOINT_URL" --fleet bench --nodes "$n" \
		--out "$TMP/seed.json" >/dev/null || exit 1
	SIM_DIR=$(mktemp -d)
	"$SIM" serve --dir "$SIM_DIR" --nodes "$n" --start-delay "$start" 2>/dev/null &
	SIM_PID=$!
	for i in $(seq 200); do [ -f "$SIM_DIR/ports" ] && break; tick; done
	{
		printf '[fleet]\nname = "bench"\nregion = "us-east-1"\n[health]\ninterval = "200ms"\ntimeout = "150ms"\n'
		sim_commands
		while read -r node port; do
			i=${node#node-}
			printf '\n[[node]]\nname = "%s"\nindex = %s\nping_url = "http://127.0.0.1:%s/ping"\n' "$node" "$i" "$port"
			printf 'transport = "local"\nenclave_name = "bench-%s"\nconfig_ssm_param = "/bench/node-%s/config"\n' "$i" "$i"
		done <"$SIM_DIR/ports"
	} >"$TMP/fleet.toml"
	# Every node up before the clock starts.
	for i in $(seq 400); do
		up=$(awk '{print $2}' "$SIM_DIR/ports" | while read -r p; do
			curl -s -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$p/ping"; done | grep -c 200)
		[ "$up" = "$n" ] && break
		tick 0.05
	done
	t0=$(now_ms)
	"$B" -f "$TMP/fleet.toml" ers apply --preset enable-ers-export --yes >"$TMP/apply.log" 2>&1 ||
		{ echo "apply failed:"; tail -5 "$TMP/apply.log"; exit 1; }
	t1=$(now_ms)
	"$B" -f "$TMP/fleet.toml" ers revert --yes >"$TMP/revert.log" 2>&1 ||
		{ echo "revert failed:"; tail -5 "$TMP/revert.log"; exit 1; }
	t2=$(now_ms)
	hand="-" ratio="-"
	if [ "$n" -le 16 ] && [ "$start" = "$START_MS" ]; then
		t3=$(now_ms)
		while read -r node port; do
			i=${node#node-}
			bucket=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["nodes"][int(sys.argv[2])]["bucket"])' "$TMP/seed.json" "$i")
			"$SIM" ctl "$SIM_DIR" "$node" stop >/dev/null
			aws s3 cp "s3://$bucket/bench-$i/config.toml" "$TMP/c.toml" --region eu-west-1 >/dev/null
			printf '\n[SEPD19S]\nEnableERSExport = true\n' >>"$TMP/c.toml"
			aws s3 cp "$TMP/c.toml" "s3://$bucket/bench-$i/config.toml" --region eu-west-1 >/dev/null
			"$SIM" ctl "$SIM_DIR" "$node" start >/dev/null
			for k in $(seq 400); do
				[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/ping")" = 200 ] && break
				tick 0.05
			done
		done <"$SIM_DIR/ports"
		t4=$(now_ms)
		hand=$(awk -v a="$t3" -v b="$t4" 'BEGIN { printf "%.1f", (b - a) / 1000 }')
		ratio=$(awk -v a="$t3" -v b="$t4" -v c="$t0" -v d="$t1" 'BEGIN { printf "%.1fx", (b - a) / (d - c) }')
	fi
	apply=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1000 }')
	revert=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.1f", (b - a) / 1000 }')
	printf '%-6s %6s s %12s %12s %14s %8s\n' "$n" "$(awk -v s="$start" 'BEGIN { printf "%.1f", s / 1000 }')" "$apply" "$revert" "$hand" "$ratio"
	sim_stop
	moto_stop
	rm -rf "$XDG_STATE_HOME"
done
echo "up in: how long each simulated node takes to come up after its start."
echo "ratio = the guide by hand, node after node / bvops apply. Slower nodes add"
echo "their extra time once (16 nodes, 3x slower), not once per node; what grows"
echo "with the count is bvops's own work per node on this machine (commands and"
echo "AWS calls), not the nodes' time."
