#!/usr/bin/env bash
# bvops ers apply / revert / status, end to end against moto_server
# (signatures checked, four nodes seeded by demo/aws_seed.py: two static,
# two dynamic) and the node simulator (stop, start, enclave_state,
# faults). Every run without a terminal (setsid).
# usage: tests/ers.sh BVOPS_BINARY [crash-step]
#   crash-step: kill bvops after every Nth journal record only (1: all)
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
. tests/simlib.sh
. tests/motolib.sh
. tests/proclib.sh
B=$(realpath "$1")
CRASH_STEP=${2:-1}
PROC_DYNAMIC_FROM=2 proc_world tsm 4
mkdir -p "$TMP/orig"
bv() { run setsid -w "$B" -f "$F" "$@"; }
state() { python3 tests/ers_check.py "$TMP/seed.json" "$TMP/orig" "$SIM_DIR/ports" "$@"; }
stored() { aws s3 cp "s3://$(seed "$1" bucket)/tsm-$1/config.toml" - --region eu-west-1 2>/dev/null; }
put_config() { printf '%s\n' "$2" | aws s3 cp - "s3://$(seed "$1" bucket)/tsm-$1/config.toml" --region eu-west-1 >/dev/null; }
# The newest journal, in bvops's own order (a name sort puts
# "apply-2.jsonl" before "apply.jsonl").
last_id() { "$B" -f "$F" --json procedure list | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])'; }
holds() { cat "$STATE/holds.json" 2>/dev/null; }
check_eq "the originals saved" "$(state save)" "orig up"
ORIG0=$(stored 0)

test_begin dry_run_plans_every_node_and_changes_nothing
bv ers apply --preset enable-ers-export --dry-run
check_eq "exit" "$RC:$ERR" "0:"
check_contains "every node, dynamic too" "$OUT" "ERS apply on fleet tsm: 4 nodes (2 static, 2 dynamic); fragment: preset enable-ers-export"
check_contains "a dynamic node's line" "$OUT" "node-3       dynamic s3://$(seed 3 bucket)/tsm-3/config.toml: keys added"
check_contains "the order" "$OUT" "1 stop    stop every node, then wait until none answers /ping and enclave_state shows no enclave (60 s)"
check_contains "merged into the existing table" "$OUT" " [DKLS19]
 Features = [\"ECDSA\"]
+EnableERSExport = true
+
+[SEPD19S]
+EnableERSExport = true"
check_contains "each node's diff" "$OUT" "+++ node-2 with ERS"
check_contains "secrets redacted in the diff's context" "$(printf '%s' "$OUT" | grep -c 'demo-master-password' || true)" 0
check_contains "says so" "$OUT" "dry run: nothing changed"
check_eq "nothing changed" "$(state)" "orig up"
check_eq "no journal" "$(ls "$STATE/procedures" 2>/dev/null | grep -c '\.jsonl$')" 0
check_not_contains "the configs as they will be lint clean" "$OUT" "bvops config lint finds"
# A peer address in no scheme on node-2: said with the plan.
put_config 2 "$(stored 2 | sed 's|tcp://tsm-0.internal|tsm-0.internal|')"
bv ers apply --preset enable-ers-export --dry-run
check_contains "the lint's warning, before any question" "$OUT" "WARNING: bvops config lint finds, in the configs as they will be:
node-2: s3://$(seed 2 bucket)/tsm-2/config.toml:10:11: player 0's Address \"tsm-0.internal:9000\" is in no scheme the TSM knows"
put_config 2 "$(stored 2 | sed 's|"tsm-0.internal|"tcp://tsm-0.internal|')"
check_eq "put back" "$(state)" "orig up"
test_end

test_begin no_terminal_and_no_yes_changes_nothing
bv ers apply --preset enable-ers-export
check_eq "exit" "$RC" 1
check_contains "says why" "$ERR" "no terminal to confirm on: nothing changed (--yes stands for the typed name)"
check_eq "nothing changed" "$(state)" "orig up"
test_end

test_begin a_fragment_with_an_array_of_tables_is_refused
printf '[DKLS19]\nEnableERSExport = true\n\n[[Players]]\nIndex = 9\n' >"$TMP/aot.toml"
bv ers apply --fragment "$TMP/aot.toml" --yes
check_eq "exit 2" "$RC" 2
check_contains "FILE:LINE and why" "$ERR" "$TMP/aot.toml:4: [[Players]] is an array of tables: an ERS fragment holds only tables and keys"
printf '[DKLS19\n' >"$TMP/bad.toml"
bv ers apply --fragment "$TMP/bad.toml" --yes
check_eq "invalid TOML: exit 2" "$RC" 2
check_contains "FILE:LINE:COL" "$ERR" "$TMP/bad.toml:1:"
bv ers apply --preset nope --yes
check_contains "unknown preset" "$RC:$ERR" "2:bvops: no preset 'nope' (there are enable-ers-export and generate-recovery-data)"
check_eq "nothing changed" "$(state)" "orig up"
test_end

test_begin a_conflicting_value_stops_the_plan
printf '[DKLS19]\nFeatures = ["EdDSA"]\n' >"$TMP/conflict.toml"
bv ers apply --fragment "$TMP/conflict.toml" --yes
check_eq "exit 1" "$RC" 1
check_contains "every node's conflict, with its line" "$OUT" "node-3 (s3://$(seed 3 bucket)/tsm-3/config.toml):
    DKLS19: Features = [\"ECDSA\"] here, the fragment says [\"EdDSA\"] (line 30 of config.toml)"
check_contains "nothing changed, said" "$ERR" "the ERS fragment conflicts with existing values (above): nothing changed"
# The v72 preset wants DKLS19.Features as a table: here it is an array.
bv ers apply --preset generate-recovery-data --yes
check_contains "a table that is not one" "$RC:$OUT" "1:The fragment conflicts"
check_contains "says which" "$OUT" "DKLS19.Features is an array here, not a table"
check_eq "nothing changed" "$(state)" "orig up"
check_eq "no journal" "$(ls "$STATE/procedures" 2>/dev/null | grep -c '\.jsonl$')" 0
test_end

test_begin apply_then_revert_is_byte_identical
bv ers apply --preset enable-ers-export --yes
check_eq "exit" "$RC:$ERR" "0:"
check_eq "every node has ERS and is up" "$(state)" "ers up"
check_eq "one [DKLS19], merged" "$(stored 0 | grep -c '^\[DKLS19\]$')" 1
id=$(last_id)
check_contains "says so" "$OUT" "ERS is ACTIVE on all 4 nodes (procedure $id). When the recovery is done: bvops ers revert"
check_contains "stopped for real first" "$OUT" "node-2: stopped (no /ping answer, no enclave)"
check_eq "the backup is the text as read" "$(aws s3 cp "s3://$(seed 0 bucket)/backups/tsm-0/config.toml.$id" - --region eu-west-1)" "$ORIG0"
check_contains "its version id journaled" "$(cat "$STATE/procedures/$id.jsonl")" '"of_version":"'
check_contains "what was added, journaled" "$(cat "$STATE/procedures/$id.jsonl")" '"added":[{"table":"DKLS19","key":"EnableERSExport","value":"true"},{"table":"SEPD19S","key":"EnableERSExport","value":"true"}],"created":["SEPD19S"]'
check_eq "marked on every node" "$(ls "$STATE/ers" | wc -l)" 4
check_not_contains "holds lifted" "$(holds)" "procedure $id"
run "$B" -f "$F" lock status
check_contains "the lock let go" "$OUT" "not held"
check_contains "audited" "$(cat "$STATE/audit.log")" '"action":"ers-apply","node":null,"result":"done"'
bv ers status
check_eq "status: consistent" "$RC" 0
check_contains "status: active" "$OUT" "ERS on fleet tsm: ACTIVE on every node"
check_contains "status: started after the change" "$OUT" "node-3         dynamic  ERS"
bv --json ers status
check_contains "json" "$OUT" '"fleet":"ers"'
check_contains "json: started after" "$OUT" '"started_after_change":"yes"'
bv ers revert --yes
check_eq "revert exit" "$RC:$ERR" "0:"
check_eq "every config byte for byte, every node up" "$(state)" "orig up"
check_contains "from the journal" "$OUT" "fragment: what $id added"
check_eq "no mark left" "$(ls "$STATE/ers" | wc -l)" 0
bv ers status
check_contains "status: none" "$RC:$OUT" "0:ERS on fleet tsm: on no node"
test_end

test_begin a_lost_answer_to_an_upload_is_not_a_failure
# node-1's upload is applied and its answer lost (500); the retry meets
# the rollout's own write (412): the object holds the planned text, so
# the step is done, and the revert takes it out again.
lost_answer_start "/$(seed 1 bucket)/tsm-1/config.toml"
run setsid -w env AWS_ENDPOINT_URL_S3="$LOST_URL" "$B" -f "$F" ers apply --preset enable-ers-export --yes
check_eq "done" "$RC:$ERR" "0:"
check_eq "every node has ERS and is up" "$(state)" "ers up"
check_contains "the answer was lost" "$(cat "$LOST_LOG")" "tsm-1/config.toml 500 (applied, answer lost)"
check_contains "the retry met the rollout's write" "$(cat "$LOST_LOG")" "tsm-1/config.toml 412"
check_not_contains "not called a change by someone else" "$OUT" "NOT uploaded"
lost_answer_stop
bv ers revert --yes
check_eq "reverted" "$RC:$ERR" "0:"
check_eq "byte for byte" "$(state)" "orig up"
test_end

test_begin re_apply_is_idempotent
bv ers apply --preset enable-ers-export --yes
check_eq "first" "$RC:$(state)" "0:ers up"
n=$(ls "$STATE/procedures" | wc -l)
bv ers apply --preset enable-ers-export --yes
check_eq "again: exit 0" "$RC:$ERR" "0:"
check_contains "nothing to do" "$OUT" "Every node's config has the ERS configuration already: nothing to do."
check_eq "no new journal" "$(ls "$STATE/procedures" | wc -l)" "$n"
check_eq "unchanged" "$(state)" "ers up"
test_end

test_begin revert_keeps_a_change_made_in_between
put_config 2 "$(stored 2 | sed 's/^Port = 9000$/Port = 9001/')
# added by an operator while ERS was on"
bv ers revert --yes
check_eq "exit" "$RC:$ERR" "0:"
check_contains "the plan shows it is kept" "$OUT" "node-2: its config changed since"
check_contains "the change shown" "$OUT" "+# added by an operator while ERS was on"
now2=$(stored 2)
check_contains "their port kept" "$now2" "Port = 9001"
check_contains "their comment kept (the header it sits under too)" "$now2" "[SEPD19S]
# added by an operator while ERS was on"
check_not_contains "the ERS keys out" "$now2" "EnableERSExport"
put_config 2 "$(cat "$TMP/orig/node-2.toml")"
check_eq "the others byte for byte" "$(state)" "orig up"
test_end

test_begin revert_of_an_apply_made_by_hand_needs_the_fragment
for i in 0 1 2 3; do
	put_config "$i" "$(stored "$i" | sed 's/^Features = \["ECDSA"\]$/&\nEnableERSExport = true/')
[SEPD19S]
EnableERSExport = true"
done
bv ers status
check_eq "status sees it" "$RC:$(printf '%s' "$OUT" | head -1)" "0:ERS on fleet tsm: ACTIVE on every node (compared with the fragment of $(last_id))"
bv ers revert --yes
check_eq "without the fragment: exit 2" "$RC" 2
check_contains "says what to give" "$ERR" "no ERS apply by bvops to revert (none since the last revert): for one made by hand, give the fragment"
bv ers revert --preset enable-ers-export --yes
check_eq "with it" "$RC:$ERR" "0:"
check_contains "the keys and the emptied table out" "$OUT" "-[SEPD19S]"
check_eq "back to the originals' content" "$(state | cut -d' ' -f2)" "up"
for i in 0 1 2 3; do put_config "$i" "$(cat "$TMP/orig/node-$i.toml")"; done
test_end

test_begin a_node_that_will_not_stop
sim_ctl node-1 stop-mode ignore
bv ers apply --preset enable-ers-export --yes --stop-wait 2s
check_eq "exit 1" "$RC" 1
id=$(last_id)
check_contains "which node, and why" "$OUT$ERR" "node-1 is not stopped after 2 s: /ping still answers (HTTP 200)"
check_contains "per-node state" "$ERR" "step stop stopped: done on node-0; failed on node-1 (node-1 is not stopped after 2 s"
check_contains "offers the way out" "$OUT" "bvops procedure rollback $id"
check_eq "no config touched" "$(state | cut -d' ' -f1)" "orig"
check_contains "still held" "$(holds)" "procedure $id"
run "$B" -f "$F" procedure list
check_contains "listed as failed at stop" "$OUT" "failed at stop on node-1"
bv ers status
check_eq "status: open, exit 1" "$RC" 1
check_contains "status says where" "$OUT" "ers-apply $id is OPEN: failed at stop on node-1"
bv ers apply --preset enable-ers-export --yes
check_contains "no second rollout while one is open" "$RC:$ERR" "1:bvops: the ERS procedure $id is not finished (failed at stop on node-1): bvops procedure resume | rollback | abandon $id first"
sim_ctl node-1 stop-mode ok
bv procedure resume "$id"
check_eq "a resume that stops a node asks: no terminal, no --yes" "$RC:$ERR" "1:bvops: no terminal to confirm on: nothing done (--yes stands for the answer)"
check_contains "the quorum effect of what is left: node-1's stop" "$OUT" "while node-1 is down"
check_contains "nothing done" "$(printf '%s\n' "$("$B" -f "$F" procedure list)" | grep "$id")" "failed at stop on node-1"
bv procedure resume "$id" --yes
check_eq "retried: done" "$RC:$ERR" "0:"
check_eq "all with ERS and up" "$(state)" "ers up"
bv ers revert --yes
check_eq "reverted" "$RC:$(state)" "0:orig up"
test_end

test_begin a_node_that_will_not_stop_then_rollback
sim_ctl node-0 stop-mode fail
bv ers apply --preset enable-ers-export --yes
check_eq "exit 1" "$RC" 1
id=$(last_id)
check_contains "the stop command's failure" "$OUT$ERR" "stop of node-0 failed (exit 1)"
sim_ctl node-0 stop-mode ok
bv procedure rollback "$id" --yes
check_eq "rolled back" "$RC:$ERR" "0:"
check_eq "every node started again, configs untouched" "$(state)" "orig up"
check_not_contains "holds lifted" "$(holds)" "procedure $id"
test_end

test_begin an_upload_refused_by_a_concurrent_change
# node-1's stop command also changes its config, as another operator
# would between the plan and the upload.
B1=$(seed 1 bucket)
python3 - "$F" "$SIM" "$SIM_DIR" "$B1" >"$TMP/fleet-race.toml" <<'EOF'
import sys
text = open(sys.argv[1]).read()
sim, simdir, bucket = sys.argv[2:5]
race = ("aws s3 cp s3://%s/tsm-1/config.toml - --region eu-west-1 | sed 's/^Port = 9000$/Port = 9001/' | "
        "aws s3 cp - s3://%s/tsm-1/config.toml --region eu-west-1 && %s ctl %s node-1 stop" % (bucket, bucket, sim, simdir))
i = text.index('name = "node-1"')
j = text.find("[[node]]", i)
block = '\n[node.commands]\nstop = "%s"\n' % race.replace('"', '\\"')
print(text[:j] + block + "\n" + text[j:] if j >= 0 else text + block)
EOF
run setsid -w "$B" -f "$TMP/fleet-race.toml" ers apply --preset enable-ers-export --yes
check_eq "exit 1" "$RC" 1
id=$(last_id)
check_contains "refused, nothing overwritten" "$ERR$OUT" "node-1's config changed since the plan was made: not uploaded"
check_contains "their change shown" "$OUT" "+Port = 9001"
check_eq "theirs kept" "$(stored 1 | grep -c '^Port = 9001$')" 1
run setsid -w "$B" -f "$F" procedure rollback "$id" --yes
check_eq "rolled back" "$RC:$ERR" "0:"
check_eq "the others as they were, all up" "$(state)" "mixed:node-0=orig,node-1=other,node-2=orig,node-3=orig up"
put_config 1 "$(cat "$TMP/orig/node-1.toml")"
check_eq "restored by hand" "$(state)" "orig up"
test_end

test_begin a_node_that_does_not_come_back
sim_ctl node-3 start-mode fail
bv ers apply --preset enable-ers-export --yes
check_eq "exit 1" "$RC" 1
id=$(last_id)
check_contains "the start failure" "$OUT$ERR" "start of node-3 failed (exit 1)"
check_contains "where" "$ERR" "step start stopped: done on node-0; done on node-1; done on node-2; failed on node-3"
sim_ctl node-3 start-mode ok
sim_ctl node-3 fault 503
bv procedure resume "$id" --yes --wait 2s
check_eq "not up: exit 1" "$RC" 1
check_contains "said, with its journal" "$OUT$ERR" "node-3 did not answer /ping with 200 within 2 s"
check_contains "the journal's last lines" "$OUT" "the last lines of node-3's journal:"
sim_ctl node-3 fault none
# Only the wait is left: it touches no node, so nothing is asked.
bv procedure resume "$id"
check_eq "then done, with no question" "$RC:$ERR" "0:"
check_eq "all with ERS, up" "$(state)" "ers up"
bv ers revert --yes
check_eq "reverted" "$RC:$(state)" "0:orig up"
test_end

test_begin revert_after_an_interrupted_apply_rolls_it_back
run setsid -w env BVOPS_FAULT_AFTER_RECORDS=22 "$B" -f "$F" ers apply --preset enable-ers-export --yes
check_eq "killed" "$RC" 137
bv ers revert --yes
check_eq "exit" "$RC:$ERR" "0:"
check_contains "says what it does" "$OUT" "did not finish (interrupted at upload"
check_eq "all as they were, up" "$(state)" "orig up"
run "$B" -f "$F" procedure list
check_contains "the apply is rolled back" "$OUT" "rolled back"
test_end

test_begin a_rolled_back_revert_leaves_the_apply_to_revert
bv ers apply --preset enable-ers-export --yes
check_eq "applied" "$RC:$(state)" "0:ers up"
apply=$(last_id)
run setsid -w env BVOPS_FAULT_AFTER_RECORDS=22 "$B" -f "$F" ers revert --yes
check_eq "the revert killed" "$RC" 137
revert=$(last_id)
bv procedure rollback "$revert" --yes
check_eq "rolled back" "$RC:$(state)" "0:ers up"
bv ers revert --yes
check_eq "the apply is still what is reverted" "$RC:$ERR" "0:"
check_contains "from its journal" "$OUT" "fragment: what $apply added"
check_eq "as they were" "$(state)" "orig up"
test_end

test_begin another_operators_lock_stops_it_before_anything
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
later=$(date -u -d '+10 min' +%Y-%m-%dT%H:%M:%SZ)
printf '{"held": true, "id": "X", "who": "bob", "host": "ops-2", "what": "config edit node-1", "since": "%s", "expires": "%s"}\n' "$now" "$later" |
	aws s3 cp - "s3://$(seed 0 bucket)/bvops/lock-tsm.json" --region eu-west-1 >/dev/null
bv ers apply --preset enable-ers-export --yes
check_eq "exit 1" "$RC" 1
check_contains "says who" "$ERR" "the fleet is locked by bob@ops-2"
check_eq "nothing stopped, nothing changed" "$(state)" "orig up"
run "$B" -f "$F" procedure list
check_contains "its journal closed, not left open" "$(printf '%s' "$OUT" | grep "$(last_id)")" "abandoned"
aws s3 rm "s3://$(seed 0 bucket)/bvops/lock-tsm.json" --region eu-west-1 >/dev/null
test_end

test_begin stray_configs_in_a_bucket_are_warned_of
printf '[Player]\nIndex = 9\n' | aws s3 cp - "s3://$(seed 0 bucket)/tsm-9/config.toml" --region eu-west-1 >/dev/null
bv ers apply --preset enable-ers-export --dry-run
check_contains "warned" "$OUT" "WARNING: s3://$(seed 0 bucket)/tsm-9/config.toml is in no node of $F: it is left as it is"
aws s3 rm "s3://$(seed 0 bucket)/tsm-9/config.toml" --region eu-west-1 >/dev/null
test_end

test_begin the_guided_view_in_the_console
if command -v tmux >/dev/null; then
	SOCK="$TMP/tmux.sock"
	tm() { tmux -S "$SOCK" -f /dev/null "$@"; }
	tm new-session -d -s t -x 100 -y 30 "env TERM=xterm-256color LANG=C.UTF-8 HOME=$HOME XDG_STATE_HOME=$XDG_STATE_HOME AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY AWS_REGION=$AWS_REGION AWS_EC2_METADATA_DISABLED=true $B -f $F"
	screen_has() { tmux_expect "$SOCK" t "$1" 300; }
	screen_has "node-3"
	tm send-keys -t t V
	screen_has "a apply, r revert one made by hand, q back"
	tm send-keys -t t a
	screen_has "1 enable-ers-export (older TSM)"
	tm send-keys -t t 1
	screen_has "Type the fleet's name (tsm) to stop every node and add ERS:"
	check_contains "the plan in the log" "$(tm capture-pane -p -t t)" "+EnableERSExport = true"
	# The confirmation is asked at 80x24 too.
	tm resize-window -t t -x 80 -y 24 2>/dev/null || tm resize-pane -t t -x 80 -y 24
	screen_has "Type the fleet's name (tsm)"
	# The whole plan can be read while the name is asked: the pages
	# scroll it, letters still go into the name.
	check_not_contains "the plan's start is above at 80x24" "$(tm capture-pane -p -t t)" "ERS apply on fleet tsm: 4 nodes"
	check_contains "the log says how to scroll" "$(tm capture-pane -p -t t)" "log (PgUp/PgDn scroll)"
	tm send-keys -t t "ts"
	for i in $(seq 40); do
		tm capture-pane -p -t t | grep -qF "ERS apply on fleet tsm: 4 nodes" && break
		tm send-keys -t t PPage
		tmux_wait "$SOCK" t "scrolled: PgDn for the newest" 50
	done
	check_contains "scrolled to the plan's start" "$(tm capture-pane -p -t t)" "ERS apply on fleet tsm: 4 nodes"
	check_contains "the name typed so far stays" "$(tm capture-pane -p -t t | tail -2)" "and add ERS: ts"
	# node-3 will not answer once started: its wait is counted down.
	sim_ctl node-3 fault 503
	tm send-keys -t t "m" Enter
	# left: the countdown on the state line (others may wait beside it).
	left() { tm capture-pane -p -t t | grep -oE 'running: wait on node-3[^,]*, [0-9ms]+ left of 3m'; }
	for i in $(seq 300); do
		first=$(left)
		[ -n "$first" ] && break
		tick
	done
	check_contains "the step and what is left of it" "$first" "left of 3m"
	for i in $(seq 150); do
		now=$(left)
		[ -n "$now" ] && [ "$now" != "$first" ] && break
		tick
	done
	check_contains "counted down" "$now" "left of 3m"
	[ "$now" != "$first" ] || fail "the countdown stood still at [$first]"
	check_not_contains "not said to be interrupted" "$(tm capture-pane -p -t t)" "interrupted"
	sim_ctl node-3 fault none
	screen_has "Finished. Enter: back to the console"
	check_contains "once ended, the state says so" "$(tm capture-pane -p -t t)" "state: done"
	grid=$(tm capture-pane -p -t t)
	check_contains "the plan grid: steps across" "$grid" "stop"
	check_contains "a dynamic node done everywhere" "$grid" "node-3      ok      ok      ok      ok      ok"
	check_eq "applied" "$(state)" "ers up"
	tm send-keys -t t Enter
	screen_has "ERS ACTIVE"
	tm send-keys -t t '?'
	screen_has "ERS ACTIVE"
	for i in $(seq 10); do tm send-keys -t t j; done
	screen_has "ERS rollout: apply or revert"
	check_contains "the help names the key" "$(tm capture-pane -p -t t)" "ERS rollout"
	tm send-keys -t t Escape
	tm send-keys -t t V
	screen_has "r revert, a apply again, q back"
	tm send-keys -t t r
	screen_has "Type the fleet's name (tsm) to stop every node and take ERS out:"
	tm send-keys -t t "tsm" Enter
	screen_has "Finished. Enter: back to the console"
	tm send-keys -t t Enter
	for i in $(seq 100); do
		tm capture-pane -p -t t | head -1 | grep -qF "ERS" || break
		tick
	done
	check_not_contains "the banner gone" "$(tm capture-pane -p -t t | head -1)" "ERS"
	check_eq "reverted byte for byte" "$(state)" "orig up"
	tm kill-server 2>/dev/null
fi
test_end

test_begin valgrind_clean
if command -v valgrind >/dev/null && [[ "$B" != */asan/* ]]; then
	vg() { run setsid -w valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect "$B" -f "$F" "$@"; }
	vg ers apply --preset enable-ers-export --yes --wait 15s
	check_eq "apply under valgrind (99 is a report)" "$RC" 0
	[ "$RC" = 99 ] && printf '%s\n' "$ERR" | head -30
	vg --json ers status
	check_eq "status under valgrind" "$RC" 0
	vg ers revert --yes --wait 15s
	check_eq "revert under valgrind" "$RC" 0
	[ "$RC" = 99 ] && printf '%s\n' "$ERR" | head -30
	check_eq "and the fleet as it was" "$(state)" "orig up"
fi
test_end

# kill -9 after every journal record in turn (every CRASH_STEP-th), then
# resume (all with ERS, up) or roll back (all as they were, up).
test_begin killed_after_every_record_then_resume_or_rollback_is_consistent
bad=""
runs=0
for n in $(seq 1 "$CRASH_STEP" 41); do
	for how in resume rollback; do
		run setsid -w env BVOPS_FAULT_AFTER_RECORDS=$n "$B" -f "$F" ers apply --preset enable-ers-export --yes
		if [ "$RC" != 137 ]; then bad="$bad $n/$how:not-killed($RC)"; continue; fi
		id=$(last_id)
		bv procedure "$how" "$id" --yes
		want="ers up"
		[ "$how" = rollback ] && want="orig up"
		got=$(state)
		[ "$RC:$got" = "0:$want" ] || bad="$bad $n/$how:$RC:$got:$(printf '%s' "$ERR" | head -c 200)"
		if [ "$how" = resume ]; then
			bv ers revert --yes
			[ "$RC:$(state)" = "0:orig up" ] || bad="$bad $n/revert:$RC"
		fi
		runs=$((runs + 1))
	done
done
check_eq "every crash ends consistent" "$bad" ""
check_eq "runs" "$((runs > 0))" 1
check_eq "no hold left" "$(holds | grep -c 'procedure' || true)" 0
test_end

summary
