#!/usr/bin/env bash
# bvops debug enter / exit / status, end to end against moto_server
# (signatures checked; a CloudFormation stack per node with a
# ShardKMSKeyNitro key whose policy pins a production PCR8, seeded by
# demo/aws_seed.py) and the node simulator (debug/protected restarts,
# enclave_state Flags, the console).
# usage: tests/debug.sh BVOPS_BINARY
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
. tests/simlib.sh
. tests/motolib.sh
. tests/proclib.sh
B=$(realpath "$1")
PROC_KMS=1 proc_world dbg 2
K0=$(seed 0 key)
K1=$(seed 1 key)
B0=$(seed 0 bucket)
# The key policy exactly as KMS holds it (a trailing newline added).
policy() { aws kms get-key-policy --key-id "$1" --policy-name default --region eu-west-1 --query Policy --output text; }
put_policy() { aws kms put-key-policy --key-id "$1" --policy-name default --region eu-west-1 --policy "$2"; }
ZERO=$(printf '0%.0s' $(seq 96))
ORIG0=$(policy "$K0")
ORIG1=$(policy "$K1")
bv() { run setsid -w "$B" -f "$F" "$@"; }
enclave_flags() { "$SIM" ctl "$SIM_DIR" "$1" state | python3 -c 'import json,sys; a=json.load(sys.stdin); print(a[0]["Flags"] if a else "none")'; }

test_begin doctor_puts_the_key_policy_beside_the_eif
# The demo's policy pins PCR8 (the signing certificate): as the EIF has it.
bv doctor node-0
check_eq "exit 0" "$RC" 0
check_contains "the pins, as the EIF has them" "$(printf '%s\n' "$OUT" | grep kms-pins)" "ok    kms-pins         the key policy pins PCR8 a1a1a1a1a1a1..., as the EIF has it"
check_contains "the node's clock against AWS's (its Date header)" "$(printf '%s\n' "$OUT" | grep ' clock ')" " s from AWS's clock"
sim_ctl node-0 doctor-fault clock-skew
bv doctor node-0
check_contains "600 s off AWS's clock: SigV4 would fail" "$(printf '%s\n' "$OUT" | grep ' clock ')" "FAIL  clock            the node's clock is +"
check_contains "said against AWS" "$(printf '%s\n' "$OUT" | grep ' clock ')" " s from AWS's clock"
sim_ctl node-0 doctor-fault none
# An image signed by another certificate: the policy and it disagree.
sim_ctl node-0 doctor-fault pcr8-drift
bv doctor node-0 --json
check_eq "exit 1" "$RC" 1
check_eq "the failing check" "$(printf '%s' "$OUT" | python3 -c 'import json,sys; print([(c["check"], c["level"]) for c in json.load(sys.stdin)["checks"] if c["level"] != "ok"])')" "[('kms-pins', 'fail')]"
check_contains "what differs" "$OUT" "the policy pins PCR8 a1a1a1a1a1a1a1a1..., the EIF has b2b2b2b2b2b2b2b2..."
sim_ctl node-0 doctor-fault none
test_end

test_begin dry_run_shows_the_one_line_diff
bv debug enter node-0 --dry-run
check_eq "exit" "$RC:$ERR" "0:"
check_contains "the change, and only it" "$OUT" "@@ -23,7 +23,7 @@"
check_contains "PCR8 becomes zeros" "$OUT" "+          \"kms:RecipientAttestation:PCR8\": \"$ZERO\""
check_eq "one line out, one in" "$(printf '%s\n' "$OUT" | grep -c '^[-+] ')" 2
check_contains "names the key and operator" "$OUT" "ShardKMSKeyNitro of stack dbg-kms-node-0, eu-west-1), set its PCR8 condition (under StringEqualsIgnoreCase"
check_contains "says so" "$OUT" "dry run: nothing changed"
check_eq "policy untouched" "$(policy "$K0")" "$ORIG0"
test_end

test_begin confirmation_is_needed
bv debug enter node-0 --no-console
check_eq "exit 1" "$RC" 1
check_contains "says why" "$ERR" "no terminal to confirm on: nothing changed (--yes stands for the typed name)"
check_eq "policy untouched" "$(policy "$K0")" "$ORIG0"
check_eq "no journal" "$(ls "$STATE/procedures" 2>/dev/null | grep -c '\.jsonl$')" 0
test_end

test_begin enter_then_exit_is_byte_identical
bv debug enter node-0 --yes --no-console
check_eq "exit" "$RC:$ERR" "0:"
check_contains "says it" "$OUT" "node-0 is in DEBUG MODE"
check_contains "the policy" "$(policy "$K0")" "\"kms:RecipientAttestation:PCR8\": \"$ZERO\""
check_eq "the enclave restarted in debug mode" "$(enclave_flags node-0)" DEBUG_MODE
id=$(ls "$STATE/procedures" | grep 'debug-enter' | head -1 | sed 's/.jsonl$//')
check_eq "the backup file is the original" "$(cat "$STATE/debug/backups/$id.policy.json")" "$ORIG0"
check_eq "backup file 0600" "$(stat -c %a "$STATE/debug/backups/$id.policy.json")" 600
check_eq "and in S3, tagged" "$(aws s3api get-object-tagging --bucket "$B0" --key "backups/kms-policy/dbg-0.$id.json" --region eu-west-1 --query 'TagSet[?Key==`bvops`].Value' --output text)" "kms-policy-backup"
check_eq "the S3 backup is the original" "$(aws s3 cp "s3://$B0/backups/kms-policy/dbg-0.$id.json" - --region eu-west-1)" "$ORIG0"
run "$B" -f "$F" --json debug status
check_eq "status exit 1: a node is in debug mode" "$RC" 1
check_eq "status JSON" "$(printf '%s' "$OUT" | python3 -c 'import json,sys; e=json.load(sys.stdin)[0]; print(e["node"], e["debug_mode"], e["policy"], e["enclave"], e["mismatch"], e["since"][:2])')" "node-0 True debug debug False 20"
check_contains "audited" "$(cat "$STATE/audit.log")" '"action":"debug-enter node-0"'
run "$B" -f "$F" --json status
check_eq "status --json says so, and since when" "$(printf '%s' "$OUT" | python3 -c 'import json,sys; n=json.load(sys.stdin)["nodes"]; print(n[0]["debug_mode"], n[0]["debug_since"][:2], n[1]["debug_mode"], n[1]["debug_since"])')" "True 20 False None"
run "$B" -f "$F" status
check_contains "status in text says so too" "$(printf '%s\n' "$OUT" | grep '^node-0')" "DEBUG MODE for "
check_not_contains "on that node alone" "$(printf '%s\n' "$OUT" | grep '^node-1')" "DEBUG MODE"
bv debug exit node-0 --yes --wait 20s
check_eq "exit" "$RC:$ERR" "0:"
check_eq "the original policy, byte for byte" "$(policy "$K0")" "$ORIG0"
check_eq "protected again" "$(enclave_flags node-0)" NONE
check_contains "up" "$OUT" "node-0 is up: /ping answers 200"
check_eq "no longer recorded" "$(ls "$STATE/debug/node-0.json" 2>/dev/null)" ""
run "$B" -f "$F" --json debug status
check_eq "status exit 0" "$RC" 0
test_end

test_begin pcr8_missing_or_doubled_is_refused
NOPCR=$(printf '%s' "$ORIG1" | python3 -c 'import json,sys; p=json.load(sys.stdin); del p["Statement"][1]["Condition"]; print(json.dumps(p))')
put_policy "$K1" "$NOPCR"
bv debug enter node-1 --yes --no-console
check_eq "exit 1" "$RC" 1
check_contains "explains" "$ERR" "has no kms:RecipientAttestation:PCR8 condition"
check_eq "untouched" "$(policy "$K1")" "$NOPCR"
TWO=$(printf '%s' "$ORIG1" | python3 -c 'import json,sys; p=json.load(sys.stdin); s=dict(p["Statement"][1]); s["Sid"]="Second"; p["Statement"].append(s); print(json.dumps(p))')
put_policy "$K1" "$TWO"
bv debug enter node-1 --yes --no-console
check_eq "exit 1" "$RC" 1
check_contains "names both" "$ERR" "has 2 kms:RecipientAttestation:PCR8 conditions (statement \"Nitro enclave decrypt\", statement \"Second\"): bvops does not guess"
check_eq "untouched" "$(policy "$K1")" "$TWO"
test_end

test_begin another_operator_works_too
OTHER=$(printf '%s' "$ORIG1" | sed 's/StringEqualsIgnoreCase/StringEquals/')
put_policy "$K1" "$OTHER"
OTHER=$(policy "$K1")
bv debug enter node-1 --yes --no-console
check_eq "enter" "$RC:$ERR" "0:"
check_contains "under StringEquals" "$OUT" "under StringEquals, in"
bv debug exit node-1 --yes --wait 20s
check_eq "exit" "$RC:$ERR" "0:"
check_eq "byte for byte" "$(policy "$K1")" "$OTHER"
test_end

test_begin debug_exit_asks_and_warns_before_it_restarts
bv debug enter node-0 --yes --no-console
check_eq "enter" "$RC" 0
exits() { ls "$STATE/procedures" | grep -c debug-exit || true; }
n_exits=$(exits)
bv debug exit node-0 --wait 20s
check_eq "no terminal, no --yes: nothing" "$RC:$ERR" "1:bvops: no terminal to confirm on: nothing done (--yes stands for the answer)"
check_contains "the quorum effect said first" "$OUT" "while node-0 is down only 1 is up, below the quorum of 2: the fleet cannot sign until it is back."
check_eq "still in debug mode" "$(enclave_flags node-0)" DEBUG_MODE
check_contains "the policy untouched" "$(policy "$K0")" "$ZERO"
check_eq "no journal begun" "$(exits)" "$n_exits"
sed 's/^\[fleet\]/[fleet]\nquorum = 1/' "$F" >"$TMP/q1.toml"
run setsid -w "$B" -f "$TMP/q1.toml" debug exit node-0 --yes --wait 20s
check_eq "with --yes" "$RC:$ERR" "0:"
check_contains "a quorum kept is said too" "$OUT" "while node-0 is down 1 is up, quorum 1: the fleet can still sign."
check_eq "the original" "$(policy "$K0")" "$ORIG0"
test_end

test_begin changed_while_in_debug_mode
bv debug enter node-0 --yes --no-console
check_eq "enter" "$RC" 0
CHANGED=$(policy "$K0" | sed 's/"Nitro enclave decrypt"/"Nitro enclave decrypt (edited)"/')
put_policy "$K0" "$CHANGED"
CHANGED=$(policy "$K0")
bv debug exit node-0
check_eq "refused without a confirmation" "$RC" 1
check_contains "shows their change" "$OUT" "+      \"Sid\": \"Nitro enclave decrypt (edited)\","
check_eq "not restored over it" "$(policy "$K0")" "$CHANGED"
bv debug exit node-0 --yes --wait 20s
check_eq "confirmed: restored" "$RC:$ERR" "0:"
check_eq "the original" "$(policy "$K0")" "$ORIG0"
test_end

test_begin killed_at_the_restart_then_rollback_or_resume
sed "s|^debug_restart = .*|debug_restart = \"kill -9 \$PPID\"|" "$F" >"$TMP/kill.toml"
run setsid -w "$B" -f "$TMP/kill.toml" debug enter node-0 --yes --no-console
check_eq "killed" "$RC" 137
id=$(ls -t "$STATE/procedures" | grep 'debug-enter' | head -1 | sed 's/.jsonl$//')
run "$B" -f "$F" procedure list
check_contains "interrupted at the restart" "$(printf '%s\n' "$OUT" | grep "$id")" "interrupted at restart on node-0"
check_contains "policy changed before the kill" "$(policy "$K0")" "$ZERO"
bv procedure rollback "$id"
check_eq "a rollback restarts: without a terminal, --yes" "$RC:$ERR" "1:bvops: no terminal to confirm on: nothing done (--yes stands for the answer)"
check_contains "the quorum effect said" "$OUT" "WARNING: health now: 2 of 2 nodes up; while node-0 is down only 1 is up, below the quorum of 2: the fleet cannot sign until it is back."
check_contains "nothing done" "$(policy "$K0")" "$ZERO"
bv procedure rollback "$id" --yes
check_eq "rolled back" "$RC:$ERR" "0:"
check_eq "the original, byte for byte" "$(policy "$K0")" "$ORIG0"
check_eq "restarted protected" "$(enclave_flags node-0)" NONE
run "$B" -f "$F" procedure list
check_contains "says so" "$(printf '%s\n' "$OUT" | grep "$id")" "rolled back"
run setsid -w "$B" -f "$TMP/kill.toml" debug enter node-0 --yes --no-console
check_eq "killed again" "$RC" 137
id=$(ls -t "$STATE/procedures" | grep 'debug-enter' | head -1 | sed 's/.jsonl$//')
bv procedure resume "$id" --yes
check_eq "resumed" "$RC:$ERR" "0:"
check_eq "in debug mode" "$(enclave_flags node-0)" DEBUG_MODE
check_contains "recorded" "$(cat "$STATE/debug/node-0.json")" "\"procedure\":	\"$id\""
bv debug exit node-0 --yes --wait 20s
check_eq "and out" "$RC:$ERR" "0:"
check_eq "the original" "$(policy "$K0")" "$ORIG0"
test_end

test_begin abandon_lets_its_hold_and_lock_go
sed "s|^debug_restart = .*|debug_restart = \"kill -9 \$PPID\"|" "$F" >"$TMP/kill.toml"
run setsid -w "$B" -f "$TMP/kill.toml" debug enter node-0 --yes --no-console
check_eq "killed at the restart" "$RC" 137
id=$(ls -t "$STATE/procedures" | grep 'debug-enter' | head -1 | sed 's/.jsonl$//')
check_contains "held while open" "$(cat "$STATE/holds.json")" "\"id\":	\"$id\""
run "$B" -f "$F" lock status
check_eq "the lock still the dead procedure's" "$RC" 1
bv procedure abandon "$id" --yes
check_eq "abandoned" "$RC:$ERR" "0:"
check_contains "says where it stood" "$OUT" "$id: abandoned as it stood: interrupted at restart on node-0"
check_not_contains "its hold lifted" "$(cat "$STATE/holds.json")" "$id"
run "$B" -f "$F" lock status
check_eq "its lock let go" "$RC" 0
check_contains "audited" "$(tail -1 "$STATE/audit.log")" '"action":"debug-enter abandon","node":"node-0"'
# What it left stays: the zero PCR8 is put right by an exit.
bv debug exit node-0 --yes --wait 20s
check_eq "exit after the abandon" "$RC:$ERR" "0:"
check_eq "the original again" "$(policy "$K0")" "$ORIG0"
test_end

test_begin debug_mode_renews_the_fleet_lock
# A lock of 1.5 s and a debug restart of 1.2 s: renewed between records
# (a third of its time passed), as the ERS rollout does; each take,
# renewal and release is a new version of the lock object.
sed 's|^debug_restart = "\(.*\)"|debug_restart = "sleep 1.2; \1"|' "$F" >"$TMP/slow.toml"
versions() { aws s3api list-object-versions --bucket "$B0" --region eu-west-1 --query "length(Versions[?Key=='bvops/lock-dbg.json'])" --output text; }
before=$(versions)
run setsid -w env BVOPS_LOCK_TTL_MS=1500 "$B" -f "$TMP/slow.toml" debug enter node-0 --yes --no-console
check_eq "entered" "$RC:$ERR" "0:"
check_eq "taken, renewed at least once, let go" "$(( $(versions) - before >= 3 ))" 1
bv debug exit node-0 --yes --wait 20s
check_eq "and out" "$RC:$ERR" "0:"
test_end

test_begin the_console_shows_it_on_every_screen
if command -v tmux >/dev/null; then
	bv debug enter node-0 --yes --no-console
	check_eq "enter" "$RC" 0
	SOCK="$TMP/tmux.sock"
	tm() { tmux -S "$SOCK" -f /dev/null "$@"; }
	tm new-session -d -s t -x 80 -y 24 "env TERM=xterm-256color LANG=C.UTF-8 HOME=$HOME XDG_STATE_HOME=$XDG_STATE_HOME AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY AWS_REGION=$AWS_REGION AWS_EC2_METADATA_DISABLED=true $B -f $F"
	screen_has() { tmux_expect "$SOCK" t "$1" 200; }
	# On a terminal, the confirmation is the node's name, typed.
	P1=$(policy "$K1")
	tm new-window -t t -n ask "env HOME=$HOME XDG_STATE_HOME=$XDG_STATE_HOME AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY AWS_REGION=$AWS_REGION AWS_EC2_METADATA_DISABLED=true $B -f $F debug enter node-1 --no-console; echo rc=\$?; read x"
	for i in $(seq 200); do
		tm capture-pane -p -t t:ask 2>/dev/null | grep -qF "Type the node's name (node-1) to put it in debug mode:" && break
		tick
	done
	tm send-keys -t t:ask "node-0" Enter
	for i in $(seq 200); do
		tm capture-pane -p -t t:ask 2>/dev/null | grep -qF "rc=" && break
		tick
	done
	check_contains "a wrong name is refused" "$(tm capture-pane -p -t t:ask)" 'not confirmed (typed "node-0"): nothing changed'
	check_contains "exit 1" "$(tm capture-pane -p -t t:ask)" "rc=1"
	check_eq "node-1's policy untouched" "$(policy "$K1")" "$P1"
	tm kill-window -t t:ask
	screen_has "DEBUG MODE node-0 <1m"
	check_contains "the row says it in a word" "$(tm capture-pane -p -t t)" "DEBUG node-0"
	check_contains "at 80 columns the quorum is not drawn over" "$(tm capture-pane -p -t t | head -1)" " unknown  quorum "
	check_not_contains "only that node" "$(tm capture-pane -p -t t)" "DEBUG node-1"
	# Another screen (help) keeps the header.
	tm send-keys -t t '?'
	screen_has "DEBUG MODE node-0"
	tm send-keys -t t Escape
	bv debug exit node-0 --yes --wait 20s
	check_eq "exit" "$RC" 0
	for i in $(seq 100); do
		tm capture-pane -p -t t | grep -qF "DEBUG MODE" || break
		tick
	done
	check_not_contains "gone once out" "$(tm capture-pane -p -t t)" "DEBUG"
	# From the console itself: D in node-1's details, in the wizard.
	tm send-keys -t t j
	tm send-keys -t t Enter
	screen_has "debug mode  off: D enters it"
	tm send-keys -t t D
	screen_has "Type the node's name (node-1) to put it in debug mode:"
	check_contains "the diff in the wizard" "$(tm capture-pane -p -t t)" "+          \"kms:RecipientAttestation:PCR8\": \"0000"
	tm send-keys -t t "node-1" Enter
	screen_has "Finished. Enter: back to the console"
	check_contains "every step ok" "$(tm capture-pane -p -t t)" "node-1      ok      ok      ok      ok"
	tm send-keys -t t Enter
	screen_has "DEBUG MODE node-1"
	check_eq "in debug mode" "$(enclave_flags node-1)" DEBUG_MODE
	tm send-keys -t t Escape
	tm send-keys -t t Enter
	screen_has "debug mode  ON ($(id -un)'s, from $(hostname), "
	check_contains "and how to leave it" "$(tm capture-pane -p -t t)" "): X leaves it"
	tm send-keys -t t X
	screen_has "Restore the original policy and restart node-1 in protected mode? [y/N]"
	check_contains "the quorum effect, before the restart" "$(tm capture-pane -p -t t)" "while node-1 is down only 1 is up"
	tm send-keys -t t y Enter
	screen_has "Enter: back to the console"
	check_contains "exit done" "$(tm capture-pane -p -t t)" "Finished."
	tm send-keys -t t Enter
	for i in $(seq 100); do
		tm capture-pane -p -t t | grep -qF "DEBUG MODE" || break
		tick
	done
	check_not_contains "out again" "$(tm capture-pane -p -t t | head -1)" "DEBUG"
	check_eq "node-1's policy as it was" "$(policy "$K1")" "$P1"
	tm kill-server 2>/dev/null
fi
test_end

test_begin enter_killed_after_every_record_then_rollback_or_resume
# debug enter writes 10 records (begin, 4 steps x start/done, end): kill
# it after each of the first 9 in turn (BVOPS_FAULT_AFTER_RECORDS), then
# roll back (the original policy, protected); and again, then resume
# (debug mode, recorded) and exit (the original).
bad=""
for n in $(seq 1 9); do
	for way in rollback resume; do
		run setsid -w env BVOPS_FAULT_AFTER_RECORDS=$n "$B" -f "$F" debug enter node-0 --yes --no-console
		if [ "$RC" != 137 ]; then
			bad="$bad $n/$way:not-killed($RC)"
			continue
		fi
		id=$(ls -t "$STATE/procedures" | grep 'debug-enter' | head -1 | sed 's/.jsonl$//')
		bv procedure "$way" "$id" --yes
		if [ "$way" = rollback ]; then
			[ "$RC" = 0 ] && [ "$(policy "$K0")" = "$ORIG0" ] &&
				[ "$(enclave_flags node-0)" = NONE ] &&
				[ ! -e "$STATE/debug/node-0.json" ] ||
				bad="$bad $n/rollback($RC:$ERR)"
		else
			[ "$RC" = 0 ] && [ "$(policy "$K0")" != "$ORIG0" ] &&
				[ "$(enclave_flags node-0)" = DEBUG_MODE ] &&
				[ -e "$STATE/debug/node-0.json" ] ||
				bad="$bad $n/resume($RC:$ERR)"
			bv debug exit node-0 --yes --wait 20s
			[ "$RC" = 0 ] && [ "$(policy "$K0")" = "$ORIG0" ] ||
				bad="$bad $n/exit($RC:$ERR)"
		fi
	done
done
check_eq "every crash point ends where it should" "$bad" ""
run "$B" -f "$F" lock status
check_eq "the lock let go" "$RC" 0
test_end

test_begin exit_killed_after_every_record_then_resume
# debug exit writes 10 records too: killed after each of the first 9,
# then resumed, it ends with the original policy, protected, no record.
bad=""
for n in $(seq 1 9); do
	bv debug enter node-0 --yes --no-console
	[ "$RC" = 0 ] || { bad="$bad $n/enter($RC:$ERR)"; continue; }
	run setsid -w env BVOPS_FAULT_AFTER_RECORDS=$n "$B" -f "$F" debug exit node-0 --yes --wait 20s
	[ "$RC" = 137 ] || { bad="$bad $n/not-killed($RC)"; continue; }
	id=$(ls -t "$STATE/procedures" | grep 'debug-exit' | head -1 | sed 's/.jsonl$//')
	bv procedure resume "$id" --yes
	[ "$RC" = 0 ] && [ "$(policy "$K0")" = "$ORIG0" ] &&
		[ "$(enclave_flags node-0)" = NONE ] &&
		[ ! -e "$STATE/debug/node-0.json" ] ||
		bad="$bad $n/resume($RC:$ERR)"
done
check_eq "every crash point ends protected" "$bad" ""
test_end

test_begin an_interrupted_exit_is_finished_never_rolled_back
# Killed after its policy step (the original is back, the enclave still
# in DEBUG_MODE): a rollback would claim a state that is not true.
bv debug enter node-0 --yes --no-console
check_eq "in" "$RC" 0
run setsid -w env BVOPS_FAULT_AFTER_RECORDS=3 "$B" -f "$F" debug exit node-0 --yes --wait 20s
check_eq "killed after the policy step" "$RC" 137
id=$(ls -t "$STATE/procedures" | grep 'debug-exit' | head -1 | sed 's/.jsonl$//')
check_eq "the original policy" "$(policy "$K0")" "$ORIG0"
check_eq "the enclave still in debug mode" "$(enclave_flags node-0)" DEBUG_MODE
bv procedure rollback "$id" --yes
check_eq "refused" "$RC" 1
check_contains "says why and what finishes it" "$ERR" "is a debug exit: bvops never takes protection away again, so it is not rolled back. node-0 may run in DEBUG_MODE under the original policy until its protected restart: bvops procedure resume finishes it"
bv procedure list
check_not_contains "never said rolled back" "$(printf '%s\n' "$OUT" | grep "$id")" "rolled back"
bv procedure resume "$id" --yes
check_eq "finished" "$RC:$(enclave_flags node-0)" "0:NONE"
test_end

test_begin a_lost_put_key_policy_answer_is_read_back
# KMS applies PutKeyPolicy but every answer is lost (all three attempts):
# the policy read back is the one put, so debug mode goes on.
LOST_TARGET=TrentService.PutKeyPolicy lost_answer_start "" 3
AWS_ENDPOINT_URL_KMS=$LOST_URL bv debug enter node-0 --yes --no-console
check_eq "entered all the same" "$RC:$ERR" "0:"
check_contains "said" "$OUT" "the key policy's put had no answer ("
check_contains "and read back" "$OUT" "read back, it is the one put"
check_eq "three answers lost" "$(grep -c 'answer lost' "$LOST_LOG")" 3
check_contains "the debug policy" "$(policy "$K0")" "\"kms:RecipientAttestation:PCR8\": \"$ZERO\""
lost_answer_stop
bv debug exit node-0 --yes
check_eq "and out" "$RC:$(policy "$K0")" "0:$ORIG0"
test_end

test_begin a_zero_pcr8_put_by_hand_is_found
put_policy "$K1" "$(printf '%s' "$ORIG1" | sed "s/\"a1a1[a1]*\"/\"$ZERO\"/")"
run "$B" -f "$F" debug status
check_eq "exit 1" "$RC" 1
check_contains "reported" "$(printf '%s\n' "$OUT" | grep '^node-1')" "the key policy has the zero PCR8 but bvops did not record it"
# The key policy is the witness: status says it, and an action asks.
run "$B" -f "$F" status
check_contains "status says it" "$(printf '%s\n' "$OUT" | grep '^node-1')" "DEBUG MODE (not recorded by bvops: the key policy's PCR8 is zeros)"
run "$B" -f "$F" --json status
check_eq "and its JSON" "$(json_field "$OUT" '[(n["debug_mode"], n["debug"]["recorded"], n["debug"]["key_policy"]) for n in d["nodes"] if n["name"] == "node-1"][0]')" "(True, False, 'debug')"
bv node restart node-1 --yes
check_eq "a restart asks, --yes alone refuses" "$RC" 1
check_contains "says why" "$OUT$ERR" "node-1 is in DEBUG MODE (not recorded by bvops): its key policy's PCR8 is 96 zeros"
if command -v tmux >/dev/null; then
	# A console's start reads the live policies and says so (on a tmux
	# server of its own: the one before may still be exiting).
	SOCK="$TMP/tmux2.sock"
	tm new-session -d -s t2 -x 100 -y 24 "env TERM=xterm-256color LANG=C.UTF-8 HOME=$HOME XDG_STATE_HOME=$XDG_STATE_HOME AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY AWS_REGION=$AWS_REGION AWS_EC2_METADATA_DISABLED=true $B -f $F"
	for i in $(seq 300); do
		tm capture-pane -p -t t2 2>/dev/null | grep -qF "DEBUG MODE node-1 (not recorded by bvops)" && break
		tick
	done
	SCREEN=$(tm capture-pane -p -t t2)
	check_contains "the console's header at start" "$SCREEN" "DEBUG MODE node-1 (not recorded by bvops)"
	check_contains "and its row" "$SCREEN" "DEBUG? node-1"
	tm kill-server 2>/dev/null
fi
bv debug exit node-1 --yes
check_eq "exit refuses: no original seen" "$RC" 1
check_contains "says why" "$ERR" "bvops has no record of node-1's original key policy"
put_policy "$K1" "$ORIG1"
test_end

test_begin valgrind_clean
if command -v valgrind >/dev/null && [[ "$B" != */asan/* ]]; then
	run setsid -w valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect "$B" -f "$F" debug enter node-0 --dry-run
	check_eq "enter --dry-run under valgrind (99 is a report)" "$RC" 0
	[ "$RC" = 99 ] && printf '%s\n' "$ERR" | head -30
	run setsid -w valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect "$B" -f "$F" --json debug status
	check_eq "debug status under valgrind" "$RC" 0
	[ "$RC" = 99 ] && printf '%s\n' "$ERR" | head -30
fi
test_end

summary
