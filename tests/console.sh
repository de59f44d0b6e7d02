#!/usr/bin/env bash
# The console in a real terminal: tmux runs build/bvops at 80x24 and
# 132x43, keys go in with send-keys, the screen comes back with
# capture-pane. Every wait is bounded.
# usage: tests/console.sh BVOPS
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
. tests/simlib.sh
export LANG=C.UTF-8 # so the shell counts characters, not bytes
BVOPS=$(realpath "$1")
TMP=$(mktemp -d)
# Each console runs on a tmux server of its own: a server told to exit
# still accepts a client for a moment, and a session made on it then dies
# with it.
NSERVER=0
SOCK="$TMP/tmux.0.sock"
printf 'set -g remain-on-exit on\nset -g status off\n' >"$TMP/tmux.conf"
tm() { tmux -S "$SOCK" -f "$TMP/tmux.conf" "$@"; }
cleanup() {
	tm kill-server 2>/dev/null
	sim_stop
	rm -rf "$TMP"
}
trap cleanup EXIT

# new_server: the running server (if any) ended, SOCK a fresh socket.
new_server() {
	tm kill-server 2>/dev/null
	NSERVER=$((NSERVER + 1))
	SOCK="$TMP/tmux.$NSERVER.sock"
}

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
	new_server
	rm -f "$TMP/status"
	tm new-session -d -s t -x "$w" -y "$h" \
		"env TERM=xterm-256color LANG=C.UTF-8 XDG_STATE_HOME=$XDG_STATE_HOME $envs $BVOPS -f $SIM_DIR/fleet.toml $args; echo \$? >$TMP/status.tmp; mv $TMP/status.tmp $TMP/status"
}

# The pid of bvops itself (the shell's child).
bvops_pid() { pgrep -P "$(tm display -p -t t '#{pane_pid}')" | head -1; }

screen() { tm capture-pane -p -t t 2>/dev/null; }

# wait_for TEXT: up to 15 s (a loaded machine, sanitizers) for TEXT to be on screen.
wait_for() { tmux_expect "$SOCK" t "$1" 300; }

wait_gone() {
	local i
	for i in $(seq 300); do
		screen | grep -qF -- "$1" || return 0
		tick
	done
	fail "timed out waiting for [$1] to go"
	return 1
}

# wait_dead: up to 20 s for the program to end; sets DEAD_STATUS.
wait_dead() {
	local i
	DEAD_STATUS=""
	for i in $(seq 400); do
		if [ -f "$TMP/status" ]; then
			DEAD_STATUS=$(cat "$TMP/status")
			return 0
		fi
		tick
	done
	fail "the console did not exit"
	return 1
}

# press_until KEY TEXT: KEY, again, until TEXT is on screen (at most 60).
press_until() {
	local i
	for i in $(seq 60); do
		screen | grep -qF -- "$2" && return 0
		tm send-keys -t t "$1"
		tick
	done
}

# Fast checks so that changes show within a second or two.
SIM_FLEET_HEALTH='interval = "300ms"\ntimeout = "250ms"\nfailure_threshold = 2\nsuccess_threshold = 1'
sim_start 3 || exit 1
# Incidents close 1 s after recovery, and keep 30 s of journal before.
printf '\n[incidents]\nbefore = "30s"\nafter = "1s"\n' >>"$SIM_DIR/fleet.toml"
# Everything the console records goes here, never to the real home.
export XDG_STATE_HOME="$TMP/state"
STATE="$XDG_STATE_HOME/bvops/sim"

test_begin dashboard_80x24
start 80 24
wait_for "3 up"
S=$(screen)
check_contains "header" "$S" "bvops  sim"
check_contains "header" "$S" "0 down"
check_contains "columns" "$S" "IDX NODE"
check_contains "row 0" "$S" "node-0"
check_contains "row 1" "$S" "● up"
check_contains "http code" "$S" " 200 "
check_contains "history" "$S" "·"
check_contains "footer" "$(screen | sed -n 24p)" "q quit"
# Checks reuse one connection per node (the simulator counts them).
for i in $(seq 100); do
	pings=$("$SIM" ctl "$SIM_DIR" node-0 stats | awk '{print $2}')
	[ "${pings:-0}" -ge 5 ] && break
	tick
done
check_eq "kept alive" "$("$SIM" ctl "$SIM_DIR" node-0 stats | awk '{print $4}')" 1
width=0
while IFS= read -r l; do
	[ "${#l}" -gt "$width" ] && width=${#l}
done < <(screen)
[ "$width" -le 80 ] || fail "a line is wider than 80: $width"
test_end

test_begin status_change_after_a_fault
sim_ctl node-1 fault 503
wait_for "✖ down"
check_contains "header counts" "$(screen)" "2 up  1 down"
check_contains "row shows 503" "$(screen | grep node-1)" " 503 "
check_contains "failed checks in history" "$(screen | grep node-1)" "✗"
sim_ctl node-1 fault none
wait_for "3 up"
sim_ctl node-2 stop
wait_for "✖ down"
check_contains "refused has no code" "$(screen | grep node-2)" "   - "
sim_ctl node-2 start
wait_for "3 up"
test_end

test_begin alerts_banner_list_and_acknowledge
# The faults above raised alerts: a banner until acknowledged, a list.
wait_for "ALERT"
check_contains "the banner names the newest" "$(screen | sed -n 23p)" "node-2 up (down -> up)"
check_contains "and how to deal with it" "$(screen | sed -n 23p)" "[A list, a ack]"
check_contains "above the keys, which stay" "$(screen | sed -n 24p)" "? help  / filter"
check_contains "the banner's time and age" "$(screen | sed -n 23p)" " <1m ago)"
check_contains "no ISO stamp to read through" "$(screen | sed -n 23p)" "ALERTS node-2 up"
tm send-keys -t t A
wait_for "Alerts: 4, 4 not acknowledged"
check_contains "the footer says the list's keys" "$(screen | sed -n 24p)" "j/k move  Enter its node  Space ack"
check_contains "newest first, marked, with its age" "$(screen | grep -m1 'node-')" "| * "
check_contains "its age" "$(screen | grep -m1 'node-')" " <1m ago  "
check_contains "the first down is listed" "$(screen)" "node-1 down (up -> down): HTTP 503"
# Enter on an alert: acknowledged, and the table on its node.
tm send-keys -t t j j j Enter
wait_gone "Alerts: 4"
check_contains "said" "$(screen | sed -n 24p)" "node-1: the alert's node"
tm send-keys -t t Enter
wait_for "node-1 (Esc closes)"
tm send-keys -t t Escape
wait_gone "node-1 (Esc closes)"
tm send-keys -t t A
wait_for "Alerts: 4, 3 not acknowledged"
tm send-keys -t t Space
wait_for "Alerts: 4, 2 not acknowledged"
tm send-keys -t t a
wait_for "Alerts: 4, 0 not acknowledged"
tm send-keys -t t Escape
wait_gone "Alerts: 4"
check_not_contains "no banner once acknowledged" "$(screen | tail -2)" "ALERT"
test_end

test_begin help_overlay
tm send-keys -t t '?'
wait_for "Keys (j/k scroll, Esc closes)"
check_contains "starts at the top" "$(screen)" "move between nodes"
check_not_contains "the last line is below at 80x24" "$(screen)" "quit (asks when debug mode or ERS is on)"
check_contains "the footer says the help's keys" "$(screen | sed -n 24p)" "j/k scroll  Esc close"
check_eq "the header is not covered" "$(screen | head -1 | cut -c1-12)" " bvops  sim "
# j until the last line shows (bounded): the table grows with the keys.
press_until j "quit (asks when debug mode or ERS is on)"
wait_for "quit (asks when debug mode or ERS is on)"
# Every line inside the border, the longest too.
check_contains "the longest line within the box" "$(screen | grep -F 'revert on every node')" "(guided) |"
check_contains "lists debug mode" "$(screen)" "Nitro debug mode: enter it (guided)"
press_until k "incidents: list, view, x export a report"
wait_for "incidents: list, view, x export a report"
check_not_contains "scrolled back up" "$(screen)" "quit (asks when debug mode or ERS is on)"
tm send-keys -t t Escape
wait_gone "Keys (j/k scroll"
test_end

test_begin node_detail
tm send-keys -t t g j Enter
wait_for "node-1 (Esc closes)"
check_contains "enclave" "$(screen)" "enclave     node-1"
check_contains "the footer says the details' keys" "$(screen | sed -n 24p)" "Esc close"
check_contains "last check" "$(screen)" "HTTP 200"
check_contains "transport" "$(screen)" "local"
tm send-keys -t t Escape
wait_gone "node-1 (Esc closes)"
test_end

test_begin resize_to_132x43
tm resize-window -t t -x 132 -y 43
wait_for "SINCE"
tm send-keys -t t '?'
wait_for "Keys (Esc closes)"
check_contains "the help fits at 132x43" "$(screen | grep -F 'revert on every node')" "(guided) |"
tm send-keys -t t Escape
wait_gone "Keys (Esc closes)"
check_contains "footer on the last line" "$(screen | sed -n 43p)" "q quit"
check_contains "all columns" "$(screen | sed -n 2p)" "ROLE"
tm resize-window -t t -x 30 -y 8
wait_for "node-0           ● up"
check_not_contains "role dropped when narrow" "$(screen | sed -n 2p)" "ROLE"
test_end

test_begin quit_restores_terminal
tm send-keys -t t q
wait_dead
check_eq "exit status" "${DEAD_STATUS:-}" 0
check_not_contains "alternate screen left" "$(screen)" "bvops  sim"
test_end

test_begin sigterm_exits_cleanly
start 80 24
wait_for "bvops  sim"
kill -TERM "$(bvops_pid)"
wait_dead
check_eq "exit status" "${DEAD_STATUS:-}" 0
check_not_contains "alternate screen left" "$(screen)" "bvops  sim"
test_end

test_begin sigint_exits_cleanly
start 80 24
wait_for "bvops  sim"
kill -INT "$(bvops_pid)"
wait_dead
check_eq "exit status" "${DEAD_STATUS:-}" 0
check_not_contains "alternate screen left" "$(screen)" "bvops  sim"
test_end

test_begin crash_signal_restores_terminal
start 80 24
wait_for "bvops  sim"
kill -SEGV "$(bvops_pid)"
wait_dead
check_eq "killed by SIGSEGV" "${DEAD_STATUS:-}" 139
check_not_contains "alternate screen left" "$(screen)" "bvops  sim"
test_end

test_begin theme_colours_and_no_color
start 80 24
wait_for "bvops  sim"
# The dark theme's header is black on cyan (SGR 46 for the background).
check_contains "header colour" "$(tm capture-pane -p -e -t t | head -1)" "46m"
tm send-keys -t t q
wait_dead
start 80 24 NO_COLOR=1
wait_for "bvops  sim"
check_not_contains "no colour" "$(tm capture-pane -p -e -t t | head -1)" "46m"
check_contains "still reversed" "$(tm capture-pane -p -e -t t | head -1)" "7m"
tm send-keys -t t q
wait_dead
# An empty NO_COLOR counts as unset (no-color.org).
start 80 24 NO_COLOR=
wait_for "bvops  sim"
check_contains "empty NO_COLOR: colour" "$(tm capture-pane -p -e -t t | head -1)" "46m"
tm send-keys -t t q
wait_dead
start 80 24 -- --theme light
wait_for "bvops  sim"
check_contains "light header" "$(tm capture-pane -p -e -t t | head -1)" "44m"
tm send-keys -t t q
wait_dead
test_end

test_begin status_colour_follows_term_and_no_color
# bvops status at a terminal: coloured, but not for TERM=dumb or NO_COLOR.
for how in "TERM=xterm-256color" "TERM=dumb" "TERM=xterm-256color NO_COLOR=1"; do
	new_server
	rm -f "$TMP/st.done"
	tm new-session -d -s t -x 120 -y 24 "env $how $BVOPS -f $SIM_DIR/fleet.toml status; touch $TMP/st.done"
	for _ in $(seq 200); do
		[ -f "$TMP/st.done" ] && break
		tick
	done
	S=$(tm capture-pane -p -e -t t)
	check_contains "$how: the table" "$S" "node-0"
	case $how in
	"TERM=xterm-256color") check_contains "$how: coloured" "$S" "[3" ;;
	*) check_not_contains "$how: no colour" "$S" "[3" ;;
	esac
done
new_server
test_end

test_begin read_only_is_shown
start 80 24 -- --read-only
wait_for "READ-ONLY"
tm send-keys -t t q
wait_dead
test_end

test_begin header_badges_stack_and_nothing_covers_them
# Debug mode on node-0 and ERS on every node, as bvops records them, and
# an observer's console: three badges beside the counts.
mkdir -p -m 700 "$STATE/debug" "$STATE/ers"
since=$(date -u -d '-5 min' +%Y-%m-%dT%H:%M:%SZ)
printf '{"since": "%s", "procedure": "debug-enter-x"}\n' "$since" >"$STATE/debug/node-0.json"
for n in 0 1 2; do printf '{"since": "%s"}\n' "$since" >"$STATE/ers/node-$n.json"; done
start 80 24 -- --read-only
wait_for "DEBUG MODE node-0 5m"
wait_for "3 up"
S=$(screen)
check_eq "the counts and quorum whole on the first row" "$(printf '%s\n' "$S" | sed -n 1p | sed 's/ *$//')" " bvops  sim  3 up  0 down  0 unknown  quorum 3  READ-ONLY"
check_contains "a fleet with no AWS at all: no shared state, said" "$(printf '%s\n' "$S" | sed -n 2p)" "ERS ACTIVE 5m   no shared state"
check_contains "the badges that do not fit: a second row" "$(printf '%s\n' "$S" | sed -n 2p)" "DEBUG MODE node-0 5m"
check_contains "each whole, side by side" "$(printf '%s\n' "$S" | sed -n 2p)" "ERS ACTIVE 5m"
check_contains "the table below them" "$(printf '%s\n' "$S" | sed -n 3p)" "IDX NODE"
for key in I P E '?' A; do
	tm send-keys -t t "$key"
	tmux_wait "$SOCK" t "Esc" 100
	S=$(screen)
	check_contains "$key: the counts stay" "$(printf '%s\n' "$S" | sed -n 1p)" "quorum 3  READ-ONLY"
	check_contains "$key: the badges stay" "$(printf '%s\n' "$S" | sed -n 2p)" "DEBUG MODE node-0 5m   ERS ACTIVE 5m"
	tm send-keys -t t Escape
	wait_for "IDX NODE"
done
tm resize-window -t t -x 132 -y 43
wait_for "SINCE"
check_contains "at 132: one row holds them all" "$(screen | sed -n 1p)" "quorum 3  READ-ONLY   DEBUG MODE node-0 5m   ERS ACTIVE 5m   no shared state"
check_contains "the table right below" "$(screen | sed -n 2p)" "IDX NODE"
tm send-keys -t t q
wait_for "Quit bvops?"
tm send-keys -t t y
wait_dead
rm -rf "$STATE/debug" "$STATE/ers"
test_end

test_begin quit_with_debug_mode_on_asks_first
mkdir -p -m 700 "$STATE/debug"
since=$(date -u -d '-5 min' +%Y-%m-%dT%H:%M:%SZ)
printf '{"since": "%s", "procedure": "debug-enter-x"}\n' "$since" >"$STATE/debug/node-0.json"
start 80 24
wait_for "DEBUG MODE node-0 5m"
tm send-keys -t t q
wait_for "Quit bvops?"
check_contains "says what stays on" "$(screen)" "node-0 is in DEBUG MODE (5m)"
check_contains "and how to answer" "$(screen)" "y: quit anyway    n or Esc: stay"
check_contains "the footer too" "$(screen | sed -n 24p)" "y quit anyway  n or Esc stay"
tm send-keys -t t n
wait_gone "Quit bvops?"
check_eq "still running" "$([ -f "$TMP/status" ] && echo ended || echo running)" running
# Ctrl-C asks the same, and a second one does not answer for the operator.
tm send-keys -t t C-c
wait_for "Quit bvops?"
tm send-keys -t t C-c
wait_for "Quit bvops?"
check_eq "Ctrl-C twice: still running" "$([ -f "$TMP/status" ] && echo ended || echo running)" running
tm send-keys -t t Escape
wait_gone "Quit bvops?"
tm send-keys -t t q
wait_for "Quit bvops?"
tm send-keys -t t y
wait_dead
check_eq "y quits" "${DEAD_STATUS:-}" 0
rm -rf "$STATE/debug"
test_end

test_begin an_open_procedure_is_announced_at_start
mkdir -p -m 700 "$STATE/procedures"
J=20261204T010000Z-config-edit-node-1
t0=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
{
	printf '{"rec":"begin","id":"%s","seq":1,"kind":"config-edit","fleet":"sim","user":"op","host":"h","time":"%s","nodes":["node-1"],"steps":["read","edit","backup","upload","restart","wait"],"params":{}}\n' "$J" "$t0"
	printf '{"rec":"step","step":"read","node":"node-1","state":"start","time":"%s"}\n' "$t0"
	printf '{"rec":"step","step":"read","node":"node-1","state":"done","time":"%s"}\n' "$t0"
	printf '{"rec":"step","step":"upload","node":"node-1","state":"start","time":"%s"}\n' "$t0"
} >"$STATE/procedures/$J.jsonl"
chmod 600 "$STATE/procedures/$J.jsonl"
start 80 24
wait_for "A procedure was left open"
check_contains "its id" "$(screen)" "$J"
check_contains "where it stands" "$(screen)" "interrupted at upload on node-1"
check_contains "the keys on" "$(screen)" "P: the procedures (r resume, b roll back, a abandon)"
check_contains "the header says it too" "$(screen | head -1)" "OPEN PROCEDURE (P)"
tm send-keys -t t P
wait_for "Procedures (Enter journal"
check_contains "it is selected, open" "$(screen)" "* interrupted at upload on node-1"
check_contains "the footer offers the ways on" "$(screen | sed -n 24p)" "r resume  b roll back  a abandon"
tm send-keys -t t Escape
wait_for "IDX NODE"
check_contains "the badge stays until it ends" "$(screen | head -1)" "OPEN PROCEDURE (P)"
tm send-keys -t t q
wait_dead
check_eq "no danger: q quits at once" "${DEAD_STATUS:-}" 0
rm -f "$STATE/procedures/$J.jsonl"
test_end

test_begin ascii_when_not_utf8
start 80 24 LANG=C LC_ALL=C
wait_for "bvops  sim"
wait_for "+ up"
wait_for "... "
check_not_contains "no UTF-8" "$(screen)" "·"
tm send-keys -t t q
wait_dead
test_end

test_begin a_console_not_in_debug_mode_backs_off
start 80 24
wait_for "3 up"
tm send-keys -t t c
wait_for "node-0 console"
wait_for "E44 ] Enclave console connection failure"
wait_for "retrying in 1 s --"
# Each try says its one line and ends at once: the waits grow, said so.
tmux_expect "$SOCK" t "retrying in 2 s (it keeps ending at once" 400
tmux_expect "$SOCK" t "retrying in 4 s (it keeps ending at once" 400
check_eq "no try a second" "$(screen | grep -c 'retrying in 1 s')" 1
tm send-keys -t t x
wait_gone "node-0 console"
tm send-keys -t t q
wait_dead
test_end

test_begin finding_a_node_in_a_big_fleet
# 40 nodes: node-0..2 the simulator's, the rest on ports nobody answers
# except every fourth (dbNN), which answers through node-0's.
{
	sim_fleet "$SIM_FLEET_HEALTH" | sed 's/name = "sim"/name = "big"/'
	p0=$(awk '$1 == "node-0" {print $2}' "$SIM_DIR/ports")
	dead=$(free_port)
	for i in $(seq 3 39); do
		if [ $((i % 4)) = 0 ]; then name=db-$i port=$p0; else name=node-$i port=$dead; fi
		printf '\n[[node]]\nname = "%s"\nindex = %s\nping_url = "http://127.0.0.1:%s/ping"\ntransport = "local"\n' "$name" "$i" "$port"
	done
} >"$TMP/big.toml"
start 80 24 -- -f "$TMP/big.toml"
wait_for "bvops  big"
wait_for "12 up  28 down"
tm send-keys -t t a
wait_gone "ALERTS"
check_contains "rows off screen are said" "$(screen | sed -n 23p)" "more below"
# n: the next node that is down, from the top.
tm send-keys -t t g n
wait_for "node-5 "
check_contains "the selection on a down node" "$(screen | grep -F 'node-5 ')" "down"
# s: down first; again: by index.
tm send-keys -t t s
wait_for "by status (s: by index)"
check_contains "a down node first" "$(screen | sed -n 3p)" "down"
tm send-keys -t t s
wait_gone "by status (s: by index)"
# /: only the nodes that match; the count and how to undo it.
tm send-keys -t t / d b Enter
wait_for "/db: 9 of 40"
check_not_contains "others hidden" "$(screen | sed -n '3,22p')" "node-1 "
check_contains "the matches" "$(screen)" "db-36"
tm send-keys -t t / C-u Enter
wait_gone "/db: 9 of 40"
# :: a node by name (even hidden by a filter), and an action on it.
tm send-keys -t t / d b Enter
wait_for "/db: 9 of 40"
tm send-keys -t t : n o d e - 3 7
wait_for ":node-37_"
tm send-keys -t t Enter
wait_for "node-37 "
check_contains "selected, the filter let go" "$(screen | grep -F 'node-37 ')" "node-37"
check_not_contains "no filter" "$(screen)" "/db:"
tm send-keys -t t : r e s
wait_for ":res_"
check_contains "the palette offers what fits" "$(screen | sed -n 24p)" "restart"
tm send-keys -t t t a r t ' ' n o d e - 1 Enter
wait_for "Restart node-1 (index 1)?"
tm send-keys -t t n
wait_gone "Restart node-1"
tm send-keys -t t : a l e Enter
wait_for "Alerts:"
tm send-keys -t t Escape
tm send-keys -t t : q Enter
wait_dead
check_eq "the palette quits too" "${DEAD_STATUS:-}" 0
test_end

test_begin two_panes_follow_search_and_a_fault_marked
start 80 24 XDG_STATE_HOME="$TMP/state"
wait_for "3 up"
tm send-keys -t t l
wait_for "node-0 journal  follow"
wait_for " tsm[1099]: heartbeat"
tm send-keys -t t Tab j c
wait_for "node-1 console"
wait_for "[ E44 ]"
check_contains "first pane still there" "$(screen)" "node-0 journal"
# Panes stack full-width at 80x24.
check_eq "stacked: journal pane title at column 0" "$(screen | grep -c '^ node-0 journal')" 1
check_eq "stacked: console pane title at column 0" "$(screen | grep -c '^ node-1 console')" 1
tm send-keys -t t x
wait_gone "node-1 console"
# A fault on node-0 is a marked line in its pane when it happens.
sim_ctl node-0 fault 503
wait_for "-- HEALTH node-0: up -> down: HTTP 503 --"
sim_ctl node-0 fault none
wait_for "-- HEALTH node-0: down -> up"
# Search highlights and jumps; the pane pauses and counts new lines.
tm send-keys -t t / 'HEALTH node-0: up -> down' Enter
wait_for "PAUSED"
wait_for 'search "HEALTH node-0: up -> down"'
wait_for "new lines (G: go there)"
tm send-keys -t t G
wait_for "node-0 journal  follow"
# A filter hides, the search only highlights.
tm send-keys -t t '&' 'HEALTH' Enter
wait_for 'filter "HEALTH"'
check_eq "only marked lines left" "$(screen | sed -n '7,22p' | grep -c 'heartbeat')" 0
tm send-keys -t t '&' Enter
wait_for "heartbeat"
# Save writes the pane to a 0600 file.
tm send-keys -t t s
wait_for "saved to $TMP/state/bvops/sim/logs/node-0-journal-"
f=$(ls "$TMP"/state/bvops/sim/logs/node-0-journal-*.log 2>/dev/null | head -1)
check_contains "saved lines" "$(cat "$f" 2>/dev/null)" "-- HEALTH node-0: up -> down: HTTP 503 --"
check_eq "file mode" "$(stat -c %a "$f" 2>/dev/null)" 600
check_eq "folder mode" "$(stat -c %a "$TMP/state/bvops/sim/logs")" 700
tm send-keys -t t z
wait_gone "IDX NODE"
tm send-keys -t t z
wait_for "IDX NODE"
tm send-keys -t t Escape q
wait_dead
check_eq "clean exit" "$DEAD_STATUS" 0
test_end

test_begin log_panes_at_80_columns
start 80 24
wait_for "3 up"
tm send-keys -t t l
wait_for "node-0 journal  follow"
wait_for " tsm[1099]: heartbeat"
# Compact: the line's own time as HH:MM:SS, no date, no host.
check_eq "compact lines" "$(screen | grep -cE '^[0-9]{2}:[0-9]{2}:[0-9]{2} tsm\[1099\]: heartbeat')" "$(screen | grep -c 'tsm\[1099\]: heartbeat')"
check_not_contains "no host, no date" "$(screen)" "+0000 node-0 tsm"
tm send-keys -t t C
wait_for "+0000 node-0 tsm[1099]: heartbeat"
tm send-keys -t t C
wait_gone "+0000 node-0 tsm"
# t: bvops's time instead of the line's, never both.
tm send-keys -t t t
wait_for "follow  bvops time"
check_eq "one time a line" "$(screen | grep -cE '^[0-9:]{8} [0-9:]{8} ')" 0
check_eq "each line after one time" "$(screen | grep -c 'tsm\[1099\]: heartbeat')" "$(screen | grep -cE '^[0-9]{2}:[0-9]{2}:[0-9]{2} tsm\[1099\]: heartbeat')"
tm send-keys -t t t
wait_gone "bvops time"
# Long lines wrap, each next row marked; at the top of the pane a long
# line shows its tail, not only its head.
sim_ctl node-0 say 20 110
wait_for "tail 20"
S=$(screen)
check_contains "continuation rows marked" "$S" "↳"
top=$(printf '%s\n' "$S" | sed -n '7,22p' | awk '!/^↳/ {exit} {print}')
if [ -n "$top" ]; then
	check_contains "the top line's tail shows" "$top" "tail"
fi
check_contains "a wrapped line's last row" "$S" "=== tail 20"
# Wrap off: one row a line, Left/Right scroll it.
tm send-keys -t t o
wait_for "nowrap (Left/Right)"
check_not_contains "no continuation rows" "$(screen | sed -n '7,22p')" "↳"
tm send-keys -t t Right Right Right Right
wait_for "from col 81"
check_contains "scrolled to the lines' ends" "$(screen)" "=== tail 20"
tm send-keys -t t Left Left Left Left o
wait_gone "nowrap"
# & with ! hides what matches; /.../ is a regex; a bad one is refused.
tm send-keys -t t '&' '!heartbeat' Enter
wait_for 'filter "!heartbeat"'
check_eq "no heartbeat left" "$(screen | sed -n '7,22p' | grep -c heartbeat)" 0
tm send-keys -t t '&' '/said line 1[0-9] =/' Enter
wait_for 'filter "/said line 1[0-9] =/"'
check_not_contains "only 10-19" "$(screen | sed -n '7,22p')" "said line 20 "
check_contains "10-19 kept" "$(screen)" "said line 19 "
tm send-keys -t t '&' '/(/' Enter
wait_for "filter not set: /(/"
tm send-keys -t t '&' Enter
# A search says how many match, and which one is shown.
tm send-keys -t t / 'said line' Enter
wait_for "match 20 of 20 (n older, N newer)"
check_contains "the title keeps the count" "$(screen)" 'search "said line" 20/20'
tm send-keys -t t n
wait_for "match 19 of 20"
tm send-keys -t t Escape q
wait_dead
test_end

test_begin merged_pane_and_node_action
start 132 43
wait_for "3 up"
tm send-keys -t t L
wait_for "all journals  follow"
# The merged pane: bvops's time, the node, then the line without its own
# time and host (compact).
for n in node-0 node-1 node-2; do wait_for "$n       tsm[1099]: heartbeat"; done
tm send-keys -t t Tab j j R
wait_for "Restart node-2 (index 2)?"
check_contains "names the command" "$(screen)" "$SIM ctl $SIM_DIR 'node-2' restart"
check_contains "warns about quorum" "$(screen)" "takes the fleet below quorum"
tm send-keys -t t n
wait_for "cancelled: nothing was done"
tm send-keys -t t R
wait_for "Restart node-2 (index 2)?"
# Only an answer decides: a stray key and a resize leave the question.
tm send-keys -t t k x
tm resize-window -t t -x 80 -y 24
tm resize-window -t t -x 132 -y 43
wait_for "n or Esc: cancel"
check_contains "still asked after a stray key and a resize" "$(screen)" "Restart node-2 (index 2)?"
tm send-keys -t t y
wait_for "restart node-2: done (exit 0)"
wait_for "-- operator: restart node-2: done (exit 0) --"
tm send-keys -t t q
wait_dead
test_end

test_begin actions_target_the_focused_pane
start 100 30
wait_for "3 up"
tm send-keys -t t l
wait_for "node-0 journal"
# The table's selection moves to node-2; the focus goes back to node-0's
# pane: R, S and M act on node-0, what the operator looks at.
tm send-keys -t t Tab j j Tab R
wait_for "Restart node-0 (index 0)?"
check_not_contains "not the selected row" "$(screen)" "Restart node-2"
tm send-keys -t t n
wait_for "cancelled: nothing was done"
tm send-keys -t t S
wait_for "Stop node-0 (index 0)?"
tm send-keys -t t n
tm send-keys -t t M
wait_for "Maintenance for node-0: reason"
tm send-keys -t t Escape
# In the table, the selected row again.
tm send-keys -t t Escape R
wait_for "Restart node-2 (index 2)?"
tm send-keys -t t n
# The merged pane has no one node: said, nothing asked.
tm send-keys -t t L R
wait_for "the focused pane shows every node: restart acts on one"
check_not_contains "no question" "$(screen)" "(index"
tm send-keys -t t q q q
wait_dead
test_end

test_begin read_only_refuses_actions
start 80 24 -- --read-only
wait_for "3 up"
tm send-keys -t t S
wait_for "read-only: node-0 is not restarted, stopped or started from here"
check_not_contains "no confirmation" "$(screen)" "Stop node-0"
tm send-keys -t t q
wait_dead
test_end

test_begin hostile_lines_in_a_pane
cat >"$TMP/hostile.toml" <<'TOML'
[fleet]
name = "hostile"
[[node]]
name = "h"
index = 0
ping_url = "http://127.0.0.1:1/ping"
transport = "local"
[node.commands]
journal = "sh HOSTILE follow"
TOML
sed -i "s|HOSTILE|$PWD/tests/data/hostile_journal.sh|" "$TMP/hostile.toml"
new_server
tm new-session -d -s t -x 80 -y 24 "env TERM=xterm-256color LANG=C.UTF-8 $BVOPS -f $TMP/hostile.toml"
wait_for "h "
tm send-keys -t t l
wait_for "last line"
check_contains "1 MB of NUL bytes: wrapped, shown as ?, the newest line still there" "$(screen)" "????????????????????????????????????????"
check_eq "header still on row 1" "$(screen | head -1 | cut -c1-12)" " bvops  host"
tm send-keys -t t o / abc Enter
wait_for "PAUSED"
S=$(screen)
check_contains "title, clear, colour and cursor moves gone" "$S" "abc"
check_contains "NUL and a bad byte shown as ?" "$S" "d?e?f"
check_not_contains "no escape reached the terminal" "$(tm capture-pane -p -e -t t | grep abc)" "31m"
check_not_contains "the terminal was not retitled" "$(tm display -p -t t '#{pane_title}')" "pwned"
tm send-keys -t t Escape q
tm kill-server 2>/dev/null
test_end

test_begin maintenance_from_the_console_and_a_stop_holds
start 80 24
wait_for "3 up"
tm send-keys -t t j M
wait_for "Maintenance for node-1: reason[, for how long]"
tm send-keys -t t "kernel update, 1h" Enter
wait_for "node-1 in maintenance for 1h: kernel update"
wait_for "M/up"
check_contains "on node-1's row" "$(screen | grep node-1)" "M/up"
check_contains "in holds.json, for every bvops" "$(cat "$STATE/holds.json")" '"reason":	"kernel update"'
tm send-keys -t t M
wait_for "End maintenance of node-1? y/N"
tm send-keys -t t n
wait_for "cancelled: still in maintenance"
tm send-keys -t t M y
wait_for "node-1: maintenance ended"
wait_gone "M/up"
tm send-keys -t t S y
wait_for "stop node-1: done (exit 0)"
wait_for "S/down"
# Its failed checks are a stop, not an alarm: o, not x.
for i in $(seq 100); do screen | grep 'node-1 ' | grep -q '○' && break; tick; done
check_contains "the history says held" "$(screen | grep 'node-1 ')" "○"
check_not_contains "no alarm marks while held" "$(screen | grep 'node-1 ')" "✗"
check_contains "a node stopped on purpose is held" "$(cat "$STATE/holds.json")" "stopped on purpose from the console"
tm send-keys -t t U y
wait_for "start node-1: done (exit 0)"
wait_gone "S/"
check_not_contains "started again: the hold is gone" "$(cat "$STATE/holds.json")" "stopped on purpose"
A=$(cat "$STATE/audit.log")
check_contains "maintenance audited" "$A" '"action":"maintenance start","node":"node-1","result":"kernel update"'
check_contains "the stop audited with who" "$A" "\"user\":\"$(id -un)\",\"host\":\"$(hostname)\",\"action\":\"stop\",\"node\":\"node-1\",\"result\":\"stop node-1: done (exit 0)\""
tm send-keys -t t E
wait_for "events.log (Tab: audit log"
tm send-keys -t t Tab
wait_for "audit.log (Tab: event log"
wait_for "$(id -un)@$(hostname) stop"
tm send-keys -t t Escape
wait_gone "audit.log"
tm send-keys -t t q
wait_dead
test_end

test_begin incident_recorded_listed_viewed_exported
rm -rf "$STATE/incidents"
start 80 24
wait_for "3 up"
sim_ctl node-0 fault 503
wait_for "2 up"
sim_ctl node-0 fault none
wait_for "3 up"
# Closed 1 s after the recovery.
for i in $(seq 100); do
	grep -qs '"status": "closed"' "$STATE"/incidents/node-0-*.json && break
	tick
done
check_eq "one record" "$(ls "$STATE/incidents" | wc -l)" 1
ID=$(basename "$(ls "$STATE"/incidents/node-0-*.json)" .json)
tm send-keys -t t I
wait_for "Incidents: 1 (Enter view"
check_contains "listed" "$(screen)" "$ID"
check_contains "with its cause" "$(screen | grep "$ID")" "HTTP 503"
tm send-keys -t t Enter
wait_for "Incident: node-0 (index 0), fleet sim"
check_contains "says the stream was started for it" "$(cat "$STATE/incidents/$ID.json")" "journal stream started for this incident"
tm send-keys -t t G
wait_for "==> -- HEALTH node-0: down -> up: HTTP 200 --"
tm send-keys -t t x
wait_for "Export to: ~/incident-$ID.md"
tm send-keys -t t C-u "$TMP/report.md" Enter
wait_for "written to $TMP/report.md"
check_eq "0600" "$(stat -c %a "$TMP/report.md")" 600
run "$BVOPS" -f "$SIM_DIR/fleet.toml" incident show "$ID"
check_eq "the same report as bvops incident show" "$(cat "$TMP/report.md")" "$OUT"
check_contains "the failure's line is in it" "$OUT" "database connection lost, answering 503"
check_contains "and the recovery's" "$OUT" "database connection restored"
tm send-keys -t t x C-u "$TMP/report.md" Enter
wait_for "(not overwritten)"
# / in the report: the first line holding it shown, the count said.
tm send-keys -t t g / 'connection restored' Enter
wait_for "\"connection restored\": "
check_contains "which of how many" "$(screen | sed -n 24p)" " hold it, this is 1 (n next, N before)"
check_contains "shown at the top" "$(screen | sed -n 3p)" "tsm[1099]: database connecti"
tm send-keys -t t / 'no such text' Enter
wait_for "\"no such text\" not found"
tm send-keys -t t Escape Escape
wait_gone "Incidents:"
# And in the event log and the audit log (Tab).
tm send-keys -t t E
wait_for "Tab audit log"
# No watch runs: the console's own alerts are the event log.
wait_for "HTTP 503"
tm send-keys -t t / 'http 503' Enter
wait_for "\"http 503\": "
check_contains "which of how many" "$(screen | sed -n 24p)" "(n next, N before)"
tm send-keys -t t n
tm send-keys -t t Escape
wait_gone "Tab audit log"
tm send-keys -t t q
wait_dead
test_end

test_begin a_watch_beside_the_console_records_the_incident
rm -rf "$STATE/incidents"
"$BVOPS" watch --json -f "$SIM_DIR/fleet.toml" >"$TMP/watch.out" 2>&1 &
WPID=$!
for i in $(seq 100); do grep -q '"kind":"started"' "$TMP/watch.out" && break; tick; done
start 80 24
wait_for "3 up"
sim_ctl node-2 fault 503
wait_for "2 up"
for i in $(seq 100); do grep -q '"kind":"down"' "$TMP/watch.out" && break; tick; done
sim_ctl node-2 fault none
wait_for "3 up"
for i in $(seq 100); do
	grep -qs '"status": "closed"' "$STATE"/incidents/node-2-*.json && break
	tick
done
check_eq "one record, not one each" "$(ls "$STATE/incidents" | wc -l)" 1
check_contains "the watch's (its stream was already running)" "$(cat "$STATE"/incidents/node-2-*.json)" "journal stream already running"
tm send-keys -t t E
wait_for "events.log (Tab: audit log"
wait_for "down             node-2       HTTP 503"
tm send-keys -t t Escape q
wait_dead
kill "$WPID"; wait "$WPID" 2>/dev/null
test_end

test_begin a_deliberate_stop_is_not_an_outage
# S in the console, a watch beside it with an alert command: the stop's
# down is shown (the row, the watch's line, the alert list) but rings no
# bell, pages no one and opens no incident; the start's up likewise.
rm -rf "$STATE/incidents" "$TMP/paged.log"
sed "s|^\[fleet\]|[alerts]\ncommand = \"cat >>$TMP/paged.log\"\n\n[fleet]|" "$SIM_DIR/fleet.toml" >"$TMP/alerting.toml"
"$BVOPS" watch --json -f "$TMP/alerting.toml" >"$TMP/watch.out" 2>&1 &
WPID=$!
for i in $(seq 100); do grep -q '"kind":"started"' "$TMP/watch.out" && break; tick; done
start 100 30
wait_for "3 up"
tm send-keys -t t j S
wait_for "Stop node-1 (index 1)?"
tm send-keys -t t y
wait_for "stop node-1: done (exit 0)"
wait_for "S/down"
for i in $(seq 100); do grep -q '"node":"node-1".*"kind":"down"\|"kind":"down".*"node":"node-1"' "$TMP/watch.out" && break; tick; done
DOWN=$(grep '"kind":"down"' "$TMP/watch.out" | grep '"node":"node-1"' | head -1)
check_contains "the watch shows it, and whose stop it is" "$DOWN" "(stopped on purpose from the console ($(id -un)@$(hostname)): not paged)"
check_not_contains "no banner: no bell" "$(screen | tail -1)" "[A list, a ack]"
tm send-keys -t t A
wait_for "Alerts: "
check_contains "listed, with its hold" "$(screen | grep 'node-1 down')" "(stopped on purpose"
check_not_contains "not starred" "$(screen | grep 'node-1 down')" "* "
tm send-keys -t t Escape
tm send-keys -t t U
wait_for "Start node-1 (index 1)?"
tm send-keys -t t y
wait_for "start node-1: done (exit 0)"
wait_for "3 up"
for i in $(seq 100); do grep '"kind":"up"' "$TMP/watch.out" | grep -q '"node":"node-1"' && break; tick; done
check_contains "its recovery shown by the watch" "$(grep '"kind":"up"' "$TMP/watch.out")" '"node":"node-1"'
check_not_contains "still no banner" "$(screen | tail -1)" "[A list, a ack]"
kill -TERM "$WPID"
wait "$WPID"
check_eq "nothing paged" "$(cat "$TMP/paged.log" 2>/dev/null)" ""
check_eq "no incident opened" "$(ls "$STATE/incidents" 2>/dev/null | wc -l)" 0
tm send-keys -t t q
wait_dead
test_end

test_begin maintenance_is_marked
start 80 24 XDG_STATE_HOME="$TMP/state"
wait_for "3 up"
XDG_STATE_HOME="$TMP/state" run "$BVOPS" -f "$SIM_DIR/fleet.toml" maintenance node-2 --reason "disk swap" --yes
check_eq "set" "$RC" 0
wait_for "M/up"
check_contains "on node-2's row" "$(screen | grep node-2)" "M/up"
tm send-keys -t t G Enter
wait_for "held        maintenance: disk swap ($(id -un)@$(hostname))"
tm send-keys -t t Escape
XDG_STATE_HOME="$TMP/state" run "$BVOPS" -f "$SIM_DIR/fleet.toml" maintenance node-2 --end --yes
wait_gone "M/up"
tm send-keys -t t q
wait_dead
test_end

summary
