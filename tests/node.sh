#!/usr/bin/env bash
# bvops node restart|stop|start against the node simulator: the quorum
# effect said, the question (no terminal and no --yes: nothing done), the
# stop's hold and its end, the audit lines, --wait, --dry-run, --json and
# the exit codes. Every run without a terminal (setsid).
# usage: tests/node.sh BVOPS
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
. tests/simlib.sh
BVOPS=$(realpath "$1")
TMP=$(mktemp -d)
cleanup() {
	sim_stop
	rm -rf "$TMP"
}
trap cleanup EXIT
export XDG_STATE_HOME="$TMP/state"
STATE="$XDG_STATE_HOME/bvops/sim"
SIM_FLEET_HEALTH='interval = "300ms"\ntimeout = "250ms"'
sim_start 3 --start-delay 300 || exit 1
F="$SIM_DIR/fleet.toml"
bv() { run setsid -w "$BVOPS" -f "$F" "$@"; }
restarts() { "$SIM" ctl "$SIM_DIR" "$1" stats | awk '{print $6}'; }

test_begin dry_run_says_what_would_run_and_runs_nothing
bv node restart node-1 --dry-run
check_eq "exit 0" "$RC" 0
check_contains "the command" "$OUT" "dry run: would run on node-1: $SIM ctl $SIM_DIR 'node-1' restart"
check_contains "the quorum effect" "$OUT" "while node-1 is down only 2 are up, below the quorum of 3"
check_eq "not restarted" "$(restarts node-1)" 0
test_end

test_begin without_a_terminal_yes_is_needed
bv node restart node-1
check_eq "exit 1" "$RC" 1
check_contains "says why" "$ERR" "--yes"
check_eq "not restarted" "$(restarts node-1)" 0
bv node start node-1
check_eq "start too: exit 1" "$RC" 1
check_contains "start says why" "$ERR" "not confirmed: nothing done (answer y, or --yes in scripts)"
test_end

test_begin restart_waits_for_ping_and_is_audited
bv node restart node-1 --yes --wait 20s
check_eq "exit 0" "$RC:$ERR" "0:"
check_contains "the quorum effect said even with --yes" "$OUT" "below the quorum of 3"
check_contains "up after" "$OUT" "node-1: restart done, up after"
check_eq "restarted once" "$(restarts node-1)" 1
check_contains "audited" "$(tail -1 "$STATE/audit.log")" '"action":"restart","node":"node-1"'
test_end

test_begin stop_is_held_and_start_ends_the_hold
bv node stop node-2 --yes --wait 20s
check_eq "exit 0" "$RC:$ERR" "0:"
check_contains "stopped" "$OUT" "node-2: stop done, stopped after"
check_contains "held before it went down" "$(cat "$STATE/holds.json")" "stopped on purpose with bvops node stop"
run "$BVOPS" -f "$F" status
check_contains "status says it is held" "$(printf '%s\n' "$OUT" | grep node-2)" "stopped on purpose"
bv node start node-2 --yes --wait 20s
check_eq "start: exit 0" "$RC:$ERR" "0:"
check_contains "up" "$OUT" "node-2: start done, up after"
check_not_contains "the hold is gone" "$(cat "$STATE/holds.json")" "node-2"
check_contains "both audited" "$(tail -2 "$STATE/audit.log" | head -1)" '"action":"stop","node":"node-2"'
test_end

test_begin a_failing_restart_exits_1_with_its_output_in_json
sim_ctl node-0 restart-mode fail
bv node restart node-0 --yes --json
check_eq "exit 1" "$RC" 1
check_eq "JSON: not ok" "$(json_field "$OUT" 'd["ok"], d["exit_status"], d["action"], d["node"]')" "(False, 1, 'restart', 'node-0')"
check_contains "JSON: why" "$(json_field "$OUT" 'd["error"]')" "restart of node-0 failed (exit 1)"
check_contains "the quorum line went to stderr, stdout is the document" "$ERR" "quorum of 3"
sim_ctl node-0 restart-mode ok
bv node restart node-0 --yes --json --wait 20s
check_eq "then ok" "$RC:$(json_field "$OUT" 'd["ok"], d["error"], d["waited_ms"] is not None')" "0:(True, None, True)"
test_end

test_begin a_node_that_does_not_come_back_within_the_wait
sim_ctl node-1 fault 503
bv node restart node-1 --yes --wait 1s
check_eq "exit 1" "$RC" 1
check_contains "said, with its journal" "$OUT$ERR" "node-1 did not answer /ping with 200 within 1 s"
sim_ctl node-1 fault none
test_end

test_begin usage_errors
before=$(restarts node-1)
bv node restart node-9 --yes
check_eq "an unknown node: exit 2" "$RC" 2
check_contains "named" "$ERR" "no node 'node-9' in $F"
bv node restart
check_eq "no node: exit 2" "$RC" 2
bv node restart node-1 --wait soon
check_eq "a bad duration: exit 2" "$RC" 2
bv --read-only node stop node-1 --yes
check_eq "read-only: exit 2" "$RC" 2
check_contains "says so" "$ERR" "read-only"
check_contains "not stopped" "$("$SIM" ctl "$SIM_DIR" node-1 state)" '"State": "RUNNING"'
check_not_contains "not held" "$(cat "$STATE/holds.json" 2>/dev/null)" "node-1"
check_eq "nothing ran" "$(restarts node-1)" "$before"
# A state folder where the hold cannot be written (its lock file taken by
# a folder: root writes through a read-only mode): the stop cannot be
# held, a watch would page it, so it is not done.
mkdir -p "$STATE"
rm -f "$STATE/holds.lock"
mkdir "$STATE/holds.lock"
bv node stop node-1 --yes
rmdir "$STATE/holds.lock"
check_eq "refused first: exit 2" "$RC" 2
check_contains "says why" "$ERR" "node-1: the stop cannot be recorded as held ("
check_contains "and that nothing was done" "$ERR" "): nothing done"
check_contains "not stopped" "$("$SIM" ctl "$SIM_DIR" node-1 state)" '"State": "RUNNING"'
test_end

summary
