#!/usr/bin/env bash
# make run's demo: the console on three simulated nodes with an AWS account
# of their own (moto_server, seeded like a deployment), and everything
# gone after the console quits; without moto, the demo still runs and says
# why.
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
export LANG=C.UTF-8
TMP=$(mktemp -d)
# A tmux server per test: the one before exits with its last session, and
# a session made on a server that is exiting dies with it.
DSOCK="$TMP/tmux.d.sock"
tm() { tmux -S "$DSOCK" -f /dev/null "$@"; }
trap 'for s in "$TMP"/tmux.*.sock; do tmux -S "$s" kill-server 2>/dev/null; done; rm -rf "$TMP"' EXIT

# The demo's own simulators and moto_server, told from those of suites
# running beside this one by the TMPDIR they inherit from the demo.
DEMO_TMP="$TMP/demo-tmp"
mkdir -p "$DEMO_TMP"
demo_sims() {
	local p found=1
	for p in $(pgrep -f "bvsim serve|moto_server"); do
		if tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null |
			grep -qxF "TMPDIR=$DEMO_TMP"; then
			echo "$p"
			found=0
		fi
	done
	return $found
}
# wait_screen TEXT: until the demo's screen shows TEXT (bounded).
wait_screen() { tmux_wait "$DSOCK" d "$1"; }

test_begin demo_opens_and_cleans_up
tm new-session -d -s d -x 80 -y 24 \
	"env TERM=xterm-256color TMPDIR=$DEMO_TMP BUILD=${BUILD:-build} demo/run.sh; echo \$? >$TMP/rc"
tmux_expect "$DSOCK" d "3 up" 1200
S=$(tm capture-pane -p -t d)
check_contains "demo fleet" "$S" "bvops  demo (us-east-1)"
check_contains "three nodes up" "$S" "3 up  0 down"
check_contains "dynamic node" "$S" "dynamic"
wait_screen "NITRO" || fail "no NITRO column"
wait_screen "    0    -" || fail "no nitro value"
S=$(tm capture-pane -p -t d)
check_contains "nitro status of a healthy enclave" "$(printf '%s\n' "$S" | grep ' node-0 ')" "     1    -"
check_contains "and of one that is not" "$(printf '%s\n' "$S" | grep ' node-2 ')" "     0    -"
tm send-keys -t d Enter
wait_screen "v: view it" || fail "the config location never came"
S=$(tm capture-pane -p -t d)
check_contains "where the config lives" "$S" "config      s3://demo-123456789012-eu-west-1-node-0-bucket/demo-0/co"
check_contains "the KMS stack's region" "$S" "region      eu-west-1"
check_contains "the tags came from EC2" "$S" "tags from   EC2 DescribeInstances"
tm send-keys -t d v
wait_screen 'PrivateKey = "<redacted>"' || fail "no redacted config"
S=$(tm capture-pane -p -t d)
check_contains "viewer title" "$S" "node-0 config.toml, redacted"
tm send-keys -t d G
wait_screen 'Features = ["ECDSA"]' || fail "G did not scroll to the end"
check_not_contains "no secret on screen" "$(tm capture-pane -p -t d)" "demo-master-password"
# / searches the config: the line found at the top, which of how many.
tm send-keys -t d g / features Enter
wait_screen "match 1 of 1 (n next, N before)" || fail "the viewer's search said nothing"
check_contains "the line found, at the top" "$(tm capture-pane -p -t d | sed -n 4p)" 'Features = ["ECDSA"]'
tm send-keys -t d n
wait_screen "no more matches that way (1 in all)" || fail "n past the last match said nothing"
tm send-keys -t d Escape Escape
wait_screen "Enter details" || fail "the overlays did not close"
tm send-keys -t d q
for i in $(seq 200); do
	[ -f "$TMP/rc" ] && break
	tick
done
check_eq "console exit" "$(cat "$TMP/rc" 2>/dev/null)" 0
for i in $(seq 100); do
	demo_sims >/dev/null || break
	tick
done
demo_sims >/dev/null && fail "the simulator or moto_server is still running"
test_end

test_begin demo_commands_use_its_aws
run env BUILD=${BUILD:-build} demo/run.sh config get node-1
check_eq "exit" "$RC" 0
check_contains "node-1's config, redacted" "$OUT" "# node-1: s3://demo-123456789012-eu-west-1-node-1-bucket/demo-1/config.toml (eu-west-1)"
check_contains "redacted" "$OUT" 'EncryptorMasterPassword = "<redacted>"'
run env BUILD=${BUILD:-build} demo/run.sh status --json
check_contains "nitro status in JSON" "$OUT" '"nitro_status":0,"debug_mode":false,"debug_since":null,"debug":null,"hold":null,"aws":'
check_contains "whose AWS" "$OUT" '"aws":{"identity":"the default chain","access":true,"account":"123456789012",'
check_contains "the demo's shared state, in its AWS" "$OUT" '"shared_state":{"state":"ok","where":"s3://demo-123456789012-eu-west-1-node-0-bucket/bvops/demo/"'
# Each node's KMS stack is in the demo fleet: debug mode can be tried.
run env BUILD=${BUILD:-build} demo/run.sh debug status
check_eq "debug status" "$RC" 0
check_contains "every node's key policy read" "$(printf '%s\n' "$OUT" | grep '^node-2')" "protected  protected"
test_end

test_begin demo_on_ssm_found_by_discover
# make run-ssm: the fleet file bvops discover writes from the demo
# account's EC2 tags, every action through SSM Run Command (the fixture).
# The demo starts moto, seeds it and runs discover first: on a loaded
# machine that alone takes many seconds, hence the long bounds.
DSOCK="$TMP/tmux.s.sock"
tm new-session -d -s s -x 80 -y 24 \
	"env TERM=xterm-256color TMPDIR=$DEMO_TMP BUILD=${BUILD:-build} BVOPS_DEMO_TRANSPORT=ssm demo/run.sh; echo \$? >$TMP/rc3"
tmux_expect "$DSOCK" s "bvops  demo (us-east-1)  3 up  0 down" 1200
check_contains "its nodes by enclave name" "$(tm capture-pane -p -t s)" "   2 demo-2 "
tm send-keys -t s l
tmux_expect "$DSOCK" s " tsm[1099]: heartbeat ok" 600
tm send-keys -t s c
tmux_expect "$DSOCK" s "the enclave console cannot be streamed over ssm" 600
tm send-keys -t s x
tm send-keys -t s x
tm send-keys -t s R
tm send-keys -t s y
tmux_expect "$DSOCK" s "restart demo-0: done (exit 0)" 600
tm send-keys -t s q
for i in $(seq 400); do
	[ -f "$TMP/rc3" ] && break
	tick
done
check_eq "console exit" "$(cat "$TMP/rc3" 2>/dev/null)" 0
test_end

test_begin demo_without_moto_says_why
run env BUILD=${BUILD:-build} MOTO_SERVER=/nonexistent/moto_server demo/run.sh status
check_eq "still runs" "$RC" 0
check_contains "health still works" "$OUT" "node-2     2  dynamic  up"
check_contains "says why" "$ERR" "bvops demo: AWS features are off: moto_server is not installed (pip install 'moto[server]')"
check_not_contains "no NITRO column" "$OUT" "NITRO"
test_end

test_begin demo_without_moto_console_has_no_nitro_column
DSOCK="$TMP/tmux.n.sock"
tm new-session -d -s n -x 80 -y 24 \
	"env TERM=xterm-256color TMPDIR=$DEMO_TMP BUILD=${BUILD:-build} MOTO_SERVER=/nonexistent/moto_server demo/run.sh; echo \$? >$TMP/rc2"
tmux_expect "$DSOCK" n "3 up" 1200
S=$(tm capture-pane -p -t n)
check_contains "the console runs" "$S" "3 up  0 down"
check_not_contains "no NITRO column without [nitro]" "$S" "NITRO"
tm send-keys -t n q
for i in $(seq 200); do
	[ -f "$TMP/rc2" ] && break
	tick
done
check_eq "console exit" "$(cat "$TMP/rc2" 2>/dev/null)" 0
test_end

summary
