#!/usr/bin/env bash
# bvops watch against the node simulator: auto-restart counts and limits
# exact, the guards (quorum, many at once, systemd's start limit), alerts
# (down/up, flapping), the command and webhook sinks receiving the exact
# JSON, a hanging alert command not holding the checks, the event and
# audit logs, SIGHUP reloads and SIGTERM.
# usage: tests/watch.sh BVOPS
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
. tests/simlib.sh
. tests/motolib.sh
BVOPS=$(realpath "$1")
TMP=$(mktemp -d)
WATCH_PID=""
HOOK_PID=""
cleanup() {
	[ -n "$WATCH_PID" ] && kill "$WATCH_PID" 2>/dev/null && wait "$WATCH_PID" 2>/dev/null
	[ -n "$HOOK_PID" ] && kill "$HOOK_PID" 2>/dev/null && wait "$HOOK_PID" 2>/dev/null
	sim_stop
	moto_stop
	rm -rf "$TMP"
}
trap cleanup EXIT
export XDG_STATE_HOME="$TMP/state"
FAST='interval = "300ms"\ntimeout = "250ms"\nfailure_threshold = 2\nsuccess_threshold = 1'

# fleet N QUORUM HEALTH [EXTRA TOML]: a simulator of N nodes and its fleet.
fleet() {
	sim_stop
	SIM_FLEET_HEALTH="$FAST\n$3" sim_start "$1" || exit 1
	sed -i "s/^\[fleet\]/[fleet]\nquorum = $2/" "$SIM_DIR/fleet.toml"
	[ -n "${4:-}" ] && printf '\n%b\n' "$4" >>"$SIM_DIR/fleet.toml"
	F="$SIM_DIR/fleet.toml"
}

watch_start() {
	rm -f "$TMP/out" "$TMP/err"
	: >"$TMP/out"
	# JOURNAL_STREAM=out: stdout is the journal's stream (as systemd
	# says it); anything else, or unset, is not.
	if [ "${WATCH_JOURNAL:-}" = out ]; then
		export JOURNAL_STREAM
		JOURNAL_STREAM=$(stat -c '%d:%i' "$TMP/out")
	elif [ -n "${WATCH_JOURNAL:-}" ]; then
		export JOURNAL_STREAM=$WATCH_JOURNAL
	else
		unset JOURNAL_STREAM
	fi
	"$BVOPS" watch --json -f "$F" >>"$TMP/out" 2>"$TMP/err" &
	unset JOURNAL_STREAM
	WATCH_PID=$!
	wait_for '"kind":"started"' || fail "watch did not start: $(cat "$TMP/err")"
	# Every node checked twice (so up) before a test injects its fault.
	local name port i
	while read -r name port; do
		for i in $(seq 100); do
			[ "$("$SIM" ctl "$SIM_DIR" "$name" stats | awk '{print $2}')" -ge 2 ] && break
			tick
		done
	done <"$SIM_DIR/ports"
}

# watch_stop: SIGTERM; the exit status in WATCH_RC.
watch_stop() {
	kill -TERM "$WATCH_PID"
	wait "$WATCH_PID"
	WATCH_RC=$?
	WATCH_PID=""
}

# wait_for TEXT [TICKS]: until watch printed a line with TEXT (bounded).
wait_for() {
	local i
	for i in $(seq "${2:-150}"); do
		grep -qF -- "$1" "$TMP/out" 2>/dev/null && return 0
		tick
	done
	return 1
}

# lines KIND: watch's JSON lines of that kind.
lines() { grep -F "\"kind\":\"$1\"" "$TMP/out"; }
# field KEY: that key of the JSON line on stdin.
field() { python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())[sys.argv[1]])' "$1"; }
restarts() { "$SIM" ctl "$SIM_DIR" "$1" stats | awk '{print $6}'; }

test_begin restart_after_exactly_n_then_grace_then_give_up
fleet 3 2 'restart_after = 3\nrestart_grace = "2s"\nmax_restarts = 2\nrestart_window = "10m"'
watch_start
sim_ctl node-1 fault 503
wait_for '"kind":"restart_gave_up"' 200 || fail "no give-up"
check_eq "the first attempt after exactly 3 failed checks" "$(lines restart_attempt | head -1 | field consecutive_failures)" 3
check_eq "down, attempt, done, attempt, done, gave up, in order" \
	"$(grep -o '"kind":"[a-z_]*"' "$TMP/out" | grep -v started | sed 's/"kind"://; s/"//g' | tr '\n' ' ')" \
	"down restart_attempt restart_done restart_attempt restart_done restart_gave_up "
check_eq "the simulator was restarted exactly twice" "$(restarts node-1)" 2
t_done=$(lines restart_done | head -1 | field time)
t_next=$(lines restart_attempt | sed -n 2p | field time)
gap=$(python3 -c 'import sys
from datetime import datetime as d
f=lambda s: d.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ")
print((f(sys.argv[2]) - f(sys.argv[1])).total_seconds() >= 2.0)' "$t_done" "$t_next")
check_eq "no attempt during the 2 s grace period" "$gap" True
for i in $(seq 10); do tick; done
check_eq "and none after giving up" "$(restarts node-1)" 2
check_contains "says why, and what to do" "$(lines restart_gave_up)" "until an operator re-arms it"
watch_stop
check_eq "SIGTERM: exit 0" "$WATCH_RC" 0
check_contains "says it stopped" "$(tail -1 "$TMP/out")" '"kind":"stopped"'
test_end

test_begin journald_priorities_under_systemd
# Under systemd (stdout is JOURNAL_STREAM) every line starts with its
# syslog priority: journald records it (journalctl -p warning) and takes
# it off.
fleet 3 2 'restart_after = 1000'
WATCH_JOURNAL=out watch_start
sim_ctl node-1 fault 503
wait_for '"kind":"down"' 200 || fail "no down"
sim_ctl node-1 fault none
wait_for '"kind":"up"' 200 || fail "no up"
watch_stop
check_eq "started: info" "$(grep -F '"kind":"started"' "$TMP/out" | cut -c1-4)" "<6>{"
check_eq "down: warning" "$(grep -F '"kind":"down"' "$TMP/out" | head -1 | cut -c1-4)" "<4>{"
check_eq "up: notice" "$(grep -F '"kind":"up"' "$TMP/out" | head -1 | cut -c1-4)" "<5>{"
check_eq "every line has one" "$(grep -vc '^<[0-7]>' "$TMP/out")" 0
# Another stream (a pipe, a file, a terminal): plain lines.
fleet 3 2 'restart_after = 1000'
WATCH_JOURNAL=1:1 watch_start
watch_stop
check_eq "not the journal: no prefix" "$(head -1 "$TMP/out" | cut -c1)" "{"
test_end

test_begin a_failed_restart_backs_off
fleet 3 2 'restart_after = 2\nrestart_grace = "1s"\nmax_restarts = 5\nrestart_backoff = "1500ms"'
watch_start
sim_ctl node-0 restart-mode fail
sim_ctl node-0 fault 503
wait_for '"kind":"restart_failed"' || fail "no failure"
check_contains "says what systemctl said" "$(lines restart_failed)" "failed because the control process exited with error code"
wait_for 'restart 2 of at most 5' 100 || fail "no second attempt"
# 1.5 s of back-off; without it the next attempt would come 0.6 s later
# (2 failed checks 300 ms apart).
t1=$(lines restart_failed | head -1 | field time)
t2=$(lines restart_attempt | sed -n 2p | field time)
check_eq "the back-off was waited" "$(python3 -c 'import sys
from datetime import datetime as d
f=lambda s: d.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ")
print((f(sys.argv[2]) - f(sys.argv[1])).total_seconds() >= 1.4)' "$t1" "$t2")" True
watch_stop
test_end

test_begin systemd_start_limit_is_its_own_state
fleet 3 2 'restart_after = 2\nmax_restarts = 5'
watch_start
sim_ctl node-2 restart-mode start-limit
sim_ctl node-2 fault 503
wait_for '"kind":"start_limit"' || fail "no start-limit state"
check_contains "says what clears it" "$(lines start_limit)" "until an operator clears it"
for i in $(seq 15); do tick; done
check_eq "one attempt, no more" "$(restarts node-2)" 1
watch_stop
test_end

test_begin quorum_guard_holds_a_restart
# restart_after below failure_threshold: the node still counts as up, and
# restarting it would leave 1 up with a quorum of 2.
fleet 2 2 'restart_after = 2\nfailure_threshold = 6' 
sed -i 's/^failure_threshold = 2$//' "$F"
watch_start
sim_ctl node-0 fault 503
wait_for '"kind":"restart_held"' || fail "not held: $(cat "$TMP/out")"
check_contains "says why" "$(lines restart_held)" "1 nodes would be up, below the quorum of 2"
check_eq "no restart" "$(restarts node-0)" 0
watch_stop
test_end

test_begin many_down_at_once_restarts_nothing
fleet 3 2 'restart_after = 2'
watch_start
sim_ctl node-0 fault 503
sim_ctl node-1 fault 503
wait_for '"kind":"many_down"' || fail "no grouped alert"
check_contains "one grouped alert naming them" "$(lines many_down)" "2 of 3 nodes failing (node-0, node-1)"
check_eq "one only" "$(lines many_down | wc -l)" 1
for i in $(seq 10); do tick; done
check_eq "nothing restarted" "$(restarts node-0)$(restarts node-1)" 00
watch_stop
test_end

test_begin flapping_is_reported_once
fleet 3 2 '' '[alerts]\nflap_changes = 3\nflap_window = "1m"'
watch_start
for round in 1 2 3; do
	sim_ctl node-1 fault 503
	wait_for "\"seq\":$((2 * round - 1)),\"fleet\":\"sim\",\"node\":\"node-1\"" 50 || true
	sim_ctl node-1 fault none
	for i in $(seq 50); do
		[ "$(grep -c '"to":"up"\|"kind":"flapping"' "$TMP/out")" -ge "$round" ] && break
		tick
	done
done
wait_for '"kind":"flapping"' 50 || fail "no flapping alert: $(cat "$TMP/out")"
n_after=$(grep -c '"node":"node-1"' "$TMP/out")
sim_ctl node-1 fault 503
for i in $(seq 10); do tick; done
sim_ctl node-1 fault none
for i in $(seq 10); do tick; done
check_eq "one flapping alert" "$(lines flapping | wc -l)" 1
check_eq "no alert per change after it" "$(grep -c '"node":"node-1"' "$TMP/out")" "$n_after"
watch_stop
test_end

test_begin command_and_webhook_get_the_exact_json
rm -f "$TMP/hook.port" "$TMP/hook.log" "$TMP/cmd.log"
python3 tests/webhook_fixture.py --port-file "$TMP/hook.port" --log "$TMP/hook.log" --fail 1 &
HOOK_PID=$!
for i in $(seq 100); do [ -s "$TMP/hook.port" ] && break; tick; done
fleet 3 2 '' "[alerts]\ncommand = \"cat >> $TMP/cmd.log\"\nwebhook = \"http://127.0.0.1:$(cat "$TMP/hook.port")/alert\""
watch_start
sim_ctl node-2 fault 503
wait_for '"sink":"webhook","ok":true' 100 || fail "webhook never accepted: $(cat "$TMP/out")"
wait_for '"sink":"command","ok":true' 100 || fail "command never accepted"
down=$(lines down | head -1)
check_eq "the command got the alert's JSON on stdin" "$(head -1 "$TMP/cmd.log")" "$down"
check_eq "the webhook got it too" "$(head -1 "$TMP/hook.log")" "$down"
check_contains "its first failure was said" "$(cat "$TMP/out")" '"sink":"webhook","ok":false,"final":false,"attempt":1,"message":"HTTP 500"'
check_contains "and the retry" "$(cat "$TMP/out")" '"sink":"webhook","ok":true,"final":true,"attempt":2'
check_eq "the JSON's keys" "$(printf '%s' "$down" | python3 -c 'import json,sys; print(sorted(json.load(sys.stdin)))')" \
	"['consecutive_failures', 'detail', 'error', 'fleet', 'from', 'http_code', 'index', 'kind', 'log_excerpt', 'node', 'seq', 'time', 'to']"
check_contains "a log excerpt from the node's journal" "$(printf '%s' "$down" | field log_excerpt)" "node-2"
watch_stop
kill "$HOOK_PID"; wait "$HOOK_PID" 2>/dev/null; HOOK_PID=""
test_end

test_begin downs_close_in_time_page_as_one
rm -f "$TMP/cmd.log"
fleet 5 2 '' "[alerts]\ncommand = \"cat >> $TMP/cmd.log\"\ngroup_window = \"2s\""
watch_start
sim_ctl node-0 fault 503
wait_for '"node":"node-0","index":0,"kind":"down"' || fail "no first down"
sim_ctl node-1 fault 503
sim_ctl node-2 fault 503
wait_for '"kind":"grouped"' 100 || fail "no grouped alert: $(cat "$TMP/out")"
wait_for '"sink":"command","ok":true,"final":true,"attempt":1,"message":"exit 0"' || true
for i in $(seq 100); do [ "$(grep -c . "$TMP/cmd.log" 2>/dev/null)" -ge 2 ] && break; tick; done
check_eq "three downs, each printed" "$(grep -c '^{"seq":[0-9]*,"fleet":"sim","node":"node-[0-9]","index":[0-9],"kind":"down"' "$TMP/out")" 3
check_eq "paged twice: the first down, then one for the other two" "$(grep -c . "$TMP/cmd.log")" 2
check_contains "the first page is node-0's down" "$(sed -n 1p "$TMP/cmd.log")" '"node":"node-0","index":0,"kind":"down"'
g=$(sed -n 2p "$TMP/cmd.log")
check_contains "the second names both" "$g" '"kind":"grouped"'
check_contains "says how many" "$(printf '%s' "$g" | field detail)" "2 more nodes down within 2 s:"
check_eq "and carries both alerts" "$(printf '%s' "$g" | python3 -c 'import json,sys; print(sorted(a["node"] for a in json.load(sys.stdin)["alerts"]))')" "['node-1', 'node-2']"
watch_stop
test_end

test_begin incident_keeps_checks_and_journal_around_the_failure
fleet 3 2 '' '[incidents]\nbefore = "30s"\nafter = "1s"'
rm -rf "$XDG_STATE_HOME/bvops/sim/incidents"
watch_start
sim_ctl node-1 fault 503
wait_for '"kind":"down"' || fail "no down"
sim_ctl node-1 fault none
wait_for '"kind":"up"' || fail "no up"
for i in $(seq 100); do
	grep -qs '"status": "closed"' "$XDG_STATE_HOME"/bvops/sim/incidents/node-1-*.json && break
	tick
done
run "$BVOPS" -f "$F" --json incident list
check_eq "one incident, closed" "$(printf '%s' "$OUT" | python3 -c 'import json,sys; l=json.load(sys.stdin); print(len(l), l[0]["node"], l[0]["status"], l[0]["cause"])')" "1 node-1 closed HTTP 503"
ID=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
J="$XDG_STATE_HOME/bvops/sim/incidents/$ID.json"
check_eq "0600" "$(stat -c %a "$J")" 600
check_eq "checks before, during and after: 200s, 503s, 200s" \
	"$(python3 -c 'import json,sys,itertools; c=json.load(open(sys.argv[1]))["checks"]; print([k for k,_ in itertools.groupby(x["http_code"] for x in c)])' "$J")" "[200, 503, 200]"
run "$BVOPS" -f "$F" incident show "${ID:0:10}"
check_eq "an id prefix is enough" "$RC" 0
check_contains "the journal line of the failure" "$OUT" "node-1 tsm[1099]: database connection lost, answering 503"
check_contains "the line of the recovery" "$OUT" "node-1 tsm[1099]: database connection restored"
check_contains "a line from before the failure" "$OUT" "node-1 tsm[1099]: heartbeat ok"
check_contains "the transition marked" "$OUT" "==> -- HEALTH node-1: up -> down: HTTP 503 --"
check_contains "the outage" "$OUT" "| Outage |"
lost=$(printf '%s\n' "$OUT" | grep -n 'database connection lost' | cut -d: -f1)
down=$(printf '%s\n' "$OUT" | grep -n 'HEALTH node-1: up -> down' | cut -d: -f1)
check_eq "the failure's line comes before the down mark" "$([ "$lost" -lt "$down" ] && echo yes)" yes
run "$BVOPS" -f "$F" incident export latest "$TMP/inc.txt" --text
check_eq "export" "$RC:$OUT" "0:incident $ID written to $TMP/inc.txt"
check_not_contains "plain text: no Markdown" "$(cat "$TMP/inc.txt")" '```'
run "$BVOPS" -f "$F" incident export latest "$TMP/inc.txt"
check_eq "never over an existing file" "$RC" 2
check_contains "says so" "$ERR" "(not overwritten)"
run "$BVOPS" -f "$F" incident export latest "$TMP/inc.txt" --force
check_eq "unless --force" "$RC" 0
run "$BVOPS" -f "$F" incident show nosuch
check_eq "unknown id" "$RC:$ERR" "2:bvops: no incident nosuch (bvops incident list shows them)"
watch_stop
test_end

test_begin incident_keeps_the_first_and_last_lines_within_its_bound
fleet 3 2 '' '[incidents]\nbefore = "30s"\nafter = "1s"\nmax_lines = 10'
rm -rf "$XDG_STATE_HOME/bvops/sim/incidents"
watch_start
sim_ctl node-2 fault 503
wait_for '"kind":"down"' || fail "no down"
# Heartbeats every second: more lines than the bound before recovery.
for i in $(seq 60); do tick; done
sim_ctl node-2 fault none
wait_for '"kind":"up"' || fail "no up"
for i in $(seq 100); do
	grep -qs '"status": "closed"' "$XDG_STATE_HOME"/bvops/sim/incidents/node-2-*.json && break
	tick
done
J=$(ls "$XDG_STATE_HOME"/bvops/sim/incidents/node-2-*.json)
check_eq "exactly the bound kept, the rest counted" \
	"$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["journal"]), d["journal_dropped"] > 0)' "$J")" "10 True"
check_contains "the recovery is among the lines kept" \
	"$(python3 -c 'import json,sys; print([l["text"] for l in json.load(open(sys.argv[1]))["journal"]])' "$J")" "database connection restored"
run "$BVOPS" -f "$F" incident show latest --text
check_contains "the report says lines were left out" "$OUT" "lines not kept (the record keeps the first and the last)"
watch_stop
test_end

test_begin a_hanging_alert_command_holds_nothing
# A command that never ends: it opens a pipe nobody writes to.
rm -f "$TMP/hang"
mkfifo "$TMP/hang"
fleet 3 2 '' "[alerts]\ncommand = \"exec cat $TMP/hang\"\ncommand_timeout = \"3s\""
watch_start
sim_ctl node-0 fault 503
wait_for '"kind":"down"' || fail "no down"
sim_ctl node-0 fault none
# The command hangs on the first alert; checks and alerts go on.
wait_for '"kind":"up"' 30 || fail "the recovery was not seen while the command hung"
wait_for 'timed out after 3000 ms' 100 || fail "the hung command was not killed"
# Had the engine waited for the command, the recovery would come after it.
check_eq "the recovery was alerted while the command still hung" \
	"$(grep -n '"kind":"up"\|timed out after' "$TMP/out" | head -1 | grep -c '"kind":"up"')" 1
pgrep -f "^cat $TMP/hang$" >/dev/null && fail "the command is still running"
watch_stop
test_end

test_begin fifty_flooding_journals_hold_nothing
# 51 nodes whose journals are floods (yes prints as fast as it is read):
# the engine must still check, alert and stop on SIGTERM.
fleet 51 1 ''
sed -i 's|^journal = .*|journal = "yes journal-line-{node}"|' "$F"
watch_start
# Every flood running before the fault.
for i in $(seq 100); do [ "$(pgrep -fc '^yes journal-line-node-')" -ge 51 ] && break; tick; done
check_eq "51 floods running" "$(pgrep -fc '^yes journal-line-node-')" 51
sim_ctl node-50 fault 503
wait_for '"node":"node-50"' 200 || fail "no down event for node-50 under 50 floods"
check_eq "the event is the down" "$(grep -F '"node":"node-50"' "$TMP/out" | head -1 | field kind)" down
kill -TERM "$WATCH_PID"
for i in $(seq 40); do kill -0 "$WATCH_PID" 2>/dev/null || break; tick; done
if kill -0 "$WATCH_PID" 2>/dev/null; then
	fail "watch still runs 2 s after SIGTERM"
	kill -KILL "$WATCH_PID"
fi
wait "$WATCH_PID"
check_eq "SIGTERM under floods: exit 0" "$?" 0
WATCH_PID=""
check_eq "no flood left running" "$(pgrep -fc '^yes journal-line-node-')" 0
test_end

test_begin maintenance_holds_restarts_and_paging
rm -f "$TMP/cmd.log"
fleet 3 2 'restart_after = 2\nmax_restarts = 1' "[alerts]\ncommand = \"cat >> $TMP/cmd.log\"\nremind_every = \"0s\""
run "$BVOPS" -f "$F" maintenance node-1 --reason "kernel update" --for 2s
check_eq "needs --yes without a terminal" "$RC" 1
run "$BVOPS" -f "$F" maintenance node-1 --reason "kernel update" --for 2s --dry-run
check_eq "dry run: the plan" "$OUT" "would put node-1 in maintenance (kernel update) for 2s: no automatic restart, no paging"
[ -e "$XDG_STATE_HOME/bvops/sim/holds.json" ] && fail "the dry run wrote something"
run "$BVOPS" -f "$F" maintenance node-1 --reason "kernel update" --yes
check_eq "set" "$RC" 0
check_contains "owner recorded" "$(cat "$XDG_STATE_HOME/bvops/sim/holds.json")" "\"owner\":	\"$(id -un)@$(hostname)\""
watch_start
sim_ctl node-1 fault 503
wait_for '"kind":"restart_held"' || fail "not held: $(cat "$TMP/out")"
check_contains "held for maintenance" "$(lines restart_held)" "maintenance: kernel update ($(id -un)@$(hostname))"
check_contains "the down alert says it pages no one" "$(lines down)" "(in maintenance: not paged)"
for i in $(seq 10); do tick; done
check_eq "no restart in maintenance" "$(restarts node-1)" 0
check_eq "nothing paged" "$(cat "$TMP/cmd.log" 2>/dev/null)" ""
run "$BVOPS" -f "$F" maintenance node-1 --end --yes
check_eq "ended" "$RC" 0
wait_for 'maintenance ended and the node is still down' || fail "no alert when maintenance ended"
wait_for '"kind":"restart_attempt"' || fail "no restart after maintenance"
wait_for '"sink":"command","ok":true' || fail "no page after maintenance"
check_contains "paged now" "$(cat "$TMP/cmd.log")" "maintenance ended and the node is still down"
watch_stop
test_end

test_begin a_stopped_node_is_held_then_pages_if_it_does_not_come_back
# A stop from a console holds the node (holds.json, as any bvops of the
# fleet writes it): its down is shown, not paged. Its hold lifted (a
# start) and the node still down after restart_grace: that is an outage.
rm -f "$TMP/cmd2.log"
fleet 3 2 'restart_grace = "1s"' "[alerts]\ncommand = \"cat >> $TMP/cmd2.log\""
mkdir -p "$XDG_STATE_HOME/bvops/sim"
H="$XDG_STATE_HOME/bvops/sim/holds.json"
python3 -c 'import json,sys; json.dump({"holds": {"node-1": [{"kind": "stop", "id": "", "reason": "stopped on purpose from the console", "owner": "ann@ops-1", "since": "2026-12-02T00:00:00Z", "until": None}]}}, open(sys.argv[1], "w"))' "$H"
watch_start
sim_ctl node-1 stop
wait_for '"kind":"down"' || fail "no down"
check_contains "shown, with whose stop" "$(lines down)" "(stopped on purpose from the console (ann@ops-1): not paged)"
echo '{"holds": {}}' >"$H"
wait_for 'started again after a stop and still down' 100 || fail "no alert once the hold ended and it stayed down"
wait_for '"sink":"command","ok":true' || fail "not paged"
check_contains "paged now" "$(cat "$TMP/cmd2.log")" "started again after a stop and still down"
# Sinks deliver in order: had the held down been paged, it would be here.
check_eq "the held down was never paged" "$(grep -c 'stopped on purpose' "$TMP/cmd2.log")" 0
check_eq "one page in all" "$(grep -c '"kind":"down"' "$TMP/cmd2.log")" 1
sim_ctl node-1 start
watch_stop
rm -f "$H"
test_end

test_begin rearm_after_giving_up
fleet 3 2 'restart_after = 2\nmax_restarts = 1\nrestart_grace = "500ms"'
watch_start
sim_ctl node-0 fault 503
wait_for '"kind":"restart_gave_up"' 200 || fail "no give-up"
check_eq "one restart" "$(restarts node-0)" 1
run "$BVOPS" -f "$F" rearm node-0 --yes
check_eq "rearm" "$RC:$OUT" "0:re-arm auto-restart on node-0: done"
wait_for '"restart 1 of at most 1' 100 || true
for i in $(seq 100); do [ "$(restarts node-0)" = 2 ] && break; tick; done
check_eq "restarted again after the re-arm" "$(restarts node-0)" 2
check_contains "audited" "$(cat "$XDG_STATE_HOME/bvops/sim/audit.log")" '"action":"rearm","node":"node-0","result":"ok"'
watch_stop
test_end

test_begin event_and_audit_logs
[ -s "$XDG_STATE_HOME/bvops/sim/events.log" ] || fail "no events.log"
check_eq "0600" "$(stat -c %a "$XDG_STATE_HOME/bvops/sim/events.log")" 600
check_eq "folder 0700" "$(stat -c %a "$XDG_STATE_HOME/bvops/sim")" 700
check_contains "audit: who, what, where, result" "$(head -1 "$XDG_STATE_HOME/bvops/sim/audit.log")" '"action":"auto-restart","node":"node-1","result":"restart_attempt"'
check_contains "audit: user and host" "$(head -1 "$XDG_STATE_HOME/bvops/sim/audit.log")" "\"user\":\"$(id -un)\",\"host\":\"$(hostname)\""
test_end

test_begin sighup_reloads_or_keeps_the_old_fleet
fleet 2 1 ''
watch_start
cp "$F" "$TMP/good.toml"
printf 'oops = [\n' >>"$F"
kill -HUP "$WATCH_PID"
wait_for '"kind":"reload","fleet":"sim","ok":false' || fail "no reload failure"
check_contains "names the file and line" "$(lines reload)" "is not valid, still watching the fleet as it was: $F:"
cp "$TMP/good.toml" "$F"
sed -i 's/^name = "sim"/name = "sim2"/' "$F"
kill -HUP "$WATCH_PID"
wait_for '"kind":"reload","fleet":"sim2","ok":true' || fail "no reload"
sim_ctl node-0 fault 503
wait_for '"fleet":"sim2","node":"node-0","index":0,"kind":"down"' || fail "the reloaded fleet is not watched"
watch_stop
check_eq "exit" "$WATCH_RC" 0
test_end

test_begin health_published_to_cloudwatch
# moto's CloudWatch, with signatures checked (motolib.sh).
aws_test_env "$TMP"
moto_start "$TMP/moto.log" || fail "no moto"
moto_signed_user "$TMP"
fleet 3 2 '' '[metrics]\ninterval = "1s"'
watch_start
wait_for '"kind":"metrics","fleet":"sim","ok":true' || fail "not published: $(lines metrics)"
check_contains "says what and where" "$(lines metrics | head -1)" "publishing BVOps/NodeUp to CloudWatch (us-east-1) every 1 s"
sim_ctl node-1 fault 503
wait_for '"kind":"down"' || fail "no down"
cw_stat() {
	aws cloudwatch get-metric-statistics --namespace BVOps --metric-name NodeUp \
		--dimensions Name=Fleet,Value=sim Name=Node,Value="$1" \
		--start-time "$(date -u -d '-10 min' +%FT%TZ)" --end-time "$(date -u -d '+2 min' +%FT%TZ)" \
		--period 60 --statistics "$2" --query "Datapoints[].$2" --output text
}
for i in $(seq 100); do [ "$(cw_stat node-1 Minimum)" = "0.0" ] && break; tick; done
check_eq "node-1 down: 0 (read back with the aws CLI)" "$(cw_stat node-1 Minimum)" "0.0"
check_eq "node-0 up: 1" "$(cw_stat node-0 Maximum)" "1.0"
watch_stop
# A key CloudWatch refuses: said once, the watch goes on.
AWS_SECRET_ACCESS_KEY=wrong "$BVOPS" watch --json -f "$F" >"$TMP/out" 2>"$TMP/err" &
WATCH_PID=$!
wait_for '"kind":"metrics","fleet":"sim","ok":false' || fail "no failure said: $(cat "$TMP/out")"
check_contains "names the call" "$(lines metrics)" "CloudWatch PutMetricData"
for i in $(seq 40); do tick; done
check_eq "said once, not every second" "$(lines metrics | wc -l)" 1
watch_stop
moto_stop
test_end

test_begin valgrind_clean
# The engine, a restart, the sinks and a reload under valgrind (not for
# the sanitized build, which checks the same its own way).
if command -v valgrind >/dev/null && [[ "$BVOPS" != */asan/* ]]; then
	fleet 3 2 'restart_after = 3\nrestart_grace = "1s"' '[alerts]\ncommand = "cat >/dev/null"'
	rm -f "$TMP/out"
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		"$BVOPS" watch --json -f "$F" >"$TMP/out" 2>"$TMP/err" &
	WATCH_PID=$!
	wait_for '"kind":"started"' 300 || fail "watch did not start under valgrind"
	sim_ctl node-1 fault 503
	wait_for '"kind":"restart_done"' 300 || fail "no restart under valgrind"
	wait_for '"sink":"command","ok":true' 300 || fail "no delivery under valgrind"
	kill -HUP "$WATCH_PID"
	wait_for '"kind":"reload"' 300 || fail "no reload under valgrind"
	watch_stop
	check_eq "exit (99 is a valgrind report)" "$WATCH_RC" 0
	[ "$WATCH_RC" = 99 ] && head -30 "$TMP/err"
fi
test_end

test_begin debug_mode_left_too_long_pages
fleet 2 1 "" '[debug]\nalert_after = "30m"'
SW="$XDG_STATE_HOME/bvops/sim"
mkdir -p "$SW/debug"
printf '{"node":"node-1","since":"%s","procedure":"P1"}\n' "$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)" >"$SW/debug/node-1.json"
watch_start
wait_for '"kind":"debug_mode"' 100 || fail "no debug-mode alert: $(cat "$TMP/out")"
check_contains "names the node, how long, the way out" "$(lines debug_mode | head -1)" 'in Nitro debug mode for 1h (since '
check_contains "the command" "$(lines debug_mode | head -1)" 'procedure P1): bvops debug exit node-1'
check_eq "once per alert_after" "$(lines debug_mode | wc -l)" 1
check_eq "only that node" "$(lines debug_mode | grep -c '"node":"node-0"')" 0
watch_stop
rm -f "$SW/debug/node-1.json"
test_end

test_begin the_console_is_kept_while_in_debug_mode
fleet 2 1 ""
SW="$XDG_STATE_HOME/bvops/sim"
REC="$SW/debug/node-1.console.log"
mkdir -p -m 700 "$SW/debug"
rm -f "$REC"
sim_ctl node-1 debug-restart
printf '{"node":"node-1","since":"%s","procedure":"P2"}\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$SW/debug/node-1.json"
watch_start
for i in $(seq 300); do
	grep -qs "tsm: heartbeat session=" "$REC" && break
	tick
done
check_contains "the console's lines kept" "$(cat "$REC" 2>/dev/null)" "tsm: heartbeat session="
check_contains "after a line that says what for" "$(head -1 "$REC" 2>/dev/null)" "-- recording node-1's console: debug mode since "
check_contains "naming the procedure" "$(head -1 "$REC" 2>/dev/null)" "procedure P2 --"
check_eq "0600" "$(stat -c %a "$REC" 2>/dev/null)" 600
check_eq "only the node in debug mode" "$(ls "$SW/debug")" "$(printf 'node-1.console.log\nnode-1.json')"
# The enclave dies: what it said last is there afterwards.
sim_ctl node-1 stop
for i in $(seq 300); do
	grep -qs "reboot: Power down" "$REC" && break
	tick
done
run "$BVOPS" -f "$F" logs node-1 --source console --since-debug
check_eq "read back: exit 0" "$RC" 0
check_contains "its last words" "$OUT" "reboot: Power down"
check_contains "from the recording's start" "$(printf '%s\n' "$OUT" | head -1)" "-- recording node-1's console"
run "$BVOPS" -f "$F" logs node-0 --source console --since-debug
check_eq "no record: exit 1" "$RC" 1
check_contains "says when one is kept" "$ERR" "one is kept from debug enter to debug exit"
run "$BVOPS" -f "$F" logs node-1 --since-debug
check_eq "only with --source console" "$RC" 2
watch_stop
sim_ctl node-1 debug-restart
# Bounded: past its limit one line says the rest was not kept.
mv "$REC" "$TMP/rec.1"
BVOPS_CONSOLE_RECORD_MAX=600 watch_start
for i in $(seq 300); do
	grep -qs "the record is full (600 bytes)" "$REC" && break
	tick
done
check_contains "full, and said" "$(tail -1 "$REC" 2>/dev/null)" "-- the record is full (600 bytes): later lines were not kept --"
check_eq "within its bound (and that line)" "$(($(stat -c %s "$REC") < 800))" 1
watch_stop
rm -rf "$SW/debug"
test_end

test_begin ers_left_on_too_long_is_reminded
fleet 2 1 "" '[ers]\nremind_after = "2h"'
SW="$XDG_STATE_HOME/bvops/sim"
mkdir -p "$SW/ers"
for n in node-0 node-1; do
	printf '{"node":"%s","since":"%s","procedure":"E1"}\n' "$n" "$(date -u -d '-3 hours' +%Y-%m-%dT%H:%M:%SZ)" >"$SW/ers/$n.json"
done
watch_start
wait_for '"kind":"ers_active"' 100 || fail "no ERS reminder: $(cat "$TMP/out")"
check_contains "how long, on how many, the way out" "$(lines ers_active | head -1)" 'the ERS configuration has been on 2 of 2 nodes for 3h (since '
check_contains "the command" "$(lines ers_active | head -1)" 'bvops ers revert when the recovery is done'
check_contains "the fleet's, not a node's" "$(lines ers_active | head -1)" '"node":null'
check_eq "once per remind_after" "$(lines ers_active | wc -l)" 1
watch_stop
rm -rf "$SW/ers"
test_end

summary
