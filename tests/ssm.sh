#!/usr/bin/env bash
# The ssm transport (SSM Run Command) and bvops discover, end to end:
# moto_server (signatures checked; EC2 instances tagged as a deployment,
# and its SSM, whose SendCommand runs nothing) and tests/ssm/ssm_fixture.py,
# which speaks the same SendCommand / GetCommandInvocation and really runs
# the commands here (InvocationDoesNotExist at first, throttling, SSM's
# output caps), forwarding every other SSM call to moto. The nodes are
# the simulator's; their journal is read through its journalctl.
# usage: tests/ssm.sh BVOPS_BINARY TRANSPORT_RUN_BINARY [TSAN_TRANSPORT_RUN]
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
. tests/simlib.sh
. tests/motolib.sh
. tests/proclib.sh
B=$(realpath "$1")
TRUN=$(realpath "$2")
TSAN_TRUN=${3:-}
PROC_SEED_ARGS="--namespace bv --env dev" proc_world tsm 4
FIX_PIDS=""
ssm_cleanup() {
	local p
	for p in $FIX_PIDS; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	proc_cleanup
}
trap ssm_cleanup EXIT
ID0=$(seed 0 instance_id)
ID2=$(seed 2 instance_id)

# fixture NAME ARGS...: an ssm fixture for the seeded instances; its port
# in PORT_<NAME>, its log $TMP/NAME.log.
fixture() {
	local name=$1 i
	shift
	python3 tests/ssm/ssm_fixture.py --port-file "$TMP/$name.port" --log "$TMP/$name.log" \
		--forward "$AWS_ENDPOINT_URL" $(for i in 0 1 2 3; do printf -- '--instance %s ' "$(seed $i instance_id)"; done) \
		"$@" 2>"$TMP/$name.err" &
	FIX_PIDS="$FIX_PIDS $!"
	for i in $(seq 200); do [ -f "$TMP/$name.port" ] && break; tick; done
	eval "PORT_$name=$(cat "$TMP/$name.port")"
}
fixture ssm --not-yet 2
export AWS_ENDPOINT_URL_SSM="http://127.0.0.1:$PORT_ssm"

POLL="$SIM ctl $SIM_DIR {node} journalctl -u enclave.service -o short-iso --no-pager --show-cursor -q"
# ssm_fleet OUT [SSM TOML] [COMMANDS TOML]: the proc fleet on transport
# ssm (each node its seeded instance), polling the simulator's journal.
ssm_fleet() {
	python3 - "$F" "$TMP/seed.json" "$POLL" "$@" <<'PY'
import json, re, sys
src, seed, poll, out = sys.argv[1:5]
ssm = sys.argv[5] if len(sys.argv) > 5 else ""
cmds = sys.argv[6] if len(sys.argv) > 6 else ""
t = open(src).read()
ids = [n["instance_id"] for n in json.load(open(seed))["nodes"]]
t = t.replace("[commands]\n", '[ssm]\npoll_interval = "200ms"\n%s\n[commands]\njournal_poll = "%s"\n' % (ssm, poll), 1)
parts = t.split("[[node]]")
for k in range(1, len(parts)):
    parts[k] = parts[k].replace('transport = "local"', 'transport = "ssm"\ninstance_id = "%s"' % ids[k - 1])
t = "[[node]]".join(parts)
# A command given in cmds takes the place of the simulator's.
for line in cmds.splitlines():
    key = line.split(" = ")[0]
    t = re.sub(r"(?m)^%s = .*$" % key, lambda m: line, t, count=1)
open(out, "w").write(t)
PY
}
ssm_fleet "$TMP/ssm.toml"
# said NODE: the numbers of its "said line N" lines in $TMP/NODE.out, sorted.
said() { sed -n 's/.*said line \([0-9]*\).*/\1/p' "$TMP/$1.out" | sort -n; }
# follow NODE: bvops logs NODE --follow in the background, until stop_follow.
follow() {
	: >"$TMP/$1.out"
	"$B" -f "$TMP/ssm.toml" logs "$1" --follow >"$TMP/$1.out" 2>"$TMP/$1.err" &
	FOLLOW_PID=$!
	for i in $(seq 300); do [ -s "$TMP/$1.out" ] && break; tick 0.05; done
}
stop_follow() { kill "$FOLLOW_PID" 2>/dev/null; wait "$FOLLOW_PID" 2>/dev/null; }
# bursts NODE ROUNDS COUNT [WIDTH]: say COUNT lines, wait until they are
# all read (bounded), ROUNDS times.
bursts() {
	local r i want=$(($(said "$1" | tail -1 || echo 0) + 0))
	want=${want:-0}
	for r in $(seq "$2"); do
		sim_ctl "$1" say "$3" ${4:-}
		want=$((want + $3))
		for i in $(seq 400); do
			[ "$(said "$1" | tail -1)" = "$want" ] && break
			tick 0.05
		done
	done
}
# once NODE FIRST LAST: every line FIRST..LAST exactly once.
once() {
	check_eq "every line exactly once" "$(said "$1" | sed -n "/^$2\$/,\$p" | tr '\n' ' ')" "$(seq "$2" "$3" | tr '\n' ' ')"
	check_eq "no line twice" "$(said "$1" | uniq -d | head -3)" ""
}

test_begin moto_takes_the_protocol_signed
run env AWS_ENDPOINT_URL_SSM= "$TRUN" "$TMP/ssm.toml" node-0 enclave_state 20000
check_eq "it ran (moto runs nothing: no output)" "$RC:$OUT" "0:exit=0 timed_out=0 truncated=0
out=err="
run aws ssm list-commands --instance-id "$ID0" --output json
check_contains "SendCommand as AWS has it" "$OUT" '"DocumentName": "AWS-RunShellScript"'
check_contains "named for the operator" "$OUT" '"Comment": "bvops: node node-0"'
check_contains "the command line, wrapped" "$OUT" "state"
check_contains "its time limit" "$OUT" '"executionTimeout"'
run env AWS_ENDPOINT_URL_SSM= AWS_SECRET_ACCESS_KEY=wrong "$TRUN" "$TMP/ssm.toml" node-0 enclave_state 20000
check_eq "a bad signature: not run" "$RC" 3
check_contains "the call named" "$ERR" "SSM SendCommand to $ID0 (us-east-1)"
check_contains "AWS's word" "$ERR" "(HTTP 403)"
test_end

test_begin moto_behind_not_yet_and_throttling
# moto's own SendCommand and GetCommandInvocation, with what moto does not
# do in front of them: three throttled sends, two "not yet" answers.
fixture front --pass-commands --throttle 3 --not-yet 2
run env AWS_ENDPOINT_URL_SSM="http://127.0.0.1:$PORT_front" "$TRUN" "$TMP/ssm.toml" node-1 enclave_state 30000
check_eq "it ran" "$RC:$(printf '%s' "$OUT" | head -1)" "0:exit=0 timed_out=0 truncated=0"
check_eq "throttled three times, backed off" "$(grep -c '^throttle' "$TMP/front.log")" 3
check_eq "not yet, twice" "$(grep -c '^notyet' "$TMP/front.log")" 2
check_eq "then moto's answers" "$(grep -c '^pass' "$TMP/front.log")" 2
check_contains "moto has the command" "$(aws ssm list-commands --instance-id "$(seed 1 instance_id)" --output text)" "AWS-RunShellScript"
test_end

test_begin the_fixture_speaks_the_same_protocol_as_the_aws_cli
run aws ssm send-command --endpoint-url "$AWS_ENDPOINT_URL_SSM" --instance-ids "$ID0" \
	--document-name AWS-RunShellScript --parameters 'commands=["echo hello from $(hostname)"]' \
	--query Command.CommandId --output text
CID=$OUT
check_eq "sent" "$RC" 0
for i in $(seq 100); do
	run aws ssm get-command-invocation --endpoint-url "$AWS_ENDPOINT_URL_SSM" \
		--command-id "$CID" --instance-id "$ID0" --output json
	case "$OUT" in *'"Success"'*) break ;; esac
	tick 0.05
done
check_contains "ran for real" "$OUT" "\"StandardOutputContent\": \"hello from $(hostname)"
check_contains "InvocationDoesNotExist first" "$(grep -c "notyet $CID" "$TMP/ssm.log")" 2
test_end

test_begin runs_to_completion_through_invocation_does_not_exist
: >"$TMP/ssm.log"
run "$TRUN" "$TMP/ssm.toml" node-0 enclave_state 20000
check_eq "exit" "$RC" 0
check_contains "its status" "$OUT" "exit=0 timed_out=0 truncated=0"
check_contains "the node's answer, framing taken off" "$OUT" 'out=[
  {
    "EnclaveName": "node-0"'
check_eq "not yet, twice, then asked again" "$(grep -c notyet "$TMP/ssm.log")" 2
check_contains "then done" "$(cat "$TMP/ssm.log")" "Success"
test_end

test_begin a_failing_command_is_a_result_with_its_stderr
sim_ctl node-1 stop-mode fail
run "$TRUN" "$TMP/ssm.toml" node-1 stop 20000
sim_ctl node-1 stop-mode ok
check_contains "exit status" "$OUT" "exit=1 timed_out=0"
check_contains "stderr apart" "$OUT" "err=error: Job for enclave.service failed: the stop timed out"
test_end

test_begin bvops_s_own_time_limit_cancels_the_command
ssm_fleet "$TMP/slow.toml" "" 'restart = "sleep 30"'
: >"$TMP/ssm.log"
run "$TRUN" "$TMP/slow.toml" node-0 restart 2500
check_contains "timed out" "$OUT" "exit=-1 timed_out=1"
check_contains "cancelled on the node" "$(cat "$TMP/ssm.log")" "cancel "
test_end

test_begin ssm_s_statuses_become_results_or_reasons
fixture st --undeliverable "$(seed 3 instance_id)" --exec-timeout-cap 1
run env AWS_ENDPOINT_URL_SSM="http://127.0.0.1:$PORT_st" "$TRUN" "$TMP/ssm.toml" node-3 enclave_state 20000
check_eq "an agent that never takes it: not run" "$RC" 3
check_contains "said why" "$ERR" "node node-3: the SSM agent on $(seed 3 instance_id) did not take the command (DeliveryTimedOut): is the instance running, its agent online and registered?"
run env AWS_ENDPOINT_URL_SSM="http://127.0.0.1:$PORT_st" "$TRUN" "$TMP/slow.toml" node-0 restart 20000
check_contains "the script's own limit: TimedOut is a timeout" "$OUT" "exit=-1 timed_out=1"
check_contains "ended by the agent" "$(cat "$TMP/st.log")" "TimedOut -1"
check_not_contains "not cancelled by bvops" "$(cat "$TMP/st.log")" "cancel "
test_end

test_begin output_past_ssm_s_caps_is_cut_and_said
printf 'head -c 100000 /dev/zero | tr "\\\\0" x\nhead -c 20000 /dev/zero | tr "\\\\0" y >&2\n' >"$TMP/big.sh"
ssm_fleet "$TMP/big.toml" "" "start = \"sh $TMP/big.sh\""
run "$TRUN" "$TMP/big.toml" node-0 start 20000
check_contains "cut" "$OUT" "exit=0 timed_out=0 truncated=1"
check_eq "stdout: what fits in 24,000" "$(printf '%s' "$OUT" | grep -o 'xxxx*' | tr -d '\n' | wc -c)" 23900
check_eq "stderr: what fits in 8,000" "$(printf '%s' "$OUT" | grep -o 'yyyy*' | tr -d '\n' | wc -c)" 7900
test_end

test_begin throttled_sendcommand_backs_off_and_goes_through
fixture thr --throttle 5
run env AWS_ENDPOINT_URL_SSM="http://127.0.0.1:$PORT_thr" "$TRUN" "$TMP/ssm.toml" node-2 enclave_state 30000
check_eq "ran" "$RC" 0
check_contains "the answer" "$OUT" '"EnclaveName": "node-2"'
check_eq "throttled five times first" "$(grep -c '^throttle' "$TMP/thr.log")" 5
check_eq "then sent once" "$(grep -c '^send' "$TMP/thr.log")" 1
test_end

test_begin at_most_max_in_flight_at_once
ssm_fleet "$TMP/two.toml" "max_in_flight = 2" 'restart = "sleep 1; echo restarted {node}"'
: >"$TMP/ssm.log"
run "$TRUN" "$TMP/two.toml" all restart 30000 --stream
check_eq "ran" "$RC" 0
for n in 0 1 2 3; do
	check_contains "node-$n restarted" "$OUT" "node-$n: restarted node-$n"
	check_contains "node-$n exit" "$OUT" "node-$n: exit=0"
done
check_contains "two at most, in bvops" "$OUT" "most_in_flight=2"
check_eq "two at most, on the nodes" "$(sed -n 's/.*inflight //p' "$TMP/ssm.log" | sort -n | tail -1)" 2
test_end

test_begin node_actions_run_as_streams
run "$TRUN" "$TMP/ssm.toml" all enclave_state 30000 --stream
check_eq "ran" "$RC" 0
for n in 0 1 2 3; do
	check_contains "node-$n" "$OUT" "node-$n:     \"EnclaveName\": \"node-$n\","
	check_contains "node-$n exit" "$OUT" "node-$n: exit=0"
done
test_end

test_begin valgrind_clean_over_ssm
# The normal build only: under ASan valgrind cannot run.
if command -v valgrind >/dev/null && ! nm "$B" 2>/dev/null | grep -q __asan_init; then
	VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect"
	run $VG "$TRUN" "$TMP/ssm.toml" all enclave_state 60000 --stream
	check_eq "streams on the ssm thread (99 is a valgrind report)" "$RC" 0
	check_contains "all ran" "$OUT" "node-3: exit=0"
	run $VG "$B" -f "$TMP/ssm.toml" logs node-0 --lines 3
	check_eq "a journal poll from the command line" "$RC" 0
	check_eq "its lines" "$(printf '%s\n' "$OUT" | grep -c ' node-0 ')" 3
else
	check_eq "valgrind run in the normal build's suite" skipped skipped
fi
test_end

test_begin no_data_race_between_the_ssm_thread_and_its_readers
if [ -n "$TSAN_TRUN" ] && [ -x "$TSAN_TRUN" ]; then
	# Commands and journal polls of four nodes on one thread, read by
	# another: ThreadSanitizer reports any race (exit 66).
	run env TSAN_OPTIONS="exitcode=66 halt_on_error=1" "$TSAN_TRUN" "$TMP/ssm.toml" all enclave_state 60000 --stream
	check_eq "commands (66 is a race)" "$RC" 0
	check_contains "all ran" "$OUT" "node-3: exit=0"
	run env TSAN_OPTIONS="exitcode=66 halt_on_error=1" timeout -s INT 4 "$TSAN_TRUN" "$TMP/ssm.toml" all journal 3000 --stream
	check_eq "journal polls, closed while they run (66 is a race)" "$RC" 0
	check_contains "lines came" "$OUT" "node-3: "
else
	check_eq "ThreadSanitizer run in the normal build's suite" skipped skipped
fi
test_end

test_begin journal_every_line_once_across_many_polls
sim_ctl node-2 journal-version 256
: >"$TMP/ssm.log"
follow node-2
check_eq "the newest entries first" "$(head -10 "$TMP/node-2.out" | grep -c ' node-2 ')" 10
bursts node-2 8 30
stop_follow
once node-2 1 240
check_eq "modern journalctl: --after-cursor" "$(grep -c "send .* $ID2" "$TMP/ssm.log" | awk '$1 >= 9 {print "many polls"}')" "many polls"
check_eq "nothing on stderr" "$(cat "$TMP/node-2.err")" ""
test_end

test_begin old_systemd_skips_and_bvops_makes_up_for_it
sim_ctl node-3 journal-version 250
sim_ctl node-3 say 3
# The cursor of "said line 1", from one answer (lines come meanwhile).
ANS=$("$SIM" ctl "$SIM_DIR" node-3 journalctl -u enclave.service --show-cursor -n 8)
AT=$(printf '%s\n' "$ANS" | grep -n 'said line 1 ' | cut -d: -f1)
LASTN=$(($(printf '%s\n' "$ANS" | wc -l) - 1))
LAST=$(printf '%s\n' "$ANS" | sed -n 's/^-- cursor: //p')
C3="${LAST%%;i=*};i=$(printf '%x' $((0x${LAST##*;i=} - (LASTN - AT))))"
WITH_U=$("$SIM" ctl "$SIM_DIR" node-3 journalctl -u enclave.service "--after-cursor=$C3")
WITHOUT=$("$SIM" ctl "$SIM_DIR" node-3 journalctl "--after-cursor=$C3")
check_eq "the simulator's journalctl 250 skips the first entry with -u" \
	"$(printf '%s\n' "$WITH_U" | head -1)" "$(printf '%s\n' "$WITHOUT" | sed -n 2p)"
check_contains "(which is there without -u)" "$WITHOUT" "said line 2"
check_not_contains "(and missing with it)" "$WITH_U" "said line 2"
follow node-3
bursts node-3 8 30
stop_follow
once node-3 4 243
check_eq "nothing on stderr" "$(cat "$TMP/node-3.err")" ""
test_end

test_begin polls_larger_than_ssm_s_cap_lose_nothing
sim_ctl node-2 journal-version 256
follow node-2
bursts node-2 1 150 199
bursts node-2 1 120 199
stop_follow
once node-2 241 510
check_eq "none cut" "$(grep -c 'line cut' "$TMP/node-2.out")" 0
test_end

test_begin the_console_is_not_streamed_over_ssm
run "$B" -f "$TMP/ssm.toml" logs node-0 --source console
check_eq "refused" "$RC" 3
check_contains "said why" "$ERR" "live console streaming needs transport \"ssh\" or \"local\""
test_end

# Instances that are not nodes of bv/dev: stopped, another environment,
# no EnclaveName.
mk_instance() { aws ec2 run-instances --image-id ami-12c6146b --count 1 --tag-specifications "ResourceType=instance,Tags=[$1]" --query 'Instances[0].InstanceId' --output text; }
STOPPED=$(mk_instance '{Key=EnclaveName,Value=tsm-old},{Key=Namespace,Value=bv},{Key=Environment,Value=dev}')
aws ec2 stop-instances --instance-ids "$STOPPED" >/dev/null
mk_instance '{Key=EnclaveName,Value=tsm-prod-0},{Key=Namespace,Value=bv},{Key=Environment,Value=prod}' >/dev/null
mk_instance '{Key=Name,Value=bastion},{Key=Namespace,Value=bv},{Key=Environment,Value=dev}' >/dev/null

test_begin discover_writes_the_fleet_from_ec2_tags
run "$B" discover --namespace bv --env dev
check_eq "exit" "$RC" 0
for i in 0 1 2 3; do
	check_contains "node $i" "$OUT" "[[node]]
name = \"tsm-$i\"
index = $i
role = \"static\"  # guessed: no Role tag
ping_url = \"http://$(aws ec2 describe-instances --instance-ids "$(seed $i instance_id)" --query 'Reservations[0].Instances[0].PrivateIpAddress' --output text):8080/ping\"
transport = \"ssm\"
instance_id = \"$(seed $i instance_id)\"
enclave_name = \"tsm-$i\"
config_ssm_param = \"/tsm/node-$i/config\""
done
check_contains "the fleet" "$OUT" '[fleet]
name = "bv-dev"
region = "us-east-1"'
check_not_contains "not another environment" "$OUT" "tsm-prod-0"
check_not_contains "not an instance without EnclaveName" "$OUT" "bastion"
check_contains "a stopped one is left out, and said" "$ERR" "left out $STOPPED (tsm-old): it is stopped"
run "$B" discover --namespace bv --env dev --write "$TMP/d.toml" --ping-url 'http://{enclave}.internal:9090/ping'
check_eq "written" "$RC" 0
check_contains "said" "$ERR" "bvops: 4 nodes written to $TMP/d.toml"
check_contains "the ping_url template" "$(cat "$TMP/d.toml")" 'ping_url = "http://tsm-3.internal:9090/ping"'
run "$B" config validate "$TMP/d.toml"
run "$B" -f "$TMP/d.toml" lock status
check_eq "a fleet bvops takes" "$(printf '%s' "$ERR" | grep -c 'd.toml:')" 0
BEFORE=$(cat "$TMP/d.toml")
run "$B" discover --namespace bv --env dev --write "$TMP/d.toml"
check_eq "not overwritten" "$RC" 2
check_contains "said" "$ERR" "exists (not overwritten; --force replaces it and keeps it as a backup)"
check_eq "unchanged" "$(cat "$TMP/d.toml")" "$BEFORE"
run "$B" discover --namespace bv --env dev --write "$TMP/d.toml" --force
check_eq "replaced with --force" "$RC" 0
check_eq "the old one kept" "$(cat "$TMP"/d.toml.bak.*)" "$BEFORE"
run "$B" discover --namespace nosuch
check_eq "none found" "$RC:$ERR" "1:bvops: no running instance with an EnclaveName tag in namespace nosuch in us-east-1"
test_end

test_begin discover_on_a_node_makes_it_local
python3 tests/imds/imds_fixture.py --port-file "$TMP/imds.port" --instance-id "$(seed 1 instance_id)" 2>/dev/null &
FIX_PIDS="$FIX_PIDS $!"
for i in $(seq 200); do [ -f "$TMP/imds.port" ] && break; tick; done
run env AWS_EC2_METADATA_DISABLED=false AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$(cat "$TMP/imds.port")" \
	"$B" discover --namespace bv --env dev
check_contains "this instance" "$OUT" "name = \"tsm-1\"
index = 1
role = \"static\"  # guessed: no Role tag"
check_contains "is local" "$OUT" "transport = \"local\"  # bvops runs on this instance
instance_id = \"$(seed 1 instance_id)\""
check_eq "the others ssm" "$(printf '%s\n' "$OUT" | grep -c '^transport = "ssm"')" 3
check_eq "the aws CLI agrees on which" "$(env AWS_EC2_METADATA_DISABLED=false AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$(cat "$TMP/imds.port")" aws ec2 describe-instances --instance-ids "$(curl -s -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' "http://127.0.0.1:$(cat "$TMP/imds.port")/latest/api/token" | xargs -I{} curl -s -H 'X-aws-ec2-metadata-token: {}' "http://127.0.0.1:$(cat "$TMP/imds.port")/latest/meta-data/instance-id")" --query 'Reservations[0].Instances[0].Tags[?Key==`EnclaveName`].Value' --output text)" "tsm-1"
test_end

test_begin ers_rollout_on_an_ssm_only_fleet_found_by_discover
# The discovered file, with the simulator's commands (by player index)
# and its ping ports: every action goes through SendCommand.
{
	printf '[health]\ninterval = "300ms"\ntimeout = "250ms"\n[ssm]\npoll_interval = "300ms"\n'
	sim_commands | sed 's/{node}/node-{index}/'
	printf 'journal_poll = "%s"\n' "$(printf '%s' "$POLL" | sed 's/{node}/node-{index}/')"
	sed -n '/^\[fleet\]/,$p' "$TMP/d.toml"
} >"$TMP/found.toml"
while read -r node port; do
	i=${node#node-}
	python3 - "$TMP/found.toml" "$i" "$port" <<'PY'
import re, sys
p, i, port = sys.argv[1], sys.argv[2], sys.argv[3]
t = open(p).read()
t = re.sub(r'(name = "tsm-%s"\n(?:.*\n)*?)ping_url = ".*"' % i, r'\g<1>ping_url = "http://127.0.0.1:%s/ping"' % port, t, count=1)
open(p, "w").write(t)
PY
done <"$SIM_DIR/ports"
for i in 0 1 2 3; do aws s3 cp "s3://$(seed $i bucket)/tsm-$i/config.toml" "$TMP/orig.$i" --region eu-west-1 >/dev/null; done
: >"$TMP/ssm.log"
run setsid -w "$B" -f "$TMP/found.toml" ers apply --preset enable-ers-export --yes
check_eq "applied" "$RC" 0
check_contains "every node came back" "$OUT" "done"
for i in 0 1 2 3; do
	check_contains "tsm-$i has ERS" "$(aws s3 cp "s3://$(seed $i bucket)/tsm-$i/config.toml" - --region eu-west-1)" "EnableERSExport = true"
	check_eq "tsm-$i stopped and started through SSM" "$(grep -c "^send .* $(seed $i instance_id)" "$TMP/ssm.log" | awk '$1 >= 2 {print "yes"}')" "yes"
done
run setsid -w "$B" -f "$TMP/found.toml" ers revert --yes
check_eq "reverted" "$RC" 0
for i in 0 1 2 3; do
	check_eq "tsm-$i byte for byte" "$(aws s3 cp "s3://$(seed $i bucket)/tsm-$i/config.toml" - --region eu-west-1 | sha256sum)" "$(sha256sum <"$TMP/orig.$i")"
done
run "$B" -f "$TMP/found.toml" status
check_eq "all up" "$RC" 0
test_end

summary
