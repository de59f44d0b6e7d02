#!/usr/bin/env bash
# Log panes against multitail and lnav, side by side, on the same input:
# each program runs in its own tmux session of the same size, tailing the
# same journal-style file; tmux pipe-pane records every byte the program
# writes to its terminal (what would cross an SSM link) and /proc gives the
# CPU seconds of the program and its children (bvops reads through
# `tail -F`, its [commands] journal, which is counted).
# Scenarios: idle, a steady 1,000 lines/s, a burst of 1,000,000 lines.
# usage: bench/logs.sh BVOPS [SECONDS]   (SECONDS per timed scenario, 30)
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
BVOPS=$(realpath "$1")
SECS=${2:-30}
BURST=${BENCH_BURST:-1000000}
T=$(mktemp -d)
export HOME="$T/home" # lnav and multitail keep state there
mkdir -p "$HOME"
tmb() { tmux -S "$T/sock" -f /dev/null "$@"; }
trap 'tmb kill-server 2>/dev/null; rm -rf "$T"' EXIT

for p in multitail lnav; do
	command -v "$p" >/dev/null || { echo "bench/logs.sh: $p is not installed (make deps)"; exit 1; }
done

cat >"$T/gen.py" <<'PY'
import sys, time
path, mode, n, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
line = "%s node-0 tsm[1099]: request %08d signed in 3.%d ms session=5f2c9a7e1b0d peer=2\n"
with open(path, "a", buffering=1 << 20) as f:
    if mode == "burst":
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime())
        f.write("".join(line % (stamp, k, k % 10) for k in range(n)))
        f.write("%s node-0 tsm[1099]: BURST-END-MARKER\n" % stamp)
    else:
        start = time.monotonic()
        k = 0
        while time.monotonic() - start < secs:
            due = int((time.monotonic() - start) * n)
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime())
            while k < due:
                f.write(line % (stamp, k, k % 10))
                k += 1
            f.flush()
            time.sleep(0.01)
PY

# CPU ticks of a process and everything under it.
cpu_ticks() {
	local pid=$1 sum=0 c
	[ -r "/proc/$pid/stat" ] || { echo 0; return; }
	sum=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
	for c in $(pgrep -P "$pid"); do
		sum=$((sum + $(cpu_ticks "$c")))
	done
	echo "$sum"
}
hz=$(getconf CLK_TCK)
cpu_s() { awk -v t="$1" -v h="$hz" 'BEGIN { printf "%.2f", t / h }'; }
# Peak resident memory (MB) of a process and its children.
rss_mb() {
	local pid=$1 kb=0 c
	kb=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
	for c in $(pgrep -P "$pid"); do
		kb=$((kb + $(awk '/VmHWM/ {print $2}' "/proc/$c/status" 2>/dev/null || echo 0)))
	done
	awk -v k="$kb" 'BEGIN { printf "%.0f", k / 1024 }'
}

# launch NAME W H: start the program on $T/in.log; sets PID.
launch() {
	local name=$1 w=$2 h=$3 cmd
	case $name in
	bvops) cmd="$BVOPS -f $T/fleet.toml" ;;
	multitail) cmd="multitail $T/in.log" ;;
	lnav) cmd="lnav $T/in.log" ;;
	esac
	tmb kill-server 2>/dev/null
	tmb new-session -d -s b -x "$w" -y "$h" "exec env TERM=xterm-256color LANG=C.UTF-8 $cmd"
	PID=$(tmb display -p -t b '#{pane_pid}')
	tick 2
	if [ "$name" = bvops ]; then
		tmb send-keys -t b l # the node's journal,
		tick 1
		tmb send-keys -t b z # full screen like the others
	fi
	tick 2
}

# record FILE: what the program writes to its terminal from now on.
record() { tmb pipe-pane -t b -o "cat >>$1"; }
unrecord() { tmb pipe-pane -t b; }

printf '[fleet]\nname = "bench"\n[commands]\njournal = "tail -n 100 -F %s"\n' "$T/in.log" >"$T/fleet.toml"
printf '[[node]]\nname = "node-0"\nindex = 0\nping_url = "http://127.0.0.1:1/ping"\ntransport = "local"\n' >>"$T/fleet.toml"

declare -A R
for size in 80x24 120x40; do
	w=${size%x*}
	h=${size#*x}
	for prog in bvops multitail lnav; do
		: >"$T/in.log"
		python3 "$T/gen.py" "$T/in.log" rate 100 1 >/dev/null
		launch "$prog" "$w" "$h"

		# Idle.
		rm -f "$T/out"
		c0=$(cpu_ticks "$PID")
		record "$T/out"
		tick "$SECS"
		unrecord
		c1=$(cpu_ticks "$PID")
		R[$size,$prog,idle_bytes]=$(($(stat -c %s "$T/out" 2>/dev/null || echo 0) / SECS))
		R[$size,$prog,idle_cpu]=$(cpu_s $((c1 - c0)))

		# 1,000 lines a second.
		rm -f "$T/out"
		c0=$(cpu_ticks "$PID")
		record "$T/out"
		python3 "$T/gen.py" "$T/in.log" rate 1000 "$SECS"
		tick 1
		unrecord
		c1=$(cpu_ticks "$PID")
		R[$size,$prog,rate_bytes]=$(($(stat -c %s "$T/out" 2>/dev/null || echo 0) / SECS))
		R[$size,$prog,rate_cpu]=$(cpu_s $((c1 - c0)))

		# A burst: until the last line is on screen.
		c0=$(cpu_ticks "$PID")
		python3 "$T/gen.py" "$T/in.log" burst "$BURST" 0
		t0=$(date +%s%N)
		shown=""
		for i in $(seq 1200); do
			if tmb capture-pane -p -t b | grep -q BURST-END-MARKER; then
				shown=yes
				break
			fi
			tick 0.05
		done
		t1=$(date +%s%N)
		c1=$(cpu_ticks "$PID")
		R[$size,$prog,burst_s]=$([ -n "$shown" ] && awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }' || echo ">60")
		R[$size,$prog,burst_cpu]=$(cpu_s $((c1 - c0)))
		R[$size,$prog,rss]=$(rss_mb "$PID")
		tmb kill-server 2>/dev/null
	done
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print (a + 0 == 0 ? "=" : "inf"); else printf "%.2f", a / b }'; }
echo
echo "Log panes: bvops vs multitail vs lnav, same input, same terminal size."
echo "bytes/s = written to the terminal; CPU s = program + children; ratio = bvops / other (below 1: bvops does better)"
printf '%-7s %-22s %10s %10s %10s %9s %9s\n' size metric bvops multitail lnav "b/mtail" "b/lnav"
for size in 80x24 120x40; do
	for m in idle_bytes idle_cpu rate_bytes rate_cpu burst_s burst_cpu rss; do
		case $m in
		idle_bytes) label="idle ${SECS}s bytes/s" ;;
		idle_cpu) label="idle ${SECS}s CPU s" ;;
		rate_bytes) label="1000 l/s bytes/s" ;;
		rate_cpu) label="1000 l/s ${SECS}s CPU s" ;;
		burst_s) label="burst last line s" ;;
		burst_cpu) label="burst CPU s" ;;
		rss) label="peak memory MB" ;;
		esac
		b=${R[$size,bvops,$m]} mt=${R[$size,multitail,$m]} ln=${R[$size,lnav,$m]}
		printf '%-7s %-22s %10s %10s %10s %9s %9s\n' "$size" "$label" "$b" "$mt" "$ln" \
			"$(ratio "${b#>}" "${mt#>}")" "$(ratio "${b#>}" "${ln#>}")"
	done
done
echo "(burst: $BURST lines appended at once; 'last line s' is until the last one is on screen)"
