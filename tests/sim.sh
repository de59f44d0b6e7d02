#!/usr/bin/env bash
# The node simulator does what docs/simulator.md says, so tests that lean
# on it test bvops and not a broken fixture.
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
. tests/simlib.sh
trap sim_stop EXIT
sim_start 2 --start-delay 400 || exit 1
P0=$(awk '$1 == "node-0" {print $2}' "$SIM_DIR/ports")
code() { curl -s -o /dev/null -m 1 -w '%{http_code}' "http://127.0.0.1:$P0$1"; }
ctl() { "$SIM" ctl "$SIM_DIR" "$@"; }

test_begin ping_and_lifecycle
check_eq "running" "$(code /ping)" 200
check_eq "other paths" "$(code /other)" 404
ctl node-0 stop >/dev/null
check_eq "stopped refuses" "$(code /ping)" 000
check_eq "stopped state" "$(ctl node-0 state)" "[]"
ctl node-0 start >/dev/null
check_eq "starting" "$(code /ping)" 503
for i in $(seq 100); do [ "$(code /ping)" = 200 ] && break; tick; done
check_eq "started" "$(code /ping)" 200
check_contains "protected" "$(ctl node-0 state)" '"Flags": "NONE"'
test_end

test_begin faults
ctl node-0 fault 503 >/dev/null
check_eq "503" "$(code /ping)" 503
ctl node-0 fault refuse >/dev/null
check_eq "refuse" "$(code /ping)" 000
ctl node-0 fault hang >/dev/null
check_eq "hang" "$(code /ping)" 000
ctl node-0 fault slow 300 >/dev/null
t=$(curl -s -o /dev/null -m 2 -w '%{time_total}' "http://127.0.0.1:$P0/ping")
check_eq "slow answers late" "$(awk -v t="$t" 'BEGIN { print (t >= 0.3) }')" 1
ctl node-0 fault crash >/dev/null
check_eq "crash stops it" "$(ctl node-0 state)" "[]"
check_contains "crash in the journal" "$(ctl node-0 journal)" "status=11/SEGV"
ctl node-0 fault none >/dev/null
ctl node-0 start >/dev/null
test_end

test_begin debug_mode_and_console
run "$SIM" ctl "$SIM_DIR" node-1 console
check_eq "console refused in protected mode" "$RC" 1
check_contains "E44" "$ERR" "[ E44 ]"
ctl node-1 debug-restart >/dev/null
check_contains "debug flags" "$(ctl node-1 state)" '"Flags": "DEBUG_MODE"'
timeout 3 "$SIM" ctl "$SIM_DIR" node-1 console >"$SIM_DIR/console.out" 2>&1 &
cpid=$!
for i in $(seq 100); do grep -q "heartbeat" "$SIM_DIR/console.out" && break; tick; done
check_contains "console connects" "$(cat "$SIM_DIR/console.out")" "Successfully connected to the console."
check_contains "console streams" "$(cat "$SIM_DIR/console.out")" "tsm: "
ctl node-1 protected-restart >/dev/null
wait "$cpid"
check_eq "console ends with the debug enclave" "$?" 0
check_contains "journal" "$(ctl node-1 journal)" "Starting enclave.service"
run "$SIM" ctl "$SIM_DIR" node-9 state
check_eq "unknown node" "$RC" 1
test_end

summary
