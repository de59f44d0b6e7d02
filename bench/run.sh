#!/usr/bin/env bash
# Benchmarks, run side by side with the programs they are compared to.
# TOML: bvops's parser against Python's tomllib (C-accelerated parts aside,
# the reference parser most operators have), on the same generated
# config.toml files, CPU time per parse.
# usage: bench/run.sh BUILD
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-build}
B="$BUILD/bench/toml_parse"
mkdir -p "$BUILD/bench"
py=""
if command -v python3 >/dev/null &&
	python3 -c 'import tomllib' 2>/dev/null; then
	py=python3
fi
printf '%-28s %10s %12s %12s %12s %8s\n' "config.toml" "bytes" \
	"bvops us" "tomllib us" "edit us" "ratio"
for players in 3 100 2000; do
	f="$BUILD/bench/config-$players.toml"
	"$B" --generate "$players" >"$f"
	iters=$((20000 / players + 20))
	out=$("$B" "$f" "$iters")
	bytes=$(echo "$out" | awk '/^bytes/ {print $2}')
	us=$(echo "$out" | awk '/^parse_us/ {print $2}')
	edit=$(echo "$out" | awk '/^edit_us/ {print $2}')
	pyus="n/a" ratio="n/a"
	if [ -n "$py" ]; then
		pyus=$("$py" - "$f" "$iters" <<'PY'
import sys, time, tomllib
data = open(sys.argv[1], "rb").read().decode()
n = int(sys.argv[2])
t = time.process_time()
for _ in range(n):
    tomllib.loads(data)
print("%.1f" % ((time.process_time() - t) * 1e6 / n))
PY
)
		ratio=$(awk -v a="$pyus" -v b="$us" 'BEGIN { printf "%.1fx", a / b }')
	fi
	printf '%-28s %10s %12s %12s %12s %8s\n' "$players players" "$bytes" \
		"$us" "$pyus" "$edit" "$ratio"
done
echo "ratio = tomllib CPU time / bvops CPU time per parse (higher is faster)"

# Health checks: the engine (one process, libcurl multi, connections kept
# alive) against curl run once per probe through xargs -P, on the same
# simulated nodes, side by side. CPU counts user + system time.
echo
. tests/lib.sh
. tests/simlib.sh
PB="$BUILD/bench/probe_bench"
printf '%-6s %11s %14s %8s %14s %8s %12s %12s\n' nodes "engine cpu" \
	"curl -Z cpu" ratio "curl/probe cpu" ratio "engine round" "curl round"
for n in 10 100 1000; do
	SIM_FLEET_HEALTH='interval = "1s"\ntimeout = "900ms"'
	sim_start "$n" >/dev/null || exit 1
	rounds=$((3000 / n))
	[ "$rounds" -lt 3 ] && rounds=3
	out=$("$PB" "$SIM_DIR/fleet.toml" round "$rounds")
	e_us=$(echo "$out" | awk '/^cpu_us_per_probe/ {print $2}')
	e_ms=$(echo "$out" | awk '/^wall_ms_per_round/ {print $2}')
	awk '/^ping_url/ {gsub(/"/, "", $3); print $3}' "$SIM_DIR/fleet.toml" \
		>"$SIM_DIR/urls"
	TIMEFORMAT='%U %S %R'
	t=$( { time (for r in $(seq "$rounds"); do
		xargs -P 64 -n 1 curl -s -o /dev/null --max-time 1 <"$SIM_DIR/urls"
	done) ; } 2>&1 >/dev/null | tail -1)
	c_us=$(echo "$t" | awk -v n="$n" -v r="$rounds" '{printf "%.1f", ($1 + $2) * 1e6 / (n * r)}')
	c_ms=$(echo "$t" | awk -v r="$rounds" '{printf "%.1f", $3 * 1000 / r}')
	ratio=$(awk -v a="$c_us" -v b="$e_us" 'BEGIN { printf "%.1fx", a / b }')
	# curl's own transfer work without a process per probe: one curl
	# fetching every URL in parallel, reusing its connections.
	awk '{print "url = \"" $0 "\"\noutput = \"/dev/null\""}' \
		"$SIM_DIR/urls" >"$SIM_DIR/curl.cfg"
	t=$( { time (for r in $(seq "$rounds"); do
		curl -s -Z --parallel-max 64 --max-time 1 -K "$SIM_DIR/curl.cfg"
	done) ; } 2>&1 >/dev/null | tail -1)
	z_us=$(echo "$t" | awk -v n="$n" -v r="$rounds" '{printf "%.1f", ($1 + $2) * 1e6 / (n * r)}')
	zratio=$(awk -v a="$z_us" -v b="$e_us" 'BEGIN { printf "%.1fx", a / b }')
	printf '%-6s %8s us %11s us %8s %11s us %8s %9s ms %9s ms\n' "$n" \
		"$e_us" "$z_us" "$zratio" "$c_us" "$ratio" "$e_ms" "$c_ms"
	if [ "$n" = 1000 ]; then
		w=$("$PB" "$SIM_DIR/fleet.toml" watch 10)
		pct=$(echo "$w" | awk '/^cpu_percent/ {print $2}')
		down=$(echo "$w" | awk '/^nodes_not_up/ {print $2}')
		echo "1000 nodes at a 1 s interval for 10 s: engine uses ${pct}% of one core (target < 10%), ${down} nodes not up"
	fi
	sim_stop
done
echo "CPU per probe (user + system). curl -Z: one curl process fetching all"
echo "URLs in parallel; curl/probe: one curl process per probe (xargs -P 64)."
echo "ratio = curl CPU / engine CPU (above 1x: the engine is cheaper)"

# The engine with every journal of 1000 nodes streaming.
echo
bench/streams.sh "$BUILD" "${BENCH_STREAM_SECONDS:-20}"

# The console at idle: bytes written to the terminal per minute with every
# node healthy, measured with tmux pipe-pane after the history strips
# have filled. `top -d 1` (a redraw every second) is the comparison.
echo
SIM_FLEET_HEALTH='interval = "500ms"\ntimeout = "400ms"'
sim_start 20 >/dev/null || exit 1
TT=$(mktemp -d)
tmi() { tmux -S "$TT/s" -f /dev/null "$@"; }
idle_bytes() { # CMD: bytes per minute after 15 s of warm-up
	tmi new-session -d -s i -x 80 -y 24 "env TERM=xterm-256color LANG=C.UTF-8 $1"
	tick 15
	tmi pipe-pane -t i -o "cat >>$TT/out"
	tick 20
	tmi pipe-pane -t i
	tmi kill-server
	echo $(($(wc -c <"$TT/out") * 3))
	rm -f "$TT/out"
}
b=$(idle_bytes "$(realpath "$BUILD/bvops") -f $SIM_DIR/fleet.toml")
t=$(idle_bytes "top -d 1")
printf 'console at idle, 20 healthy nodes checked every 500 ms: %s bytes/min (top -d 1: %s bytes/min)\n' "$b" "$t"
rm -rf "$TT"
sim_stop

# Log panes against multitail and lnav (idle, 1,000 lines/s, a burst).
echo
bench/logs.sh "$BUILD/bvops" "${BENCH_LOG_SECONDS:-30}"

# AWS calls against the aws CLI, on moto.
echo
bench/aws.sh "$BUILD"

# The shared state: S3 requests per minute, and how soon another host
# sees a change.
echo
bench/shared.sh "$BUILD" "${BENCH_SHARED_SECONDS:-30}"

# The ERS rollout: 4, 16, 64 nodes, against the guide done by hand.
echo
bench/ers.sh "$BUILD"
