#!/usr/bin/env bash
# The command line, through the real binary: options anywhere, exit codes,
# and FILE:LINE:COL messages for broken TOML and fleet files.
# usage: tests/cli.sh BVOPS
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
BVOPS=$1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

test_begin version
run "$BVOPS" --version
check_eq "exit" "$RC" 0
check_contains "stdout" "$OUT" "bvops 0."
test_end

test_begin help
run "$BVOPS" --help
check_eq "exit" "$RC" 0
check_contains "stdout" "$OUT" "config validate FILE"
check_contains "stdout" "$OUT" "-f, --fleet FILE"
check_contains "both spellings of a value" "$OUT" "--wait 3m, --wait=3m"
run "$BVOPS" config validate --help
check_eq "exit" "$RC" 0
check_eq "command usage" "$(printf '%s\n' "$OUT" | head -1)" "usage: bvops config validate FILE"
test_end

test_begin unknown_command_and_option
run "$BVOPS" frobnicate
check_eq "exit" "$RC" 2
check_contains "stderr" "$ERR" "unknown command 'frobnicate'"
check_contains "stderr" "$ERR" "usage:"
run "$BVOPS" --frobnicate
check_eq "exit" "$RC" 2
check_contains "stderr" "$ERR" "unknown option '--frobnicate'"
run "$BVOPS" config validate --frob x.toml
check_eq "exit" "$RC" 2
check_contains "stderr" "$ERR" "unknown option '--frob'"
check_contains "stderr" "$ERR" "usage: bvops config validate FILE"
run "$BVOPS" config validate
check_eq "exit" "$RC" 2
run "$BVOPS" -f
check_eq "exit" "$RC" 2
check_contains "stderr" "$ERR" "-f needs a file"
test_end

test_begin global_options_where_they_apply
printf 'a = 1\n' >"$TMP/ok.toml"
run "$BVOPS" config validate --json "$TMP/ok.toml"
check_eq "exit" "$RC" 2
check_contains "stderr" "$ERR" "--json does not apply to 'config validate'"
run "$BVOPS" --yes config validate "$TMP/ok.toml"
check_eq "exit" "$RC" 2
# -f before or after the command is the same option.
run "$BVOPS" -f "$TMP/nofleet.toml" config validate "$TMP/ok.toml"
check_eq "-f before" "$RC" 0
run "$BVOPS" config validate "$TMP/ok.toml" --fleet="$TMP/nofleet.toml"
check_eq "--fleet= after" "$RC" 0
test_end

test_begin every_spec_command_is_there
run "$BVOPS" --help
for c in "status" "watch" "logs NODE" "config get" "config edit" "config validate" \
	"debug enter" "debug exit" "debug status" "ers apply" "ers revert" "ers status" \
	"procedure list" "procedure resume" "procedure rollback" "discover"; do
	check_contains "help lists $c" "$OUT" "  $c"
done
check_not_contains "nothing is missing" "$OUT" "Not yet in this version"
run "$BVOPS" discover --bogus
check_eq "bad option" "$RC" 2
check_contains "usage" "$ERR" "usage: bvops discover"
test_end

test_begin config_validate_ok
cat >"$TMP/config.toml" <<'TOML'
# a node config
[Player]
Index = 0
PrivateKey = "{{ env `PLAYER_PRIVATE_KEY` }}"
[DKLS19.Features]
GenerateRecoveryData = true
TOML
run "$BVOPS" config validate "$TMP/config.toml"
check_eq "exit" "$RC" 0
check_eq "stdout" "$OUT" "$TMP/config.toml: valid TOML"
run sh -c "\"$BVOPS\" config validate - < \"$TMP/config.toml\""
check_eq "stdin exit" "$RC" 0
check_eq "stdin" "$OUT" "<stdin>: valid TOML"
test_end

# validate_err NAME CONTENT WANT: exact stderr and exit 2.
validate_err() {
	printf '%b' "$2" >"$TMP/$1.toml"
	run "$BVOPS" config validate "$TMP/$1.toml"
	check_eq "$1 exit" "$RC" 2
	check_eq "$1 message" "$ERR" "$TMP/$1.toml:$3"
	check_eq "$1 stdout" "$OUT" ""
}

test_begin config_validate_errors_exact_place
validate_err missing_value 'a = 1\nb = \n' "2:5: expected a value"
validate_err dup_key '[P]\nIndex = 0\n  Index = 1\n' "3:3: duplicate key 'Index'"
validate_err dup_table '[DKLS19]\na = 1\n\n[DKLS19]\n' \
	"4:1: table 'DKLS19' is defined twice (first by a [table] header)"
validate_err bad_string 'k = "abc\\q"\n' "1:9: invalid escape sequence"
validate_err unterminated 'x = [1,\n2,\n' "1:5: unterminated array"
validate_err bad_date 'd = 2026-02-30\n' "1:5: date out of range"
validate_err utf8_col 'k = "\xc3\xa9\xc3\xa9" junk\n' \
	"1:10: expected end of line after value"
validate_err bad_utf8 'k = "\xff"\n' "1:6: invalid UTF-8"
validate_err crlf 'a = 1\r\nb = 2\rc = 3\n' "2:6: carriage return without newline"
run "$BVOPS" config validate "$TMP/does-not-exist.toml"
check_eq "missing exit" "$RC" 2
check_contains "missing" "$ERR" "does-not-exist.toml: cannot read: No such file"
test_end

test_begin fleet_errors_before_the_console
cat >"$TMP/bad-fleet.toml" <<'TOML'
[fleet]
name = "demo"
quorom = 2

[health]
interval = "fast"

[[node]]
name = "node 0"
index = 0
ping_url = "http://127.0.0.1:1/ping"

[[node]]
name = "node-1"
index = 0
TOML
run "$BVOPS" -f "$TMP/bad-fleet.toml"
check_eq "exit" "$RC" 2
F="$TMP/bad-fleet.toml"
check_eq "stderr" "$ERR" "$F:3:1: [fleet] unknown key 'quorom'
$F:6:12: [health] interval: invalid duration \"fast\" (use e.g. \"500ms\", \"2s\", \"15m\", \"1h\")
$F:9:8: node \"node 0\": name \"node 0\" may only use letters, digits, '.', '_' and '-'
$F:13:1: node \"node-1\": missing ping_url
$F:15:9: duplicate node index 0 (first at line 8)
bvops: 5 problems in $F"
test_end

test_begin fleet_path_from_environment
printf '[fleet]\n' >"$TMP/env-fleet.toml"
run env BVOPS_FLEET="$TMP/env-fleet.toml" "$BVOPS"
check_eq "BVOPS_FLEET exit" "$RC" 2
check_contains "BVOPS_FLEET" "$ERR" "$TMP/env-fleet.toml:1:1: [fleet] name is required"
mkdir -p "$TMP/xdg/bvops"
printf 'x = \n' >"$TMP/xdg/bvops/fleet.toml"
run env -u BVOPS_FLEET XDG_CONFIG_HOME="$TMP/xdg" "$BVOPS"
check_eq "XDG exit" "$RC" 2
check_eq "XDG" "$ERR" "$TMP/xdg/bvops/fleet.toml:1:5: expected a value"
run env -u BVOPS_FLEET -u XDG_CONFIG_HOME HOME="$TMP/home" "$BVOPS"
check_eq "HOME exit" "$RC" 2
check_contains "HOME" "$ERR" "$TMP/home/.config/bvops/fleet.toml: cannot open the fleet file"
# -f wins over the environment.
run env BVOPS_FLEET="$TMP/env-fleet.toml" "$BVOPS" -f "$TMP/xdg/bvops/fleet.toml"
check_contains "-f wins" "$ERR" "$TMP/xdg/bvops/fleet.toml:1:5"
test_end

test_begin theme_option
run "$BVOPS" -f demo/fleet.toml --theme nope
check_eq "exit" "$RC" 2
check_contains "stderr" "$ERR" "no theme 'nope' (looked in"
printf '[style]\nheader = "black on"\n' >"$TMP/bad.theme"
run "$BVOPS" -f demo/fleet.toml --theme "$TMP/bad.theme"
check_eq "bad theme exit" "$RC" 2
check_eq "bad theme" "$ERR" "bvops: $TMP/bad.theme:2:10: header: 'on' needs a colour after it"
run "$BVOPS" -f demo/fleet.toml --theme light
check_contains "good theme reaches the console" "$ERR" "needs a terminal"
test_end

test_begin example_fleets_load
run "$BVOPS" -f docs/fleet.example.toml
check_contains "docs example" "$ERR" "the console needs a terminal"
run "$BVOPS" -f docs/fleet.multi-account.toml
check_contains "multi-account example" "$ERR" "the console needs a terminal"
test_end

test_begin console_needs_a_terminal
run "$BVOPS" -f demo/fleet.toml
check_eq "exit" "$RC" 2
check_contains "stderr" "$ERR" "the console needs a terminal"
test_end

test_begin procedure_list_creates_nothing
# Listing observes: no state folder made for it, a read-only fleet listed.
run env XDG_STATE_HOME="$TMP/fresh-state" "$BVOPS" -f demo/fleet.toml procedure list
check_eq "exit" "$RC" 0
check_contains "says none" "$OUT" "no procedure journaled"
check_eq "nothing on disk" "$(find "$TMP/fresh-state" 2>/dev/null | wc -l)" 0
sed 's/^name = "demo"$/name = "demo"\nread_only = true/' demo/fleet.toml >"$TMP/ro.toml"
run env XDG_STATE_HOME="$TMP/fresh-state" "$BVOPS" -f "$TMP/ro.toml" --json procedure list
check_eq "a read-only fleet: listed" "$RC:$OUT" "0:[]"
test_end

test_begin leaf_help_explains_every_option
# bvops WORDS --help: what it does, and every option of its usage line on
# a line of its own with its meaning.
for words in "logs" "status" "access" "maintenance" "config get" "config edit" "config restore" \
	"debug enter" "debug exit" "ers apply" "ers revert" "ers status" \
	"incident export" "hostkey" "discover" "procedure resume"; do
	# shellcheck disable=SC2086
	out=$("$BVOPS" $words --help)
	usage=$(printf '%s\n' "$out" | head -1)
	for opt in $(printf '%s\n' "$usage" | grep -oE -- '--[a-z-]+' | sort -u); do
		line=$(printf '%s\n' "$out" | grep -E -- "^  $opt( |$)" | head -1)
		[ -n "$line" ] || fail "$words --help: no line for $opt"
		[ "$(printf '%s' "$line" | awk '{print NF}')" -ge 2 ] || fail "$words --help: $opt without a meaning"
	done
	check_contains "$words --help: the global options pointed at" "$out" "bvops --help"
done
test_end

summary
