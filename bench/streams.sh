#!/usr/bin/env bash
# The engine with every node's journal streaming, at 1000 nodes: CPU of
# the engine's process (its threads only; the journal commands are other
# processes) and the health checks' latency and schedule, side by side
# with the same engine checking the same nodes with no stream open.
#   quiet:  every journal open, one line a second each (1,000 lines/s),
#           fed through FIFOs by one writer (so the simulator's load does
#           not change between the runs)
#   floods: the same, 50 of the journals being `yes` (as fast as read)
# usage: bench/streams.sh BUILD [SECONDS]
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-build}
SECS=${2:-20}
. tests/lib.sh
. tests/simlib.sh
PB="$BUILD/bench/probe_bench"
N=1000
SIM_FLEET_HEALTH='interval = "1s"\ntimeout = "900ms"'
sim_start "$N" >/dev/null || exit 1
FEED=""
trap '[ -n "$FEED" ] && kill "$FEED" 2>/dev/null; sim_stop' EXIT
for k in $(seq 0 $((N - 1))); do mkfifo "$SIM_DIR/j-node-$k"; done
python3 - "$SIM_DIR" "$N" <<'PY' &
import os, sys, time
d, n = sys.argv[1], int(sys.argv[2])
fds = [os.open("%s/j-node-%d" % (d, k), os.O_RDWR | os.O_NONBLOCK)
       for k in range(n)]
t = 0
while True:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime())
    for k, fd in enumerate(fds):
        try:
            os.write(fd, ("%s node-%d tsm[1099]: heartbeat %d ok\n"
                          % (stamp, k, t)).encode())
        except BlockingIOError:
            pass
    t += 1
    time.sleep(1)
PY
FEED=$!
cat >"$SIM_DIR/j.sh" <<EOF2
case \$1 in
node-[0-4][0-9]) exec yes "\$1 tsm[1099]: flood line" ;;
*) exec cat "$SIM_DIR/j-\$1" ;;
esac
EOF2
F="$SIM_DIR/fleet.toml"
row() { # NAME OUTPUT
	printf '%-26s %8s %9s %9s %9s %10s %12s\n' "$1" \
		"$(echo "$2" | awk '/^cpu_percent/ {print $2 "%"}')" \
		"$(echo "$2" | awk '/^latency_ms_p50/ {print $2}')" \
		"$(echo "$2" | awk '/^latency_ms_p99/ {print $2}')" \
		"$(echo "$2" | awk '/^worst_gap_ms/ {print $2}')" \
		"$(echo "$2" | awk '/^nodes_not_up/ {print $2}')" \
		"$(echo "$2" | awk '/^lines/ {print $2}')"
}
p99() { echo "$1" | awk '/^latency_ms_p99/ {print $2}'; }
printf '%-26s %8s %9s %9s %9s %10s %12s\n' "1000 nodes, 1 s interval" cpu \
	"p50 ms" "p99 ms" "gap ms" "not up" "lines"
base=$("$PB" "$F" watch "$SECS" 5)
row "no stream (reference)" "$base"
sed -i "s|^journal = .*|journal = \"exec cat $SIM_DIR/j-{node}\"|" "$F"
quiet=$("$PB" "$F" streams "$SECS" 5)
row "every journal, 1 line/s" "$quiet"
sed -i "s|^journal = .*|journal = \"exec sh $SIM_DIR/j.sh {node}\"|" "$F"
flood=$("$PB" "$F" streams "$SECS" 5)
row "every journal, 50 floods" "$flood"
echo "cpu: the engine's process, share of one core. p50/p99: the checks'"
echo "latency as libcurl timed it on the engine thread; gap: the longest"
echo "time between two checks of a node (1000 ms when the schedule holds);"
echo "checks of the first 5 s (a thousand journal commands starting) left out."
printf 'p99 ratio to no stream: 1 line/s %s, floods %s\n' \
	"$(awk -v a="$(p99 "$quiet")" -v b="$(p99 "$base")" 'BEGIN { printf "%.1fx", a / b }')" \
	"$(awk -v a="$(p99 "$flood")" -v b="$(p99 "$base")" 'BEGIN { printf "%.1fx", a / b }')"
