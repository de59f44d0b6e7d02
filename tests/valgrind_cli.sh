#!/usr/bin/env bash
# The real binary under valgrind: no invalid access, no leak, on the paths
# that load files (good and broken TOML, good and broken fleets).
# usage: tests/valgrind_cli.sh BVOPS
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
. tests/simlib.sh
BVOPS=$1
TMP=$(mktemp -d)
trap 'sim_stop; rm -rf "$TMP"' EXIT
VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect"

# vg NAME WANT_RC ARGS...: run bvops under valgrind; 99 means it reported.
vg() {
	local name=$1 want=$2
	shift 2
	test_begin "valgrind_$name"
	run $VG "$BVOPS" "$@"
	check_eq "exit (99 is a valgrind report)" "$RC" "$want"
	[ "$RC" = 99 ] && printf '%s\n' "$ERR" | head -20
	test_end
}

printf 'a = 1\n[t]\nb = [1, {c = "d"}]\n' >"$TMP/ok.toml"
printf '[t]\nb = [1,\n' >"$TMP/bad.toml"
printf '[fleet]\nname = 1\nx = 2\n[[node]]\nname = "a b"\n' >"$TMP/bad-fleet.toml"
vg validate_ok 0 config validate "$TMP/ok.toml"
vg validate_bad 2 config validate "$TMP/bad.toml"
vg fleet_example 2 -f docs/fleet.example.toml
vg fleet_bad 2 -f "$TMP/bad-fleet.toml"
vg help 0 --help
vg unknown 2 frobnicate
sim_start 3 || exit 1
"$SIM" ctl "$SIM_DIR" node-1 fault 503 >/dev/null
vg status_round 1 status -f "$SIM_DIR/fleet.toml"
vg status_json 1 status --json -f "$SIM_DIR/fleet.toml"
summary
