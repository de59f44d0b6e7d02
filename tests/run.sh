#!/usr/bin/env bash
# Runs every test suite and ends with one line "N passed, N failed" that
# sums them. Each suite prints its own such line last; a suite that dies
# without one counts as one failure, and so does a clean count with a
# failing exit (a sanitizer or valgrind report after the last test).
#
# Suites are isolated (each its own temporary folders, ports, tmux socket,
# state and config folders), so they run side by side: BVOPS_TEST_JOBS at
# once (default: cores + 1, since most of a suite's time is spent waiting
# on the processes it drives). The unit, CLI and TOML suites run on the
# normal build, under valgrind and on the ASan+UBSan build; the end-to-end
# suites run once, on the ASan+UBSan build, which checks what the normal
# build would and more. BVOPS_TEST_ONLY=REGEX runs only the suites whose
# name matches.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SUITE=${BVOPS_TOML_TEST:-../shared/toml-test}
JOBS=${BVOPS_TEST_JOBS:-$(($(nproc) + 1))}
ONLY=${BVOPS_TEST_ONLY:-}
A="$BUILD/asan"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

NAMES=()
CMDS=()
# suite NAME CMD...: add a suite, longest first (they start in this order,
# so the long ones do not start last and hold up the end).
suite() {
	local name=$1
	shift
	if [ -n "$ONLY" ] && ! [[ $name =~ $ONLY ]]; then
		return
	fi
	NAMES+=("$name")
	CMDS+=("$(printf '%q ' "$@")")
}

suite "console (tmux, asan+ubsan)" tests/console.sh "$A/bvops"
suite "config edit and procedures (moto, asan+ubsan)" tests/procedure.sh "$A/bvops"
suite "ERS rollout (moto, asan+ubsan)" tests/ers.sh "$A/bvops" 5
suite "watch (asan+ubsan)" tests/watch.sh "$A/bvops"
suite "ssm transport and discover (moto + ssm fixture, asan+ubsan, tsan)" \
	tests/ssm.sh "$A/bvops" "$A/tests/transport_run" \
	"$BUILD/tsan/tests/transport_run"
suite "debug mode (moto, asan+ubsan)" tests/debug.sh "$A/bvops"
suite "shared state, two hosts (moto, asan+ubsan)" tests/shared.sh "$A/bvops"
suite "three AWS accounts (moto, asan+ubsan)" tests/accounts.sh "$A/bvops"
if [ -z "${BVOPS_SKIP_LINT:-}" ]; then
	suite "lint" tests/lint.sh
fi
suite "ssh (asan+ubsan)" tests/ssh.sh "$A/bvops" "$A/tests/transport_run"
suite "demo (make run, asan+ubsan)" env BVOPS="$A/bvops" tests/demo.sh
suite "config get (moto, asan+ubsan)" tests/config.sh "$A/bvops"
suite "aws requests (moto, asan+ubsan)" tests/aws.sh "$A/tests/aws_call"
suite "shell completion (bash, zsh in tmux)" tests/completion.sh "$BUILD/bvops"
suite "aws credentials (asan+ubsan)" tests/awscred.sh "$A/tests/aws_creds"
suite "aws credential chain (moto sts + fixtures, asan+ubsan)" \
	tests/awschain.sh "$A/tests/aws_creds" "$A/tests/aws_call"
if command -v valgrind >/dev/null; then
	# Children of the crash tests die on purpose mid-run (threads and
	# all): only the parent's memory is checked.
	suite "unit (valgrind)" valgrind -q --error-exitcode=99 \
		--child-silent-after-fork=yes \
		--leak-check=full --errors-for-leak-kinds=definite,indirect \
		"$BUILD/tests/unit_tests"
	suite "cli (valgrind)" tests/valgrind_cli.sh "$BUILD/bvops"
fi
if [ -d "$SUITE" ]; then
	suite "toml-test (asan+ubsan decoder)" \
		"$BUILD/tests/toml_conformance" "$A/tests/toml_decode" "$SUITE"
	suite "toml-test" "$BUILD/tests/toml_conformance" \
		"$BUILD/tests/toml_decode" "$SUITE"
else
	suite "toml-test" sh -c "echo 'toml-test: suite not found at $SUITE'"
fi
suite "status (asan+ubsan)" tests/status.sh "$A/bvops"
suite "node actions (asan+ubsan)" tests/node.sh "$A/bvops"
suite "doctor (asan+ubsan)" tests/doctor.sh "$A/bvops"
suite "monitor events (asan+ubsan)" tests/monitor.sh "$A/tests/monitor_events"
suite "monitor events (tsan)" tests/monitor.sh \
	"$BUILD/tsan/tests/monitor_events"
suite "unit (asan+ubsan)" "$A/tests/unit_tests"
suite "unit" "$BUILD/tests/unit_tests"
suite "logs (asan+ubsan)" tests/logs.sh "$A/bvops"
suite "cli (asan+ubsan)" tests/cli.sh "$A/bvops"
suite "cli" tests/cli.sh "$BUILD/bvops"
suite "simulator" tests/sim.sh
suite "install" tests/install.sh

# What a suite said that a reader needs: each failing check's own message
# and its FAIL line, without bash's job notices ("line 12: 4711 Killed"),
# which only say that a test stopped what it started.
failures() {
	grep -v -E '^[^ ]+: line [0-9]+: +[0-9]+ (Killed|Terminated|Aborted)' "$1" |
		grep -E '^FAIL |^  [^ ]+: |^[^ :]+:[0-9]+(:[0-9]+)?: |toml-test|ERROR|error:' |
		head -60
}

# "exit status 3" or "killed by SIGKILL": how a suite's process ended.
how_ended() {
	if [ "$1" -gt 128 ] && [ "$1" -lt 160 ]; then
		echo "killed by SIG$(kill -l $(($1 - 128)))"
	else
		echo "exit status $1"
	fi
}

total_pass=0
total_fail=0
TIMES=()
# report I: the block of suite I, printed as soon as it ends.
report() {
	local i=$1 name=${NAMES[$1]} out="$OUT/$1.out" rc line p f secs
	rc=$(cat "$OUT/$i.rc" 2>/dev/null || echo 99)
	secs=$(cat "$OUT/$i.secs" 2>/dev/null || echo '?')
	TIMES+=("$(printf '%5s s  %s' "$secs" "$name")")
	echo "== $name ($secs s)"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -1)
	if [ -z "$line" ]; then
		grep -v -E '^[^ ]+: line [0-9]+: +[0-9]+ (Killed|Terminated)' \
			"$out" | tail -20
		echo "   (no summary line, $(how_ended "$rc"): counted as 1 failure)"
		total_fail=$((total_fail + 1))
		return
	fi
	p=${line%% passed*}
	f=${line#*passed, }
	f=${f%% failed*}
	[ "$f" -ne 0 ] && failures "$out"
	echo "   $line"
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		tail -20 "$out"
		echo "   ($(how_ended "$rc"): counted as 1 failure)"
		total_fail=$((total_fail + 1))
	fi
}

# start I: run suite I in the background, with state and config folders
# of its own so that suites beside it never share a file.
start() {
	local i=$1 home="$OUT/$1.home"
	mkdir -p "$home/state" "$home/config"
	(
		export XDG_STATE_HOME="$home/state" XDG_CONFIG_HOME="$home/config"
		t0=$(date +%s)
		eval "${CMDS[$i]}" >"$OUT/$i.out" 2>&1 </dev/null
		echo $? >"$OUT/$i.rc"
		echo $(($(date +%s) - t0)) >"$OUT/$i.secs"
	) &
	PIDS[$!]=$i
}

declare -A PIDS=()
t_start=$(date +%s)
next=0
while [ "$next" -lt "${#NAMES[@]}" ] || [ "${#PIDS[@]}" -gt 0 ]; do
	while [ "$next" -lt "${#NAMES[@]}" ] && [ "${#PIDS[@]}" -lt "$JOBS" ]; do
		start "$next"
		next=$((next + 1))
	done
	done_pid=""
	wait -n -p done_pid
	if [ -n "$done_pid" ] && [ -n "${PIDS[$done_pid]+x}" ]; then
		report "${PIDS[$done_pid]}"
		unset "PIDS[$done_pid]"
	fi
done

echo
echo "Suite times (wall, $JOBS at once; $(($(date +%s) - t_start)) s in all):"
printf '%s\n' "${TIMES[@]}" | sort -rn
echo
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
