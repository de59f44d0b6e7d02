#!/usr/bin/env bash
# Runs every test suite and ends with one line "N passed, N failed" that
# sums them. Each suite prints its own such line last; a suite that dies
# without one counts as one failure.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SUITE=${BVOPS_TOML_TEST:-../shared/toml-test}
total_pass=0
total_fail=0

suite() {
	local name=$1 out line p f rc
	shift
	echo "== $name"
	out=$("$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -v -E '^[0-9]+ passed, [0-9]+ failed$' |
		grep -E 'FAIL|fail|error|ERROR|toml-test|: ' | head -50
	line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1)
	if [ -z "$line" ]; then
		printf '%s\n' "$out" | tail -20
		echo "   (no summary line: counted as 1 failure)"
		total_fail=$((total_fail + 1))
		return
	fi
	p=${line%% passed*}
	f=${line#*passed, }
	f=${f%% failed*}
	echo "   $line"
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	# A clean count with a failing exit (a sanitizer or valgrind report
	# after the last test) is still a failure.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		printf '%s\n' "$out" | tail -20
		echo "   (exit status $rc: counted as 1 failure)"
		total_fail=$((total_fail + 1))
	fi
}

if [ -z "${BVOPS_SKIP_LINT:-}" ]; then
	suite "lint" tests/lint.sh
fi
suite "unit" "$BUILD/tests/unit_tests"
suite "unit (asan+ubsan)" "$BUILD/asan/tests/unit_tests"
if [ -d "$SUITE" ]; then
	suite "toml-test" "$BUILD/tests/toml_conformance" \
		"$BUILD/tests/toml_decode" "$SUITE"
	suite "toml-test (asan+ubsan decoder)" "$BUILD/tests/toml_conformance" \
		"$BUILD/asan/tests/toml_decode" "$SUITE"
else
	echo "== toml-test: suite not found at $SUITE"
	total_fail=$((total_fail + 1))
fi
if command -v valgrind >/dev/null; then
	# Children of the crash tests die on purpose mid-run (threads and
	# all): only the parent's memory is checked.
	suite "unit (valgrind)" valgrind -q --error-exitcode=99 \
		--child-silent-after-fork=yes \
		--leak-check=full --errors-for-leak-kinds=definite,indirect \
		"$BUILD/tests/unit_tests"
	suite "cli (valgrind)" tests/valgrind_cli.sh "$BUILD/bvops"
fi
suite "cli" tests/cli.sh "$BUILD/bvops"
suite "cli (asan+ubsan)" tests/cli.sh "$BUILD/asan/bvops"
suite "simulator" tests/sim.sh
suite "monitor events" tests/monitor.sh "$BUILD/tests/monitor_events"
suite "monitor events (asan+ubsan)" tests/monitor.sh "$BUILD/asan/tests/monitor_events"
suite "monitor events (tsan)" tests/monitor.sh "$BUILD/tsan/tests/monitor_events"
suite "status" tests/status.sh "$BUILD/bvops"
suite "status (asan+ubsan)" tests/status.sh "$BUILD/asan/bvops"
suite "logs" tests/logs.sh "$BUILD/bvops"
suite "logs (asan+ubsan)" tests/logs.sh "$BUILD/asan/bvops"
suite "ssh" tests/ssh.sh "$BUILD/bvops" "$BUILD/tests/transport_run"
suite "ssh (asan+ubsan)" tests/ssh.sh "$BUILD/asan/bvops" "$BUILD/asan/tests/transport_run"
suite "ssm transport and discover (moto + ssm fixture)" tests/ssm.sh "$BUILD/bvops" "$BUILD/tests/transport_run" "$BUILD/tsan/tests/transport_run"
suite "ssm transport and discover (asan+ubsan)" tests/ssm.sh "$BUILD/asan/bvops" "$BUILD/asan/tests/transport_run"
suite "aws credentials" tests/awscred.sh "$BUILD/tests/aws_creds"
suite "aws credentials (asan+ubsan)" tests/awscred.sh "$BUILD/asan/tests/aws_creds"
suite "aws requests (moto)" tests/aws.sh "$BUILD/tests/aws_call"
suite "aws requests (moto, asan+ubsan)" tests/aws.sh "$BUILD/asan/tests/aws_call"
suite "watch" tests/watch.sh "$BUILD/bvops"
suite "watch (asan+ubsan)" tests/watch.sh "$BUILD/asan/bvops"
suite "config get (moto)" tests/config.sh "$BUILD/bvops"
suite "config get (moto, asan+ubsan)" tests/config.sh "$BUILD/asan/bvops"
suite "config edit and procedures (moto)" tests/procedure.sh "$BUILD/bvops"
suite "config edit and procedures (moto, asan+ubsan)" tests/procedure.sh "$BUILD/asan/bvops"
suite "debug mode (moto)" tests/debug.sh "$BUILD/bvops"
suite "debug mode (moto, asan+ubsan)" tests/debug.sh "$BUILD/asan/bvops"
suite "ERS rollout (moto)" tests/ers.sh "$BUILD/bvops" 1
suite "ERS rollout (moto, asan+ubsan)" tests/ers.sh "$BUILD/asan/bvops" 5
suite "install" tests/install.sh
suite "demo (make run)" tests/demo.sh
suite "demo (make run, asan+ubsan)" env BVOPS="$BUILD/asan/bvops" tests/demo.sh
suite "console (tmux)" tests/console.sh "$BUILD/bvops"
suite "console (tmux, asan+ubsan)" tests/console.sh "$BUILD/asan/bvops"

echo
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
