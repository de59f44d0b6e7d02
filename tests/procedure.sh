#!/usr/bin/env bash
# bvops config edit / restore and the procedure journal, end to end against
# moto_server (signatures checked, seeded like a deployment by
# demo/aws_seed.py) and the node simulator: editors are scripts, so every
# path runs without a terminal (setsid: no controlling tty at all).
# usage: tests/procedure.sh BVOPS_BINARY
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
. tests/simlib.sh
. tests/motolib.sh
. tests/proclib.sh
B=$(realpath "$1")
proc_world tsm 2
B0=$(seed 0 bucket)
B1=$(seed 1 bucket)
cp "$F" "$TMP/fleet-console.toml" # the console's: restarts really restart
stored() { aws s3 cp "s3://$1/$2/config.toml" - --region eu-west-1 2>/dev/null; }
ORIG0=$(stored "$B0" tsm-0)
# editor NAME BODY: a script that plays the operator's editor.
editor() {
	printf '#!/bin/sh\n%s\n' "$2" >"$TMP/$1"
	chmod +x "$TMP/$1"
	echo "$TMP/$1"
}
ED_PORT=$(editor port 'sed -i "s/^Port = 8080/Port = 8081/" "$1"')
bv() { run setsid -w env EDITOR="$1" "$B" -f "$F" "${@:2}"; }

test_begin dry_run_shows_the_diff_and_changes_nothing
bv "$ED_PORT" config edit node-0 --dry-run
check_eq "exit" "$RC" 0
check_contains "the diff" "$OUT" "-Port = 8080
+Port = 8081"
check_contains "its names" "$OUT" "--- s3://$B0/tsm-0/config.toml"
check_contains "says so" "$OUT" "dry run: nothing uploaded"
check_eq "unchanged" "$(stored "$B0" tsm-0)" "$ORIG0"
check_eq "no journal" "$(ls "$STATE/procedures" 2>/dev/null | grep -c '\.jsonl$')" 0
test_end

test_begin the_edit_is_linted_before_the_upload_is_asked
# The edit gives node-0 node-1's index: said, with its place, and as
# always without a terminal nothing is uploaded.
ED_IDX=$(editor idx 'sed -i "0,/^Index = 0$/s//Index = 1/" "$1"')
bv "$ED_IDX" config edit node-0
check_eq "not uploaded: exit 1" "$RC" 1
check_contains "the lint's warning" "$OUT" "WARNING: bvops config lint finds, with this edit (against the other nodes' configs):
node-0: s3://$B0/tsm-0/config.toml:3:9: [Player] Index is 1, the fleet file says 0"
check_contains "and against the node whose index it is" "$OUT" "node-0: s3://$B0/tsm-0/config.toml:3:9: [Player] Index 1 is node-1's too"
check_eq "unchanged" "$(stored "$B0" tsm-0)" "$ORIG0"
bv "$ED_PORT" config edit node-0 --dry-run
check_not_contains "a clean edit: no warning" "$OUT" "bvops config lint finds"
run "$B" -f "$F" procedure list --json
for id in $(printf '%s' "$OUT" | python3 -c 'import json,sys; [print(p["id"]) for p in json.load(sys.stdin) if p.get("outcome") is None]'); do
	run "$B" -f "$F" procedure abandon "$id" --yes
done
test_end

test_begin without_a_terminal_yes_is_needed
bv "$ED_PORT" config edit node-0
check_eq "exit" "$RC" 1
check_contains "says why" "$ERR" "not confirmed: nothing uploaded (answer y, or --yes without a terminal)"
check_eq "unchanged" "$(stored "$B0" tsm-0)" "$ORIG0"
run "$B" -f "$F" procedure list
check_contains "journaled as abandoned" "$OUT" "abandoned"
test_end

test_begin edit_backup_upload_with_if_match
bv "$ED_PORT" config edit node-0 --yes
check_eq "exit" "$RC:$ERR" "0:"
check_eq "uploaded" "$(stored "$B0" tsm-0)" "$(printf '%s\n' "$ORIG0" | sed 's/^Port = 8080/Port = 8081/')"
bkey=$(aws s3api list-objects-v2 --bucket "$B0" --region eu-west-1 --query "Contents[?starts_with(Key, 'backups/tsm-0/')].Key | [0]" --output text)
check_contains "a backup under backups/ with a time" "$bkey" "backups/tsm-0/config.toml.20"
check_eq "the backup is the text as read" "$(aws s3 cp "s3://$B0/$bkey" - --region eu-west-1)" "$ORIG0"
check_contains "says where the backup is" "$OUT" "backup: s3://$B0/$bkey, and the stored version "
check_contains "not restarted unless asked" "$OUT" "node-0 was not restarted"
run "$B" -f "$F" --json procedure list
check_contains "journaled done" "$OUT" '"kind":"config-edit","by":"'
check_contains "outcome" "$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["outcome"])')" done
check_contains "audited" "$(cat "$STATE/audit.log")" '"action":"config edit node-0","node":"node-0","result":"uploaded; not restarted"'
id=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
check_eq "journal 0600" "$(stat -c %a "$STATE/procedures/$id.jsonl")" 600
check_eq "no plain copy of the config left once done" "$(ls -a "$STATE/procedures" | grep -F "$id." | grep -v '\.jsonl$')" ""
check_eq "the journal ends with its end record" "$(python3 -c 'import json,sys; print([json.loads(l)["rec"] for l in open(sys.argv[1])][0::1][-1])' "$STATE/procedures/$id.jsonl")" end
run "$B" -f "$F" lock status
check_eq "the lock was let go" "$RC" 0
check_contains "where it lives" "$OUT" "s3://$B0/bvops/lock-tsm.json: not held"
test_end

test_begin invalid_edit_is_never_uploaded_nor_lost
NOW=$(stored "$B0" tsm-0)
ED_BAD=$(editor bad 'printf "[Broken\n" >> "$1"')
bv "$ED_BAD" config edit node-0 --yes
check_eq "exit 2" "$RC" 2
check_contains "line:col: message" "$OUT" "-config.toml:31:8: expected ']' to close the table header"
kept=$(printf '%s\n' "$ERR" | sed -n 's/.*your edit is kept in \(.*\)$/\1/p')
check_contains "the edit is kept, and named" "$(cat "$kept" 2>/dev/null)" "[Broken"
check_eq "kept private" "$(stat -c %a "$kept"):$(stat -c %a "$(dirname "$kept")")" "600:700"
check_eq "nothing uploaded" "$(stored "$B0" tsm-0)" "$NOW"
rm -rf "$(dirname "$kept")"
test_end

test_begin someone_elses_change_is_never_overwritten
NOW=$(stored "$B0" tsm-0)
# While "the operator" edits, another operator uploads a change.
ED_RACE=$(editor race "sed -i 's/^Port = 9000/Port = 9001/' \"\$1\"
printf '%s\n# theirs\n' \"\$(aws s3 cp s3://$B0/tsm-0/config.toml - --region eu-west-1)\" | aws s3 cp - s3://$B0/tsm-0/config.toml --region eu-west-1")
bv "$ED_RACE" config edit node-0 --yes
check_eq "exit 1" "$RC" 1
check_contains "refused" "$ERR" "someone else changed node-0's config meanwhile: not uploaded"
check_contains "their change shown" "$OUT" "+# theirs"
check_contains "and yours" "$OUT" "+Port = 9001"
check_eq "theirs kept" "$(stored "$B0" tsm-0)" "$(printf '%s\n# theirs' "$NOW")"
test_end

test_begin a_lost_answer_to_the_upload_is_not_a_failure
# S3 applies the upload and its answer is lost (500): the retry meets
# our own write (412); the object holds our text, so it was uploaded.
lost_answer_start "/$B0/tsm-0/config.toml"
NOW=$(stored "$B0" tsm-0)
ED_LOST=$(editor lost 'printf "# lost answer\n" >>"$1"')
run setsid -w env EDITOR="$ED_LOST" AWS_ENDPOINT_URL_S3="$LOST_URL" "$B" -f "$F" config edit node-0 --yes
check_eq "done" "$RC:$ERR" "0:"
check_contains "uploaded" "$OUT" "uploaded s3://$B0/tsm-0/config.toml"
check_not_contains "not called a failure" "$OUT" "NOT uploaded"
check_eq "stored" "$(stored "$B0" tsm-0)" "$(printf '%s\n# lost answer' "$NOW")"
check_contains "the answer was lost" "$(cat "$LOST_LOG")" "PUT /$B0/tsm-0/config.toml 500 (applied, answer lost)"
check_contains "the retry met our write" "$(cat "$LOST_LOG")" "PUT /$B0/tsm-0/config.toml 412"
id=$("$B" -f "$F" --json procedure list | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
run "$B" -f "$F" procedure list
check_contains "journaled done" "$(printf '%s\n' "$OUT" | grep "$id")" " done"
check_contains "the lock let go" "$("$B" -f "$F" lock status)" "not held"
lost_answer_stop
test_end

test_begin secrets_redacted_in_the_diff
ED_SECRET=$(editor secret 'sed -i "s/Demo-Passw0rd-0/New-Passw0rd-0/; s/^Port = 9000/Port = 9002/" "$1"')
bv "$ED_SECRET" config edit node-0 --dry-run
check_not_contains "no secret shown" "$OUT" "Passw0rd"
check_contains "but said" "$OUT" "(secret values changed too: shown redacted above; --show-secrets shows them)"
bv "$ED_SECRET" config edit node-0 --dry-run --show-secrets
check_contains "unless asked" "$OUT" "+DataSourceName = \"postgres://tsm:New-Passw0rd-0@"
test_end

test_begin restart_and_wait_for_ping
ED_N1=$(editor n1 'sed -i "s/^Port = 9000/Port = 9100/" "$1"')
bv "$ED_N1" config edit node-1 --yes --restart
check_eq "exit" "$RC:$ERR" "0:"
check_contains "restarted and up" "$OUT" "node-1 is up: /ping answers 200"
check_eq "the simulator was restarted once" "$("$SIM" ctl "$SIM_DIR" node-1 stats | awk '{print $6}')" 1
test_end

test_begin a_failed_restart_stays_open_and_resume_retries
"$SIM" ctl "$SIM_DIR" node-1 restart-mode fail >/dev/null
ED_N1B=$(editor n1b 'sed -i "s/^Port = 9100/Port = 9101/" "$1"')
bv "$ED_N1B" config edit node-1 --yes --restart
check_eq "exit 1" "$RC" 1
check_contains "says what failed" "$ERR" "restart of node-1 failed (exit 1)"
check_contains "offers the ways on" "$OUT" "procedure resume"
id=$(printf '%s\n' "$OUT" | sed -n 's/.*Procedure \([^ ]*\) stays open.*/\1/p')
run "$B" -f "$F" procedure list
check_contains "open, at the restart" "$(printf '%s\n' "$OUT" | grep "$id")" "failed at restart on node-1"
check_contains "the procedure holds its node (no auto-restart, no paging)" "$(cat "$STATE/holds.json")" "\"reason\":	\"procedure $id\""
"$SIM" ctl "$SIM_DIR" node-1 restart-mode ok >/dev/null
restarts=$("$SIM" ctl "$SIM_DIR" node-1 stats | awk '{print $6}')
run setsid -w "$B" -f "$F" procedure resume "$id" --restart
check_eq "a resume restarts: without a terminal, --yes" "$RC:$ERR" "1:bvops: node-1: not restarted (no terminal to confirm on, and no --yes); the procedure stays open: resume it to restart, or abandon it"
check_contains "the quorum effect said" "$OUT" "while node-1 is down only 1 is up, below the quorum of 2"
check_eq "nothing restarted" "$("$SIM" ctl "$SIM_DIR" node-1 stats | awk '{print $6}')" "$restarts"
run setsid -w "$B" -f "$F" procedure resume "$id" --yes
check_eq "resumed" "$RC:$ERR" "0:"
check_contains "up" "$OUT" "node-1 is up: /ping answers 200"
run "$B" -f "$F" procedure list
check_contains "done" "$(printf '%s\n' "$OUT" | grep "$id")" " done"
check_not_contains "and lets it go" "$(cat "$STATE/holds.json")" "procedure $id"
test_end

test_begin holds_stack_each_lifted_by_its_owner
run "$B" -f "$F" maintenance node-1 --reason "disk swap" --yes
check_eq "maintenance set" "$RC" 0
"$SIM" ctl "$SIM_DIR" node-1 restart-mode fail >/dev/null
ED_N1C=$(editor n1c 'printf "# holds stack\n" >>"$1"')
bv "$ED_N1C" config edit node-1 --yes --restart
check_eq "the edit stays open" "$RC" 1
id=$(printf '%s\n' "$OUT" | sed -n 's/.*Procedure \([^ ]*\) stays open.*/\1/p')
check_contains "the procedure's hold beside the maintenance" "$(cat "$STATE/holds.json")" "\"id\":	\"$id\""
check_contains "the maintenance kept" "$(cat "$STATE/holds.json")" '"reason":	"disk swap"'
run "$B" -f "$F" maintenance node-1 --end --yes
check_eq "maintenance ended" "$RC" 0
check_contains "says what still holds the node" "$OUT" "node-1 is still held by procedure $id ("
check_contains "the procedure's hold stays" "$(cat "$STATE/holds.json")" "\"id\":	\"$id\""
check_not_contains "the maintenance is gone" "$(cat "$STATE/holds.json")" "disk swap"
run "$B" -f "$F" maintenance node-1 --end --yes
check_contains "no maintenance to end" "$OUT" "node-1 is not in your maintenance: nothing to end"
run "$B" -f "$F" maintenance node-1 --reason "kernel update" --yes
"$SIM" ctl "$SIM_DIR" node-1 restart-mode ok >/dev/null
run setsid -w "$B" -f "$F" procedure resume "$id" --restart --yes
check_eq "resumed" "$RC:$ERR" "0:"
check_not_contains "the procedure's hold lifted" "$(cat "$STATE/holds.json")" "$id"
check_contains "the maintenance set meanwhile is kept" "$(cat "$STATE/holds.json")" '"reason":	"kernel update"'
run "$B" -f "$F" maintenance node-1 --end --yes
check_eq "no hold left" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["holds"])' "$STATE/holds.json")" "{}"
test_end

test_begin a_lock_held_elsewhere_refuses_then_break
cat >"$TMP/lock.json" <<'JSON'
{"held": true, "id": "20261127T000000Z-config-edit-node-1", "who": "bob", "host": "ops-2", "what": "config edit node-1", "since": "2026-11-27T00:00:00Z", "expires": "2026-11-27T00:15:00Z"}
JSON
aws s3 cp "$TMP/lock.json" "s3://$B0/bvops/lock-tsm.json" --region eu-west-1 >/dev/null
NOW=$(stored "$B0" tsm-0)
bv "$ED_PORT" config edit node-0 --yes
check_eq "exit 1" "$RC" 1
check_contains "says who and that it is stale" "$ERR" "the fleet is locked by bob@ops-2, config edit node-1 (procedure 20261127T000000Z-config-edit-node-1), since 2026-11-27T00:00:00Z, STALE: expired"
check_eq "nothing changed" "$(stored "$B0" tsm-0)" "$NOW"
run "$B" -f "$F" lock status
check_eq "status: held" "$RC" 1
run setsid -w "$B" -f "$F" lock break 20261127T000000Z-config-edit-node-1
check_eq "break asks first" "$RC" 1
run "$B" -f "$F" lock break --yes
check_eq "the lock to break is named" "$RC" 2
run "$B" -f "$F" lock break 20261127T000000Z-ers-apply --yes
check_eq "another's is not broken" "$RC" 1
check_contains "says whose it is" "$ERR" "the lock is held by bob@ops-2, config edit node-1 (procedure 20261127T000000Z-config-edit-node-1)"
check_contains "and what it does" "$ERR" "not by 20261127T000000Z-ers-apply: nothing broken"
run "$B" -f "$F" lock break 20261127T000000Z-config-edit-node-1 --yes
check_eq "broken" "$RC:$OUT" "0:broke the lock held by bob@ops-2, config edit node-1 (procedure 20261127T000000Z-config-edit-node-1), since 2026-11-27T00:00:00Z, STALE: expired 2026-11-27T00:15:00Z"
check_contains "audited" "$(cat "$STATE/audit.log")" '"action":"lock break"'
run "$B" -f "$F" lock status
check_eq "free" "$RC" 0
test_end

test_begin killed_mid_procedure_then_rollback
# The restart command kills bvops (kill -9) after the upload.
sed -i "s|^restart = .*|restart = \"kill -9 \$PPID\"|" "$F"
BEFORE=$(stored "$B0" tsm-0)
ED_KILL=$(editor kill 'sed -i "s/^Port = 9000/Port = 9003/" "$1"')
bv "$ED_KILL" config edit node-0 --yes --restart
check_eq "killed" "$RC" 137
id=$(ls -t "$STATE/procedures" | grep 'config-edit-node-0\(-[0-9]*\)\?.jsonl$' | head -1 | sed 's/.jsonl$//')
run "$B" -f "$F" procedure list
check_contains "interrupted at an exact step and node" "$(printf '%s\n' "$OUT" | grep "$id")" "interrupted at restart on node-0"
check_contains "uploaded before the kill" "$(stored "$B0" tsm-0)" "Port = 9003"
run "$B" -f "$F" lock status
check_contains "its lock is still there" "$OUT" "procedure $id"
run setsid -w "$B" -f "$F" procedure rollback "$id"
check_eq "rolled back" "$RC:$ERR" "0:"
check_eq "byte for byte as before" "$(stored "$B0" tsm-0)" "$BEFORE"
run "$B" -f "$F" procedure list
check_contains "says so" "$(printf '%s\n' "$OUT" | grep "$id")" "rolled back"
run "$B" -f "$F" lock status
check_eq "lock let go" "$RC" 0
run setsid -w "$B" -f "$F" procedure rollback "$id"
check_eq "a second rollback: nothing to do" "$RC" 1
check_contains "says why" "$ERR" "has ended (rolled_back)"
test_end

test_begin killed_while_editing_then_resume_says_start_again
ED_DIE=$(editor die 'kill -9 $PPID')
bv "$ED_DIE" config edit node-0 --yes
check_eq "killed" "$RC" 137
id=$(ls -t "$STATE/procedures" | grep 'config-edit-node-0\(-[0-9]*\)\?.jsonl$' | head -1 | sed 's/.jsonl$//')
run "$B" -f "$F" procedure list
check_contains "interrupted while editing" "$(printf '%s\n' "$OUT" | grep "$id")" "interrupted at edit on node-0"
run setsid -w "$B" -f "$F" procedure resume "$id"
check_eq "exit 1" "$RC" 1
check_contains "nothing was uploaded" "$ERR" "interrupted before the edit was saved: nothing was uploaded"
run "$B" -f "$F" lock status
check_eq "lock let go" "$RC" 0
check_eq "no plain copy of the config left" "$(ls -a "$STATE/procedures" | grep -F "$id." | grep -v '\.jsonl$')" ""
test_end

# The editor's copy lives in a private folder the journal names; after a
# kill, resume shows the kept edit and offers it, or removes it.
test_begin killed_after_editing_then_resume_offers_the_kept_edit
NOW=$(stored "$B0" tsm-0)
ED_EDIT_DIE=$(editor editdie 'sed -i "s/^Port = .*/Port = 8123/" "$1"; kill -9 $PPID')
TMP_EDITS=$(ls -d /tmp/bvops-edit-* 2>/dev/null | wc -l)
bv "$ED_EDIT_DIE" config edit node-0 --yes
check_eq "killed" "$RC" 137
id=$(ls -t "$STATE/procedures" | grep 'config-edit-node-0\(-[0-9]*\)\?.jsonl$' | head -1 | sed 's/.jsonl$//')
edir=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r.get("step") == "read" and r.get("state") == "done": print(r["data"]["edit_dir"])' "$STATE/procedures/$id.jsonl")
check_eq "the journal names the editor's folder" "$edir" "$STATE/procedures/$id.edit"
check_eq "private: the folder 0700, the copy 0600" "$(stat -c %a "$edir" 2>/dev/null):$(stat -c %a "$edir/node-0-config.toml" 2>/dev/null)" "700:600"
check_contains "the edit is there" "$(cat "$edir/node-0-config.toml" 2>/dev/null)" "Port = 8123"
check_eq "nothing left in /tmp" "$(ls -d /tmp/bvops-edit-* 2>/dev/null | wc -l)" "$TMP_EDITS"
# Nobody to answer: shown, kept, and said where.
run setsid -w env EDITOR=true "$B" -f "$F" procedure resume "$id" --yes
check_eq "no answer: stopped" "$RC" 1
check_contains "the kept edit shown as a diff" "$OUT" "+Port = 8123"
check_contains "kept, and where" "$ERR" "the kept edit stays in $edir/node-0-config.toml"
check_contains "still there" "$(cat "$edir/node-0-config.toml" 2>/dev/null)" "Port = 8123"
check_eq "nothing uploaded" "$(stored "$B0" tsm-0)" "$NOW"
if command -v tmux >/dev/null; then
	# At a terminal: u uses it (the editor opens on it; here it keeps it).
	KSOCK="$TMP/tmux-kept.sock"
	ask_in_tmux() { # ANSWER ARGS...: run bvops ARGS at a terminal, answer the kept-edit question
		local answer=$1
		shift
		rm -f "$TMP/kept.rc"
		tmux -S "$KSOCK" -f /dev/null new-session -d -s k -x 120 -y 40 \
			"env HOME=$HOME XDG_STATE_HOME=$XDG_STATE_HOME AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY AWS_REGION=$AWS_REGION AWS_EC2_METADATA_DISABLED=true EDITOR=true $B -f $F $* >$TMP/kept.out 2>&1; echo \$? >$TMP/kept.rc"
		tmux_expect "$KSOCK" k "or [k]eep it for later?" 300
		tmux -S "$KSOCK" send-keys -t k "$answer" Enter
		for _ in $(seq 400); do
			[ -f "$TMP/kept.rc" ] && break
			tick
		done
		tmux -S "$KSOCK" kill-server 2>/dev/null
		KSOCK="$KSOCK.next"
	}
	ask_in_tmux u procedure resume "$id" --yes
	check_eq "used: done" "$(cat "$TMP/kept.rc" 2>/dev/null)" 0
	check_contains "the kept edit uploaded" "$(stored "$B0" tsm-0)" "Port = 8123"
	check_eq "its plain copies removed once it ended" "$(ls -a "$STATE/procedures" | grep -F "$id." | grep -v '\.jsonl$')" ""
	# Killed again in the editor: d removes the kept edit.
	ED_EDIT_DIE=$(editor editdie2 'sed -i "s/^Port = .*/Port = 8124/" "$1"; kill -9 $PPID')
	bv "$ED_EDIT_DIE" config edit node-0 --yes
	id=$(ls -t "$STATE/procedures" | grep 'config-edit-node-0\(-[0-9]*\)\?.jsonl$' | head -1 | sed 's/.jsonl$//')
	check_eq "kept again" "$(ls "$STATE/procedures/$id.edit" 2>/dev/null)" "node-0-config.toml"
	NOW=$(stored "$B0" tsm-0)
	ask_in_tmux d procedure resume "$id" --yes
	check_eq "discarded: exit 1" "$(cat "$TMP/kept.rc" 2>/dev/null)" 1
	check_contains "says so" "$(cat "$TMP/kept.out")" "the kept edit was discarded: nothing uploaded"
	check_eq "the folder gone" "$(ls -a "$STATE/procedures" | grep -F "$id." | grep -v '\.jsonl$')" ""
	check_eq "nothing uploaded" "$(stored "$B0" tsm-0)" "$NOW"
	run "$B" -f "$F" lock status
	check_eq "lock let go" "$RC" 0
fi
# Abandoned: its copies can serve no resume or rollback, so they go.
bv "$ED_EDIT_DIE" config edit node-0 --yes
id=$(ls -t "$STATE/procedures" | grep 'config-edit-node-0\(-[0-9]*\)\?.jsonl$' | head -1 | sed 's/.jsonl$//')
check_eq "copies there while it is open" "$(ls -a "$STATE/procedures" | grep -F "$id." | grep -vc '\.jsonl$')" 2
run "$B" -f "$F" procedure abandon "$id" --yes
check_eq "abandoned" "$RC" 0
check_eq "and its copies removed" "$(ls -a "$STATE/procedures" | grep -F "$id." | grep -v '\.jsonl$')" ""
test_end

test_begin no_change_uploads_nothing
NOW=$(stored "$B0" tsm-0)
ED_NONE=$(editor none 'true')
bv "$ED_NONE" config edit node-0 --yes
check_eq "exit 0" "$RC" 0
check_contains "says so" "$OUT" "no change: nothing uploaded"
check_eq "unchanged" "$(stored "$B0" tsm-0)" "$NOW"
test_end

# The operator's editor gets the environment without bvops's AWS secrets.
test_begin the_editor_gets_no_aws_secrets
ED_ENV=$(editor envdump 'env >"'"$TMP"'/editor.env"')
bv "$ED_ENV" config edit node-0 --yes
check_eq "exit 0 (no change)" "$RC" 0
check_contains "the editor ran, with the rest" "$(cat "$TMP/editor.env")" "AWS_REGION="
check_not_contains "no secret key" "$(cat "$TMP/editor.env")" "AWS_SECRET_ACCESS_KEY="
check_not_contains "no key id" "$(cat "$TMP/editor.env")" "AWS_ACCESS_KEY_ID="
test_end

test_begin restore_a_backup
bkey=$(aws s3api list-objects-v2 --bucket "$B0" --region eu-west-1 --query "Contents[?starts_with(Key, 'backups/tsm-0/')].Key | [0]" --output text)
run setsid -w "$B" -f "$F" config restore node-0 --backup "$bkey" --yes
check_eq "exit" "$RC:$ERR" "0:"
check_eq "restored" "$(stored "$B0" tsm-0)" "$ORIG0"
check_contains "the current text backed up first" "$OUT" "backup: s3://$B0/backups/tsm-0/config.toml."
run setsid -w "$B" -f "$F" config restore node-0 --yes
check_eq "without --backup: usage" "$RC" 2
check_contains "says where backups are" "$ERR" "give the backup to restore with --backup KEY (they are under s3://$B0/backups/tsm-0/config.toml.*)"
test_end

test_begin config_edit_from_the_console
# In a real terminal: the console gives the screen to the edit, then
# comes back.
if command -v tmux >/dev/null; then
	SOCK="$TMP/tmux.sock"
	tm() { tmux -S "$SOCK" -f /dev/null "$@"; }
	ED_TUI=$(editor tui 'sed -i "s/^Port = 9000/Port = 9005/" "$1"')
	tm new-session -d -s t -x 100 -y 30 "env TERM=xterm-256color LANG=C.UTF-8 HOME=$HOME XDG_STATE_HOME=$XDG_STATE_HOME AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY AWS_REGION=$AWS_REGION AWS_EC2_METADATA_DISABLED=true EDITOR=$ED_TUI $B -f $TMP/fleet-console.toml"
	screen_has() { tmux_expect "$SOCK" t "$1" 200; }
	screen_has "node-0"
	tm send-keys -t t Enter
	screen_has "e: edit it"
	# The restart will fail once: the wizard then offers the ways on.
	"$SIM" ctl "$SIM_DIR" node-0 restart-mode fail >/dev/null
	tm send-keys -t t e
	screen_has "Upload to s3://$B0/tsm-0/config.toml? [y/N]"
	SCREEN=$(tm capture-pane -p -t t)
	check_contains "the wizard's title" "$SCREEN" "bvops procedure: config edit node-0"
	check_contains "the plan: steps by nodes" "$SCREEN" "NODE        read    edit    backup  upload  restart wait"
	# The upload's question ends the edit step: nothing else has begun.
	check_contains "read done, the edit at its question" "$(printf '%s\n' "$SCREEN" | grep '^node-0')" "ok      now..   .       .       .       ."
	check_contains "the lock" "$SCREEN" "lock: yours until 20"
	check_contains "the diff in the log" "$SCREEN" "+Port = 9005"
	# A resize at any time: the question and the plan are drawn again.
	tm resize-window -t t -x 80 -y 24
	screen_has "read    edit    backup  upload  restart wait"
	check_contains "80x24: the question still there" "$(tm capture-pane -p -t t | tail -2)" "Upload to s3://"
	# Wrapped at 80 columns: every answer shows.
	check_contains "80x24: its answers too" "$(tm capture-pane -p -t t | tail -2)" "[y/N]"
	# A stray key (k scrolls the log) never answers for the operator.
	tm send-keys -t t k x j
	tm resize-window -t t -x 81 -y 24
	screen_has "[y/N]"
	check_not_contains "not aborted by k, x or a resize" "$(tm capture-pane -p -t t)" "not confirmed"
	tm send-keys -t t y
	screen_has "Restart node-0 now so that it reads it? [y/N]"
	tm send-keys -t t y
	screen_has "The procedure is open: r retry, b roll back, a abandon"
	SCREEN=$(tm capture-pane -p -t t)
	check_contains "the failed cell" "$(printf '%s\n' "$SCREEN" | grep '^node-0')" "ok      ok      ok      ok      FAILED"
	check_contains "where it stands" "$SCREEN" "state: failed at restart on node-0 (journal open)"
	check_contains "why, in the log" "$SCREEN" "restart of node-0 failed"
	check_contains "the ways on in the wizard's keys" "$SCREEN" "  r  retry the restart and the wait"
	check_not_contains "no command-line wording in the console" "$SCREEN" "bvops procedure resume"
	"$SIM" ctl "$SIM_DIR" node-0 restart-mode ok >/dev/null
	tm send-keys -t t r
	screen_has "Restart node-0 now? [y/N]"
	check_contains "a retry asks, with the quorum effect" "$(tm capture-pane -p -t t)" "while node-0 is down"
	tm send-keys -t t y
	screen_has "Finished. Enter: back to the console"
	SCREEN=$(tm capture-pane -p -t t)
	check_contains "retried: up" "$SCREEN" "node-0 is up: /ping answers 200"
	check_contains "every step ok" "$(printf '%s\n' "$SCREEN" | grep '^node-0')" "ok      ok      ok      ok      ok      ok"
	check_contains "done" "$SCREEN" "state: done"
	tm send-keys -t t Enter
	screen_has "back from the config edit of node-0"
	check_contains "uploaded" "$(stored "$B0" tsm-0)" "Port = 9005"
	# An edit killed at its restart (the other fleet file's restart kills
	# bvops), then rolled back from the console's procedure view.
	BEFORE=$(stored "$B0" tsm-0)
	ED_K2=$(editor k2 'sed -i "s/^Port = 9005/Port = 9006/" "$1"')
	bv "$ED_K2" config edit node-0 --yes --restart
	check_eq "killed" "$RC" 137
	tm send-keys -t t P
	screen_has "* interrupted at restart on node-0"
	tm send-keys -t t Enter
	screen_has "step upload node-0 done"
	tm send-keys -t t Escape
	screen_has "* interrupted at restart on node-0"
	tm send-keys -t t b
	screen_has "config.toml is back to"
	screen_has "Finished. Enter: back to the console"
	check_contains "the upload undone" "$(tm capture-pane -p -t t | grep '^node-0')" "undone"
	check_eq "byte for byte as before" "$(stored "$B0" tsm-0)" "$BEFORE"
	# Someone else takes the lock: the console says so in its header.
	cat >"$TMP/lock2.json" <<'JSON'
{"held": true, "id": "20261127T000000Z-config-edit-node-1", "who": "carol", "host": "ops-3", "what": "config edit node-1", "since": "2026-11-27T00:00:00Z", "expires": "2099-11-27T00:15:00Z"}
JSON
	aws s3 cp "$TMP/lock2.json" "s3://$B0/bvops/lock-tsm.json" --region eu-west-1 >/dev/null
	tm send-keys -t t Enter
	screen_has "rolled back"
	tm send-keys -t t Escape
	screen_has "LOCKED by carol@ops-3"
	run "$B" -f "$F" lock break 20261127T000000Z-config-edit-node-1 --yes
	check_eq "broken" "$RC" 0
	tm kill-server 2>/dev/null
fi
test_end

test_begin ctrl_c_while_the_editor_runs_quits_nothing
# Ctrl-C reaches the editor (which, as vi does, ignores it) and bvops:
# the edit goes on, bvops says what Ctrl-C did, and nothing quits.
if command -v tmux >/dev/null; then
	SOCK="$TMP/tmux-c.sock"
	tm() { tmux -S "$SOCK" -f /dev/null "$@"; }
	rm -f "$TMP/ed-started" "$TMP/ed-go" "$TMP/cc.status"
	mkfifo "$TMP/ed-go"
	# The editor ignores Ctrl-C (as vi does) and waits, at most 20 s, for
	# the test to say go down the FIFO.
	ED_WAIT=$(editor wait "trap '' INT; touch $TMP/ed-started; timeout 20 cat $TMP/ed-go >/dev/null; printf '# edited after a Ctrl-C\\n' >>\"\$1\"")
	tm new-session -d -s t -x 80 -y 24 "env TERM=xterm-256color LANG=C.UTF-8 HOME=$HOME XDG_STATE_HOME=$XDG_STATE_HOME AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY AWS_REGION=$AWS_REGION AWS_EC2_METADATA_DISABLED=true EDITOR=$ED_WAIT $B -f $TMP/fleet-console.toml; echo \$? >$TMP/cc.status.tmp; mv $TMP/cc.status.tmp $TMP/cc.status"
	screen_has() { tmux_expect "$SOCK" t "$1" 200; }
	screen_has "node-0"
	tm send-keys -t t Enter
	screen_has "e: edit it"
	tm send-keys -t t e
	for i in $(seq 300); do
		[ -f "$TMP/ed-started" ] && break
		tick
	done
	check_eq "the editor runs" "$([ -f "$TMP/ed-started" ] && echo yes)" yes
	# The editor keeps the screen: the wizard's clock draws nothing
	# while it runs (it ticks each second: 2 s are watched).
	drawn=no
	for i in $(seq 40); do
		tm capture-pane -p -t t | grep -qF "bvops procedure:" && { drawn=yes; break; }
		tick
	done
	check_eq "nothing drawn over the editor" "$drawn" no
	tm send-keys -t t C-c
	timeout 20 sh -c "echo go >'$TMP/ed-go'"
	screen_has "Upload to s3://$B0/tsm-0/config.toml?"
	screen_has "[y/N]"
	check_contains "said, not obeyed" "$(tm capture-pane -p -t t)" "(Ctrl-C: a procedure does not stop halfway"
	check_contains "the log's rule drawn as the console's boxes are" "$(tm capture-pane -p -t t)" "-- log (PgUp/PgDn scroll) --"
	tm send-keys -t t n
	screen_has "Enter: back to the console"
	tm send-keys -t t Enter
	screen_has "back from the config edit of node-0"
	check_eq "bvops still runs" "$([ -f "$TMP/cc.status" ] && echo ended || echo running)" running
	tm send-keys -t t q
	for i in $(seq 300); do
		[ -f "$TMP/cc.status" ] && break
		tick
	done
	check_eq "q quits it, exit 0" "$(cat "$TMP/cc.status" 2>/dev/null)" 0
	tm kill-server 2>/dev/null
fi
test_end

# The config edit runs on the procedure engine: killed (kill -9) after
# every journal record in turn, then resumed or rolled back, it always
# ends consistent. A rollback leaves the text as read; a resume, the edit
# in place (or, killed before the edit was saved, nothing changed and the
# operator told to start again). No hold, no lock left either way.
test_begin config_edit_killed_after_every_record_then_resume_or_rollback
FC="$TMP/fleet-console.toml"
ED_CRASH=$(editor crash 'printf "# edited by the crash test\n" >>"$1"')
# edit_state ID: the edit step's last state in the journal ("none" if it
# never started).
edit_state() { python3 -c 'import json,sys; s=[r["state"] for r in map(json.loads, open(sys.argv[1])) if r.get("rec") == "step" and r.get("step") == "edit"]; print(s[-1] if s else "none")' "$STATE/procedures/$1.jsonl"; }
newest() { "$B" -f "$FC" --json procedure list | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])'; }
bad=""
runs=0
ended=0
for n in $(seq 1 30); do
	for how in resume rollback; do
		before=$(stored "$B1" tsm-1)
		run setsid -w env EDITOR="$ED_CRASH" BVOPS_FAULT_AFTER_RECORDS=$n "$B" -f "$FC" config edit node-1 --yes --restart
		if [ "$RC" = 0 ]; then
			ended=1 # n is past its last record: it ran to its end
			break 2
		fi
		if [ "$RC" != 137 ]; then bad="$bad $n/$how:not-killed($RC:$ERR)"; continue; fi
		id=$(newest)
		edit=$(edit_state "$id")
		was_ended=$(grep -c '"rec":"end"' "$STATE/procedures/$id.jsonl")
		run setsid -w env EDITOR="$ED_CRASH" "$B" -f "$FC" procedure "$how" "$id" --yes
		now=$(stored "$B1" tsm-1)
		want_rc=0 want="$before"
		if [ "$was_ended" != 0 ]; then
			# Killed after its end record: done, nothing to do but
			# let go of what it still held.
			want_rc=1
			want=$(printf '%s\n# edited by the crash test' "$before")
		elif [ "$how" = resume ]; then
			# An edit cut short is never guessed at: start again.
			# Before it began, or once saved, the resume edits.
			if [ "$edit" = start ]; then
				want_rc=1
			else
				want=$(printf '%s\n# edited by the crash test' "$before")
			fi
		fi
		[ "$RC" = "$want_rc" ] && [ "$now" = "$want" ] || bad="$bad $n/$how:$RC:$(printf '%s' "$ERR" | head -c 200)"
		grep -q "procedure $id" "$STATE/holds.json" 2>/dev/null && bad="$bad $n/$how:held"
		run "$B" -f "$FC" lock status
		[ "$RC" = 0 ] || bad="$bad $n/$how:locked"
		# Back to the text this round started from.
		printf '%s\n' "$before" | aws s3 cp - "s3://$B1/tsm-1/config.toml" --region eu-west-1 >/dev/null
		runs=$((runs + 1))
	done
done
check_eq "every crash ends consistent" "$bad" ""
check_eq "it ran to its end once past its last record" "$ended" 1
check_eq "crashes tried" "$((runs >= 20))" 1
run "$B" -f "$FC" status
check_contains "node-1 up again" "$OUT" "node-1"
test_end

test_begin valgrind_clean
if command -v valgrind >/dev/null && [[ "$B" != */asan/* ]]; then
	ED_VG=$(editor vg 'sed -i "s/^Port = 9000/Port = 9004/" "$1"')
	run setsid -w env EDITOR="$ED_VG" valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect "$B" -f "$F" config edit node-1 --yes
	check_eq "an edit under valgrind (99 is a report)" "$RC" 0
	[ "$RC" = 99 ] && printf '%s\n' "$ERR" | head -30
	run setsid -w valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect "$B" -f "$F" procedure list
	check_eq "procedure list under valgrind" "$RC" 0
fi
test_end

summary
