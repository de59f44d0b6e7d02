#!/usr/bin/env bash
# make run's demo: the console on three simulated nodes, and the simulator
# gone after the console quits.
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
export LANG=C.UTF-8
TMP=$(mktemp -d)
tm() { tmux -S "$TMP/tmux.sock" -f /dev/null "$@"; }
trap 'tm kill-server 2>/dev/null; rm -rf "$TMP"' EXIT

# Simulators of other runs on this machine are not the demo's.
others=$(pgrep -f "bvsim serve" | sort)
demo_sims() { comm -13 <(printf '%s\n' "$others") <(pgrep -f "bvsim serve" | sort) | grep .; }

test_begin demo_opens_and_cleans_up
tm new-session -d -s d -x 80 -y 24 \
	"env TERM=xterm-256color BUILD=${BUILD:-build} demo/run.sh; echo \$? >$TMP/rc"
for i in $(seq 200); do
	tm capture-pane -p -t d | grep -q "3 up" && break
	tick
done
S=$(tm capture-pane -p -t d)
check_contains "demo fleet" "$S" "bvops  demo (us-east-1)"
check_contains "three nodes up" "$S" "3 up  0 down"
check_contains "dynamic node" "$S" "dynamic"
tm send-keys -t d q
for i in $(seq 200); do
	[ -f "$TMP/rc" ] && break
	tick
done
check_eq "console exit" "$(cat "$TMP/rc" 2>/dev/null)" 0
for i in $(seq 100); do
	demo_sims >/dev/null || break
	tick
done
demo_sims >/dev/null && fail "the simulator is still running"
test_end

summary
