#!/usr/bin/env bash
# bvops logs: a node's journal and console through the local transport
# (the simulator behind [commands]), follow with reconnection, and hostile
# log lines neutralised.
# usage: tests/logs.sh BVOPS
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
. tests/simlib.sh
BVOPS=$1
TMP=$(mktemp -d)
trap 'sim_stop; rm -rf "$TMP"' EXIT
sim_start 2 || exit 1
F="$SIM_DIR/fleet.toml"

test_begin journal_tail
run "$BVOPS" logs node-0 -f "$F" --lines 2
check_eq "exit" "$RC" 0
check_eq "two lines" "$(printf '%s\n' "$OUT" | wc -l)" 2
run "$BVOPS" logs node-0 -f "$F"
check_contains "journal" "$OUT" "node-0 systemd[1]: Started enclave.service."
test_end

# Every command reads its options from one table: "--opt=value" as well
# as "--opt value", anywhere among the words, and a message that names
# the option when it is wrong.
test_begin options_with_equals_or_apart
run "$BVOPS" logs --lines=2 node-0 -f "$F"
check_eq "exit with --lines=2" "$RC" 0
check_eq "two lines with --lines=2" "$(printf '%s\n' "$OUT" | wc -l)" 2
run "$BVOPS" logs node-0 --source=console --lines=0 -f "$F"
check_eq "bad count" "$RC" 2
check_contains "names the option" "$ERR" "bvops: --lines takes a number from 1 to 1000000"
run "$BVOPS" logs node-0 --lines -f "$F"
check_eq "a word is not a count" "$RC" 2
run "$BVOPS" logs node-0 --follow=yes -f "$F"
check_eq "a flag takes no value" "$RC" 2
check_contains "says so" "$ERR" "bvops: --follow takes no value"
run "$BVOPS" logs node-0 --lines
check_contains "missing value" "$ERR" "bvops: --lines needs a value"
run "$BVOPS" debug exit node-0 --wait=soon -f "$F"
check_eq "bad duration" "$RC" 2
check_contains "names --wait" "$ERR" "bvops: --wait: "
run "$BVOPS" logs node-0 node-1 -f "$F"
check_contains "one NODE" "$ERR" "bvops: unexpected 'node-1'"
run "$BVOPS" hostkey --frob node-0 -f "$F"
check_contains "unknown option" "$ERR" "bvops: unknown option '--frob'"
test_end

test_begin console_needs_debug_mode
run "$BVOPS" logs node-1 --source console -f "$F"
check_eq "exit" "$RC" 3
check_contains "why" "$ERR" "[ E44 ]"
check_contains "which" "$ERR" "node-1: the console command failed"
test_end

test_begin follow_reconnects_after_restart
"$SIM" ctl "$SIM_DIR" node-1 debug-restart >/dev/null
"$BVOPS" logs node-1 --source console --follow -f "$F" >"$TMP/follow.out" 2>"$TMP/follow.err" &
lp=$!
for i in $(seq 100); do grep -q "heartbeat" "$TMP/follow.out" && break; tick; done
"$SIM" ctl "$SIM_DIR" node-1 debug-restart >/dev/null
for i in $(seq 100); do grep -q "reconnected" "$TMP/follow.out" && break; tick; done
for i in $(seq 100); do [ "$(grep -c "Successfully connected" "$TMP/follow.out")" -ge 2 ] && break; tick; done
kill -INT "$lp"
wait "$lp"
check_eq "Ctrl-C ends it cleanly" "$?" 0
check_contains "gap marked" "$(cat "$TMP/follow.out")" "-- node-1 console reconnected; lines may be missing --"
check_contains "said why" "$(cat "$TMP/follow.err")" "node-1 console ended"
check_eq "attached twice" "$(grep -c "Successfully connected" "$TMP/follow.out")" 2
test_end

test_begin hostile_lines_are_neutralised
cat >"$TMP/hostile.toml" <<'TOML'
[fleet]
name = "hostile"
[[node]]
name = "h"
index = 0
ping_url = "http://127.0.0.1:1/ping"
transport = "local"
[node.commands]
journal = "sh HOSTILE"
TOML
sed -i "s|HOSTILE|$PWD/tests/data/hostile_journal.sh|" "$TMP/hostile.toml"
run "$BVOPS" logs h -f "$TMP/hostile.toml" --lines 100
check_eq "exit" "$RC" 0
check_eq "title, clear, colour gone; CR eaten; NUL and bad byte shown" \
	"$(printf '%s\n' "$OUT" | head -1)" "abc"
check_eq "second line" "$(printf '%s\n' "$OUT" | sed -n 2p)" "d?e?f"
check_not_contains "no ESC reaches the terminal" "$OUT" $'\033'
check_eq "a 1 MB line of NULs arrives whole, as ?" "$(printf '%s\n' "$OUT" | tail -2 | head -1 | tr -d '?' | wc -c)" 1
check_eq "its length" "$(printf '%s\n' "$OUT" | tail -2 | head -1 | wc -c)" 1048577
check_eq "and the line after it" "$(printf '%s\n' "$OUT" | tail -1)" "last line"
test_end

test_begin no_transport_and_unknown_node
printf '[fleet]\nname = "n"\n[[node]]\nname = "x"\nindex = 0\nping_url = "http://a/ping"\n' >"$TMP/none.toml"
run "$BVOPS" logs x -f "$TMP/none.toml"
check_eq "exit" "$RC" 2
check_contains "why" "$ERR" "node x has no transport (transport = \"none\")"
run "$BVOPS" logs nope -f "$F"
check_eq "unknown node exit" "$RC" 2
check_contains "unknown node" "$ERR" "no node 'nope' in $F"
run "$BVOPS" logs -f "$F"
check_eq "no node exit" "$RC" 2
check_contains "usage" "$ERR" "usage: bvops logs NODE"
run "$BVOPS" logs node-0 --source dmesg -f "$F"
check_eq "bad source" "$RC" 2
test_end

# A node's command run locally gets bvops's environment without the AWS
# secrets bvops may hold.
test_begin local_commands_get_no_aws_secrets
cat >"$TMP/env.toml" <<'TOML'
[fleet]
name = "envtest"
[commands]
journal = "env"
[[node]]
name = "n"
index = 0
ping_url = "http://127.0.0.1:9/ping"
transport = "local"
TOML
run env AWS_SECRET_ACCESS_KEY=s3cr3t-key AWS_SESSION_TOKEN=s3ss10n AWS_ACCESS_KEY_ID=AKIAEXAMPLE AWS_REGION=eu-west-1 "$BVOPS" logs n -f "$TMP/env.toml" --lines 1000
check_eq "exit" "$RC" 0
check_contains "the rest of the environment" "$OUT" "AWS_REGION=eu-west-1"
check_not_contains "no secret key" "$OUT" "s3cr3t-key"
check_not_contains "no session token" "$OUT" "s3ss10n"
check_not_contains "no key id" "$OUT" "AKIAEXAMPLE"
test_end

summary