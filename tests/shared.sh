#!/usr/bin/env bash
# One truth for every operator and host: two bvops hosts (A: ann on
# host-a, B: bob on host-b), each with a state folder of its own, against
# one moto_server (signatures checked) and the node simulator. Each
# scenario of docs/shared-state.md: what B sees of A's debug mode, holds
# and maintenance; what B may do to them (asked, --force, audited); B's
# watch and a node A stopped; B ending A's debug session from the shared
# copy; an unreachable shared state and --offline; a procedure left open
# paged by another host's watch and taken over there; no secret in any
# state file or object.
# usage: tests/shared.sh BVOPS_BINARY
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
. tests/simlib.sh
. tests/motolib.sh
. tests/proclib.sh
B=$(realpath "$1")
PROC_KMS=1 proc_world tsm 3
K1=$(seed 1 key)
B0=$(seed 0 bucket)
ZERO=$(printf '0%.0s' $(seq 96))
policy() { aws kms get-key-policy --key-id "$1" --policy-name default --region eu-west-1 --query Policy --output text; }
ORIG1=$(policy "$K1")
SA="$TMP/host-a"
SB="$TMP/host-b"
mkdir -p "$SA" "$SB"
# a|b CMD...: bvops on host A or B (its own state folder, operator, host).
a() { XDG_STATE_HOME="$SA" BVOPS_HOST=host-a BVOPS_OPERATOR=ann run setsid -w "$B" -f "$F" "$@"; }
b() { XDG_STATE_HOME="$SB" BVOPS_HOST=host-b BVOPS_OPERATOR=bob run setsid -w "$B" -f "$F" "$@"; }
enclave_flags() { "$SIM" ctl "$SIM_DIR" "$1" state | python3 -c 'import json,sys; a=json.load(sys.stdin); print(a[0]["Flags"] if a else "none")'; }
s3_state() { aws s3 cp "s3://$B0/bvops/tsm/state.json" - --region eu-west-1 2>/dev/null; }
WATCH_PID=""
stop_watch() {
	[ -n "$WATCH_PID" ] && kill "$WATCH_PID" 2>/dev/null && wait "$WATCH_PID" 2>/dev/null
	WATCH_PID=""
}
trap 'stop_watch; proc_cleanup' EXIT
# b_watch FLEET: B's watch in the background, its JSON lines in
# $TMP/watch.out, its pages in $TMP/pages.log; the shared state looked at
# every 200 ms (seconds, by default).
b_watch() {
	: >"$TMP/watch.out"
	: >"$TMP/pages.log"
	XDG_STATE_HOME="$SB" BVOPS_HOST=host-b BVOPS_OPERATOR=bob \
		BVOPS_SHARED_POLL_MS=200 "$B" -f "$1" watch --json \
		>>"$TMP/watch.out" 2>"$TMP/watch.err" &
	WATCH_PID=$!
	watch_wait '"kind":"started"' || fail "B's watch did not start: $(cat "$TMP/watch.err")"
}
# watch_wait TEXT [TICKS]: until B's watch printed TEXT (bounded).
watch_wait() {
	local i
	for i in $(seq "${2:-300}"); do
		grep -qF -- "$1" "$TMP/watch.out" 2>/dev/null && return 0
		tick
	done
	return 1
}

SOCK="$TMP/tmux.sock"
tm() { tmux -S "$SOCK" -f /dev/null "$@"; }
# B's console, open before A acts, at 80x24 with the default look at the
# shared state (every 5 s).
if command -v tmux >/dev/null; then
	tm new-session -d -s b -x 80 -y 24 "env TERM=xterm-256color LANG=C.UTF-8 HOME=$HOME XDG_STATE_HOME=$SB BVOPS_HOST=host-b BVOPS_OPERATOR=bob AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY AWS_REGION=$AWS_REGION AWS_EC2_METADATA_DISABLED=true $B -f $F"
	tmux_wait "$SOCK" b "3 up" 300 || echo "B's console did not start"
fi

test_begin b_sees_a_debug_mode
a debug enter node-1 --yes --no-console
check_eq "A: in debug mode" "$RC" 0
check_eq "the enclave in debug mode" "$(enclave_flags node-1)" DEBUG_MODE
check_contains "in the shared state, with its owner" "$(s3_state)" '"owner":	"ann@host-a"'
b status
check_contains "B's status: whose, since when, from which host" "$(printf '%s\n' "$OUT" | grep node-1)" "DEBUG MODE for "
check_contains "whose" "$(printf '%s\n' "$OUT" | grep node-1)" "(ann's session from host-a, since 20"
b status --json
check_eq "B's JSON" "$(json_field "$OUT" '[(n["debug"]["by"], n["debug"]["host"], n["debug"]["recorded"], n["debug"]["key_policy"]) for n in d["nodes"] if n["name"] == "node-1"][0]')" "('ann', 'host-a', True, 'debug')"
check_eq "shared state read" "$(json_field "$OUT" 'd["shared_state"]["state"]')" "ok"
if command -v tmux >/dev/null; then
	# Within 15 s, on B's console: the header, the row, whose session.
	tmux_expect "$SOCK" b "DEBUG MODE node-1" 300
	check_contains "the row" "$(tm capture-pane -p -t b)" "DEBUG node-1"
	tm send-keys -t b j Enter
	tmux_expect "$SOCK" b "debug mode  ON (ann's, from host-a, "
	tm send-keys -t b Escape
	# R on A's node: whose it is, and only F goes over it.
	tm send-keys -t b R
	tmux_expect "$SOCK" b "node-1 is in ann's debug session"
	tmux_expect "$SOCK" b "F: Restart node-1 over it (audited)"
	check_contains "whose, said whole" "$(tm capture-pane -p -t b)" "from host-a"
	check_contains "and which procedure" "$(tm capture-pane -p -t b)" "(procedure 20"
	tm send-keys -t b y
	tmux_expect "$SOCK" b "not yours: F goes over it (audited), n cancels"
	tm send-keys -t b n
	tmux_expect "$SOCK" b "cancelled: nothing was done"
	check_eq "nothing restarted" "$(enclave_flags node-1)" DEBUG_MODE
	tm kill-server
else
	echo "SKIP: B's console (no tmux)"
fi
test_end

test_begin b_restart_of_a_debug_node_says_whose_and_needs_force
b node restart node-1 --yes
check_eq "refused" "$RC" 1
check_contains "whose session" "$OUT$ERR" "node-1 is in ann's debug session, since 20"
check_contains "from which host" "$OUT$ERR" "from host-a (procedure "
check_contains "--yes alone does not override" "$ERR" "--yes alone does not override it; --force does, and is audited"
check_eq "the enclave untouched" "$(enclave_flags node-1)" DEBUG_MODE
b ers apply --preset enable-ers-export --yes
check_eq "B's ERS refused too" "$RC" 1
check_contains "naming whose" "$OUT" "node-1 is in ann's debug session"
check_contains "and why" "$ERR" "ERS apply: another operator's session or hold: nothing done"
check_not_contains "nothing stopped" "$("$SIM" ctl "$SIM_DIR" node-0 state)" "[]"
test_end

test_begin b_ends_a_debug_session_from_the_shared_copy
b debug exit node-1 --yes
check_eq "--yes alone: refused" "$RC" 1
check_contains "says whose" "$OUT$ERR" "node-1 is in ann's debug session"
b debug exit node-1 --yes --force
check_eq "B ends it" "$RC:$ERR" "0:"
check_contains "read from the shared state" "$OUT" "entered on another host: its journal read from the shared state"
check_contains "the backup checked" "$OUT" "as backed up in s3://"
check_eq "A's backed-up policy, byte for byte" "$(policy "$K1")" "$ORIG1"
check_eq "protected again" "$(enclave_flags node-1)" NONE
check_not_contains "the mark is gone from the shared state" "$(s3_state)" '"debug":	{
		"node-1"'
check_contains "audited as B's" "$(tail -1 "$SB/bvops/tsm/audit.log")" '"user":"bob","host":"host-b","action":"debug-exit node-1"'
check_contains "forced over A's session" "$(tail -1 "$SB/bvops/tsm/audit.log")" "forced over: node-1 is in ann's debug session"
a status
check_not_contains "A sees it ended" "$(printf '%s\n' "$OUT" | grep node-1)" "DEBUG"
test_end

test_begin b_watch_neither_restarts_nor_pages_what_a_stopped
# B's watch restarts a node after 3 failed checks and pages every down.
sed -e 's/^\[health\]/[health]\nrestart_after = 3\nfailure_threshold = 2/' \
	-e 's/^interval = "300ms"/interval = "500ms"/' "$F" >"$TMP/watch.toml"
printf '\n[alerts]\ncommand = "cat >> %s"\n' "$TMP/pages.log" >>"$TMP/watch.toml"
b_watch "$TMP/watch.toml"
# B's watch has read the shared state, and checked node-2 twice (up),
# before A acts.
for i in $(seq 100); do [ -s "$SB/bvops/tsm/shared.json" ] && break; tick; done
n0=$("$SIM" ctl "$SIM_DIR" node-2 stats | awk '{print $2}')
for i in $(seq 200); do
	[ "$("$SIM" ctl "$SIM_DIR" node-2 stats | awk '{print $2}')" -ge $((n0 + 3)) ] && break
	tick
done
a node stop node-2 --yes --wait 10s
check_eq "A stopped it" "$RC" 0
watch_wait '"node":"node-2","index":2,"kind":"down"' || fail "B's watch never saw node-2 go down"
check_contains "shown as A's stop, not paged" "$(grep '"kind":"down"' "$TMP/watch.out" | grep node-2)" "(stopped on purpose with bvops node stop (ann@host-a): not paged)"
# Long past restart_after: still no restart, no page.
for i in $(seq 20); do tick 0.1; done
check_not_contains "not restarted by B" "$(cat "$TMP/watch.out")" '"node":"node-2","index":2,"kind":"restart_attempt"'
check_eq "not paged by B" "$(grep -c node-2 "$TMP/pages.log")" 0
check_eq "still stopped" "$("$SIM" ctl "$SIM_DIR" node-2 state)" "[]"
stop_watch
a status
check_contains "A's status: stopped on purpose, by A" "$(printf '%s\n' "$OUT" | grep node-2)" "stopped on purpose with bvops node stop (ann@host-a)"
b status
check_contains "B's status says the same" "$(printf '%s\n' "$OUT" | grep node-2)" "stopped on purpose with bvops node stop (ann@host-a)"
b node start node-2 --yes
check_eq "B's start of A's stopped node: refused without --force" "$RC" 1
check_contains "says whose" "$OUT$ERR" "node-2 is held by another operator: stopped on purpose with bvops node stop (ann@host-a)"
a node start node-2 --yes --wait 10s
check_eq "A starts it again" "$RC" 0
test_end

test_begin b_maintenance_end_lifts_only_b_own
a maintenance node-0 --reason "disk swap" --yes
check_eq "A's maintenance" "$RC" 0
b maintenance node-0 --end --yes
check_contains "not B's" "$OUT" "node-0 is not in your maintenance: nothing to end"
check_contains "A's stays, and B is told how to lift it" "$OUT" "node-0 is still held by maintenance: disk swap (ann@host-a) (--force lifts it)"
a status
check_contains "A's maintenance is still there" "$(printf '%s\n' "$OUT" | grep node-0)" "maintenance: disk swap (ann@host-a)"
b maintenance node-0 --reason "kernel" --yes
b maintenance node-0 --end --yes
check_eq "B's own" "$RC:$OUT" "0:end the maintenance of node-0: done
node-0 is still held by maintenance: disk swap (ann@host-a)"
b maintenance node-0 --end --yes --force
check_eq "forced: everybody's" "$RC" 0
check_contains "audited as forced" "$(tail -1 "$SB/bvops/tsm/audit.log")" '"maintenance end","node":"node-0","result":"ok; --force: every operator'"'"'s"'
a status
check_not_contains "gone for A too" "$(printf '%s\n' "$OUT" | grep node-0)" "maintenance"
test_end

test_begin an_unreachable_shared_state_is_said_and_refuses
# S3 alone cut off (SSM and KMS still answer): B cannot read the shared
# state.
DEAD="http://127.0.0.1:$(free_port)"
AWS_ENDPOINT_URL_S3=$DEAD b node restart node-0 --yes
check_eq "refused, a remote failure" "$RC" 3
check_contains "says since when and what to do" "$ERR" "shared state unreachable since "
check_contains "this host's view only" "$ERR" ": this host's view only"
check_contains "--offline named" "$ERR" "nothing done (--offline acts on this host's view alone"
AWS_ENDPOINT_URL_S3=$DEAD b status
check_contains "status says it" "$OUT" "NOTE: shared state unreachable since "
AWS_ENDPOINT_URL_S3=$DEAD b status --json
check_eq "and its JSON" "$(json_field "$OUT" 'd["shared_state"]["state"]')" "unreachable"
if command -v tmux >/dev/null; then
	# Every screen says it; an action refuses.
	tm new-session -d -s u -x 80 -y 24 "env TERM=xterm-256color LANG=C.UTF-8 HOME=$HOME XDG_STATE_HOME=$SB BVOPS_HOST=host-b BVOPS_OPERATOR=bob BVOPS_SHARED_POLL_MS=200 AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3=$DEAD AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY AWS_REGION=$AWS_REGION AWS_EC2_METADATA_DISABLED=true $B -f $F"
	tmux_expect "$SOCK" u "SHARED STATE UNREACHABLE since " 300
	check_contains "this host's view only" "$(tm capture-pane -p -t u)" ": this host's view only"
	tm send-keys -t u R
	tmux_expect "$SOCK" u "node-0: the shared state cannot be reached: nothing done (bvops --offline"
	tm kill-server
fi
# A watch says it as a line of its own.
: >"$TMP/watch.out"
XDG_STATE_HOME="$SB" BVOPS_HOST=host-b BVOPS_OPERATOR=bob BVOPS_SHARED_POLL_MS=200 \
	AWS_ENDPOINT_URL_S3=$DEAD "$B" -f "$F" watch --json >>"$TMP/watch.out" 2>"$TMP/watch.err" &
WATCH_PID=$!
watch_wait '"kind":"shared_state","ok":false' 300 || fail "B's watch never said it"
check_contains "the watch's line" "$(grep shared_state "$TMP/watch.out")" "shared state unreachable since "
stop_watch
AWS_ENDPOINT_URL_S3=$DEAD b node restart node-0 --yes --offline --wait 10s
check_eq "--offline goes ahead" "$RC" 0
check_contains "and says so" "$ERR" "--offline: acting on this host's view alone"
check_contains "audited here" "$(tail -1 "$SB/bvops/tsm/audit.log")" '"action":"restart","node":"node-0","result":"done (exit 0); offline: this host'"'"'s view only"'
rec=$(grep -l '"action":"restart","node":"node-0"' "$SB/bvops/tsm/outbox/"audit+* 2>/dev/null | head -1)
check_contains "waiting to be copied up" "$rec" "/outbox/audit+"
b status
check_not_contains "reachable again" "$OUT" "unreachable"
check_eq "copied up" "$(ls "$SB/bvops/tsm/outbox" | grep -c '^audit+')" 0
name=$(basename "$rec")
check_eq "the audit record is in S3, as it was written" "$(aws s3 cp "s3://$B0/bvops/tsm/audit/${name#audit+}" - --region eu-west-1)" "$(tail -1 "$SB/bvops/tsm/audit.log")"
test_end

test_begin a_procedure_left_open_pages_on_another_host_and_is_taken_over
# A's ERS apply dies after its stop step (an SSM session cut off): every
# node down and held by it, its lock left to expire.
printf '\n[alerts]\ncommand = "cat >> %s"\n' "$TMP/pages.log" >"$TMP/alerts.toml"
cat "$F" "$TMP/alerts.toml" >"$TMP/left.toml"
XDG_STATE_HOME="$SA" BVOPS_HOST=host-a BVOPS_OPERATOR=ann BVOPS_LOCK_TTL_MS=2000 \
	BVOPS_FAULT_AFTER_RECORDS=7 run setsid -w "$B" -f "$F" ers apply --preset enable-ers-export --yes
check_eq "A killed mid-procedure" "$RC" 137
id=$(ls "$SA/bvops/tsm/procedures" | grep -- '-ers-apply' | sed 's/.jsonl$//')
check_eq "every node stopped" "$("$SIM" ctl "$SIM_DIR" node-0 state)$("$SIM" ctl "$SIM_DIR" node-2 state)" "[][]"
check_contains "open, in the shared state" "$(s3_state)" "\"$id\":"
b_watch "$TMP/left.toml"
watch_wait '"kind":"procedure_orphaned"' 400 || fail "B's watch never paged the procedure A left"
line=$(grep '"kind":"procedure_orphaned"' "$TMP/watch.out" | head -1)
check_contains "names it, whose, where it stood" "$line" "procedure $id (ers-apply) by ann@host-a was left running at step stop: its lock expired at "
check_contains "and the nodes down" "$line" "down: node-0, node-1, node-2"
check_contains "and the ways on" "$line" "bvops procedure resume | rollback | abandon $id, from any host"
for i in $(seq 200); do grep -q procedure_orphaned "$TMP/pages.log" && break; tick; done
check_eq "paged once" "$(grep -c procedure_orphaned "$TMP/pages.log")" 1
watch_wait 'its hold ended and the node is still down' 200 || fail "its holds still silence the nodes"
check_not_contains "not restarted behind the operator's back" "$(cat "$TMP/watch.out")" '"kind":"restart_attempt"'
stop_watch
b procedure rollback "$id" --yes
check_eq "another operator's procedure: --force" "$RC" 1
check_contains "its journal taken from the shared copy, said" "$OUT" "procedure $id, begun by ann on host-a: its journal read from the shared state, taken over by bob@host-b"
check_contains "whose it is" "$OUT$ERR" "node-0 is held by another operator: procedure $id (ann@host-a)"
b procedure rollback "$id" --yes --force
check_eq "B rolls it back from the shared copy" "$RC:$ERR" "0:"
check_contains "audited" "$(cat "$SB/bvops/tsm/audit.log")" '"action":"procedure take-over"'
check_eq "every node up again" "$(for n in 0 1 2; do "$SIM" ctl "$SIM_DIR" node-$n state | grep -c RUNNING; done | tr -d '\n')" "111"
check_not_contains "no longer open" "$(s3_state)" "\"$id\":"
a procedure list
check_contains "A sees it rolled back" "$OUT" "rolled back"
test_end

test_begin a_refused_procedure_leaves_no_journal_open
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
later=$(date -u -d '+10 min' +%Y-%m-%dT%H:%M:%SZ)
printf '{"held": true, "id": "X1", "who": "carol", "host": "ops-3", "what": "config edit node-1", "since": "%s", "expires": "%s"}\n' "$now" "$later" |
	aws s3 cp - "s3://$B0/bvops/lock-tsm.json" --region eu-west-1 >/dev/null
b debug enter node-1 --yes --no-console
check_eq "refused at the lock" "$RC" 1
check_contains "says whose" "$ERR" "the fleet is locked by carol@ops-3"
# A journal with no begin record: listed as JSON all the same.
printf '{"rec":"step"}\n' >"$SB/bvops/tsm/procedures/20261201T000000Z-broken.jsonl"
b --json procedure list
check_eq "JSON only" "$(printf '%s' "$OUT" | python3 -c 'import json,sys; json.load(sys.stdin); print("ok")')" ok
refused=$(json_field "$OUT" '[e["id"] for e in d if "debug-enter" in e.get("id", "") and e.get("outcome") == "abandoned"][0]')
check_contains "the refused one ended, not started" "$(cat "$SB/bvops/tsm/procedures/$refused.jsonl")" '"outcome":"abandoned"'
check_contains "saying why" "$(cat "$SB/bvops/tsm/procedures/$refused.jsonl")" "not started: the fleet is locked by carol@ops-3"
check_contains "the broken one named" "$OUT" '"error":'
rm -f "$SB/bvops/tsm/procedures/20261201T000000Z-broken.jsonl"
b lock break X1 --yes
check_eq "carol's lock broken by its id" "$RC" 0
test_end

test_begin no_secret_in_any_state_file_or_object
# A config edit too (its texts beside the journal while it runs).
printf '#!/bin/sh\nprintf "\\n# edited on host A\\n" >>"$1"\n' >"$TMP/editor.sh"
chmod +x "$TMP/editor.sh"
VISUAL="$TMP/editor.sh" a config edit node-2 --yes
check_eq "edited" "$RC" 0
check_contains "uploaded" "$(aws s3 cp "s3://$(seed 2 bucket)/tsm-2/config.toml" - --region eu-west-1)" "# edited on host A"
# The seeded configs' secrets (demo/aws_seed.py): in no state file of
# either host, and in no object under the shared prefix.
secrets="FakePrivateKeyForTheDemoOnly Demo-Passw0rd demo-master-password demo-api-key"
found=""
for s in $secrets; do
	hits=$(grep -rlF -- "$s" "$SA" "$SB" 2>/dev/null)
	[ -n "$hits" ] && found="$found $s:$hits"
done
check_eq "no state file holds one" "$found" ""
keys=$(aws s3 ls "s3://$B0" --recursive --region eu-west-1 | awk '{print $4}' | grep '^bvops/')
check_contains "journals copied up" "$keys" "bvops/tsm/journals/"
check_contains "audit records copied up" "$keys" "bvops/tsm/audit/"
found=""
for k in $keys; do
	body=$(aws s3 cp "s3://$B0/$k" - --region eu-west-1 2>/dev/null)
	for s in $secrets; do
		case "$body" in *"$s"*) found="$found $k:$s" ;; esac
	done
done
check_eq "no object under the shared prefix holds one" "$found" ""
test_end

summary
