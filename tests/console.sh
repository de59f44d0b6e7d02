#!/usr/bin/env bash
# The console in a real terminal: tmux runs build/bvops at 80x24 and
# 132x43, keys go in with send-keys, the screen comes back with
# capture-pane. Every wait is bounded.
# usage: tests/console.sh BVOPS
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
BVOPS=$(realpath "$1")
TMP=$(mktemp -d)
SOCK="$TMP/tmux.sock"
printf 'set -g remain-on-exit on\nset -g status off\n' >"$TMP/tmux.conf"
tm() { tmux -S "$SOCK" -f "$TMP/tmux.conf" "$@"; }
cleanup() {
	tm kill-server 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

# start W H [ENV...] [-- ARGS...]: the console on the demo fleet in a
# fresh session. A shell around it records the exit status (128+N for
# signal N), which is steadier than asking tmux about a dead pane.
start() {
	local w=$1 h=$2 envs="" args=""
	shift 2
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		envs="$envs $1"
		shift
	done
	[ $# -gt 0 ] && shift
	args="$*"
	tm kill-server 2>/dev/null
	rm -f "$TMP/status"
	tm new-session -d -s t -x "$w" -y "$h" \
		"env TERM=xterm-256color LANG=C.UTF-8 $envs $BVOPS -f demo/fleet.toml $args; echo \$? >$TMP/status.tmp; mv $TMP/status.tmp $TMP/status"
}

# The pid of bvops itself (the shell's child).
bvops_pid() { pgrep -P "$(tm display -p -t t '#{pane_pid}')" | head -1; }

screen() { tm capture-pane -p -t t 2>/dev/null; }

# wait_for TEXT: up to 5 s for TEXT to be on screen.
wait_for() {
	local i
	for i in $(seq 100); do
		screen | grep -qF -- "$1" && return 0
		tick
	done
	fail "timed out waiting for [$1]; screen was:"
	screen | sed 's/^/    | /'
	return 1
}

wait_gone() {
	local i
	for i in $(seq 100); do
		screen | grep -qF -- "$1" || return 0
		tick
	done
	fail "timed out waiting for [$1] to go"
	return 1
}

# wait_dead: up to 10 s for the program to end; sets DEAD_STATUS.
wait_dead() {
	local i
	DEAD_STATUS=""
	for i in $(seq 200); do
		if [ -f "$TMP/status" ]; then
			DEAD_STATUS=$(cat "$TMP/status")
			return 0
		fi
		tick
	done
	fail "the console did not exit"
	return 1
}

test_begin dashboard_80x24
start 80 24
wait_for "fleet demo"
S=$(screen)
check_contains "header" "$S" "3 nodes"
check_contains "header" "$S" "region us-east-1"
check_contains "columns" "$S" "IDX  NODE"
check_contains "row 0" "$S" "node-0"
check_contains "row 1" "$S" "node-1"
check_contains "row 2" "$S" "dynamic"
check_contains "status reads without colour" "$S" "… unknown"
check_contains "footer" "$(screen | sed -n 24p)" "q quit"
width=$(screen | awk '{ if (length($0) > m) m = length($0) } END { print m }')
[ "$width" -le 80 ] || fail "a line is wider than 80: $width"
test_end

test_begin help_overlay
tm send-keys -t t '?'
wait_for "Keys (Esc closes)"
check_contains "lists quit" "$(screen)" "quit"
tm send-keys -t t Escape
wait_gone "Keys (Esc closes)"
test_end

test_begin node_detail
tm send-keys -t t j Enter
wait_for "node-1 (Esc closes)"
check_contains "enclave" "$(screen)" "demo-1"
check_contains "transport" "$(screen)" "local"
tm send-keys -t t Escape
wait_gone "node-1 (Esc closes)"
test_end

test_begin resize_to_132x43
tm resize-window -t t -x 132 -y 43
wait_for "PING URL"
check_contains "footer on the last line" "$(screen | sed -n 43p)" "q quit"
check_contains "rows" "$(screen)" "http://127.0.0.1:18082/ping"
tm resize-window -t t -x 30 -y 8
wait_for "q quit"
check_not_contains "no overflow" "$(screen | sed -n 9p)" "node"
test_end

test_begin quit_restores_terminal
tm send-keys -t t q
wait_dead
check_eq "exit status" "${DEAD_STATUS:-}" 0
check_not_contains "alternate screen left" "$(screen)" "fleet demo"
test_end

test_begin sigterm_exits_cleanly
start 80 24
wait_for "fleet demo"
kill -TERM "$(bvops_pid)"
wait_dead
check_eq "exit status" "${DEAD_STATUS:-}" 0
check_not_contains "alternate screen left" "$(screen)" "fleet demo"
test_end

test_begin crash_signal_restores_terminal
start 80 24
wait_for "fleet demo"
kill -SEGV "$(bvops_pid)"
wait_dead
check_eq "killed by SIGSEGV" "${DEAD_STATUS:-}" 139
check_not_contains "alternate screen left" "$(screen)" "fleet demo"
test_end

test_begin theme_colours_and_no_color
start 80 24
wait_for "fleet demo"
# The dark theme's header is black on cyan (SGR 46 for the background).
check_contains "header colour" "$(tm capture-pane -p -e -t t | head -1)" "46m"
tm send-keys -t t q
wait_dead
start 80 24 NO_COLOR=1
wait_for "fleet demo"
check_not_contains "no colour" "$(tm capture-pane -p -e -t t | head -1)" "46m"
check_contains "still reversed" "$(tm capture-pane -p -e -t t | head -1)" "7m"
tm send-keys -t t q
wait_dead
start 80 24 -- --theme light
wait_for "fleet demo"
check_contains "light header" "$(tm capture-pane -p -e -t t | head -1)" "44m"
tm send-keys -t t q
wait_dead
test_end

test_begin ascii_when_not_utf8
start 80 24 LANG=C LC_ALL=C
wait_for "fleet demo"
check_contains "ascii status" "$(screen)" "? unknown"
tm send-keys -t t q
wait_dead
test_end

summary
