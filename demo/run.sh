#!/usr/bin/env bash
# make run: the console on a demo fleet of three simulated nodes (node-1
# falls ill now and then, so there is something to see), with an AWS
# account of its own: moto_server on 127.0.0.1, seeded like a deployment
# (demo/aws_seed.py), so config get, the config viewer and the nitro
# status work. Without moto the demo runs with health and logs only, and
# says why. Everything started here stops when the console exits.
#
#   demo/run.sh [BVOPS ARGS...]   e.g. demo/run.sh config get node-0
#   MOTO_SERVER=...               another moto_server (default: on PATH)
#   BVOPS=...                     another bvops binary (default: $BUILD/bvops)
#   BVOPS_DEMO_TRANSPORT=ssm      (make run-ssm) the fleet file written by
#                                 bvops discover from the demo account's
#                                 EC2 tags, every node on the ssm transport:
#                                 tests/ssm/ssm_fixture.py stands in for SSM
#                                 Run Command and runs the commands here
#
# The demo's AWS account lives as long as the demo, so its state folder
# (journals, debug-mode and ERS records, holds) does too: a fresh one in
# the demo's own folder, unless BVOPS_DEMO_STATE names one to keep.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SIM="$(realpath "$BUILD/tests/bvsim")"
dir=$(mktemp -d)
"$SIM" serve --dir "$dir" --nodes 3 --start-delay 1500 --flap 1 \
	2>"$dir/sim.log" &
sim=$!
moto=""
ssmfix=""
# (wait reports a child killed by the TERM: not a failure of the demo.)
trap 'kill $sim $moto $ssmfix 2>/dev/null; wait $sim $moto $ssmfix 2>/dev/null || true; rm -rf "$dir"' EXIT
transport=${BVOPS_DEMO_TRANSPORT:-local}

# The demo's AWS: moto_server, seeded; "" and a reason when there is none.
aws_off=""
if ! command -v "${MOTO_SERVER:-moto_server}" >/dev/null 2>&1; then
	aws_off="moto_server is not installed (pip install 'moto[server]')"
elif ! python3 -c 'import boto3' 2>/dev/null; then
	aws_off="python3 has no boto3 (pip install 'moto[server]')"
else
	echo "bvops demo: starting its AWS account (moto_server on 127.0.0.1)..." >&2
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	"${MOTO_SERVER:-moto_server}" -H 127.0.0.1 -p "$port" >"$dir/moto.log" 2>&1 &
	moto=$!
	for _ in $(seq 200); do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
		read -r -t 0.05 _ < <(tail -f /dev/null) || true
	done
	unset AWS_PROFILE AWS_SESSION_TOKEN AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE
	export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=demo \
		AWS_SECRET_ACCESS_KEY=demo AWS_REGION=us-east-1 \
		AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
	if ! python3 demo/aws_seed.py --endpoint "$AWS_ENDPOINT_URL" --fleet demo \
		--nodes 3 --namespace demo --env dev --out "$dir/seed.json" >"$dir/seed.log" 2>&1; then
		aws_off="seeding moto_server failed: $(tail -1 "$dir/seed.log")"
	fi
fi
[ -n "$aws_off" ] && echo "bvops demo: AWS features are off: $aws_off" >&2
if [ "$transport" = ssm ]; then
	[ -n "$aws_off" ] && { echo "bvops demo: the ssm demo needs its AWS account" >&2; exit 1; }
	# SSM Run Command for the demo's instances, run here.
	python3 tests/ssm/ssm_fixture.py --port-file "$dir/ssm.port" --forward "$AWS_ENDPOINT_URL" \
		$(python3 -c 'import json,sys; print(" ".join("--instance " + n["instance_id"] for n in json.load(open(sys.argv[1]))["nodes"]))' "$dir/seed.json") \
		--not-yet 1 2>"$dir/ssm.log" &
	ssmfix=$!
	for _ in $(seq 200); do
		[ -f "$dir/ssm.port" ] && break
		read -r -t 0.05 _ < <(tail -f /dev/null) || true
	done
	export AWS_ENDPOINT_URL_SSM="http://127.0.0.1:$(cat "$dir/ssm.port")"
fi
for _ in $(seq 100); do
	[ -f "$dir/ports" ] && break
	read -r -t 0.05 _ < <(tail -f /dev/null) || true
done
[ -f "$dir/ports" ] || { cat "$dir/sim.log"; exit 1; }
ctl="$SIM ctl $dir {node}"
if [ "$transport" = ssm ]; then
	# The fleet as bvops discover writes it (ping URLs made the
	# simulator's), the simulator's commands by player index.
	"${BVOPS:-$BUILD/bvops}" discover --namespace demo --env dev --name demo \
		--ping-url 'http://{enclave}:8080/ping' --write "$dir/found.toml"
	ctl="$SIM ctl $dir node-{index}"
	{
		sed -n '/^\[health\]/,/^timeout/p' demo/fleet.toml
		printf '\n[ssm]\npoll_interval = "1s"\n\n[commands]\n'
		for verb in journal:"journal follow" console:console restart:restart \
			stop:stop start:start enclave_state:state \
			debug_restart:debug-restart protected_restart:protected-restart \
			journal_poll:"journalctl -u enclave.service -o short-iso --no-pager --show-cursor -q"; do
			printf '%s = "%s %s"\n' "${verb%%:*}" "$ctl" "${verb#*:}"
		done
		printf '\n'
		cat "$dir/found.toml"
	} >"$dir/fleet.toml"
	while read -r name port; do
		sed -i "s|http://demo-${name#node-}:8080/ping|http://127.0.0.1:$port/ping|" "$dir/fleet.toml"
	done <"$dir/ports"
fi
[ "$transport" = ssm ] || {
	sed -n '/^\[fleet\]/,/^timeout/p' demo/fleet.toml
	[ -z "$aws_off" ] && printf '\n[nitro]\ninterval = "15s"\nwindow = "1d"\n'
	printf '\n[commands]\n'
	for verb in journal:"journal follow" console:console restart:restart \
		stop:stop start:start enclave_state:state \
		debug_restart:debug-restart protected_restart:protected-restart; do
		printf '%s = "%s %s"\n' "${verb%%:*}" "$ctl" "${verb#*:}"
	done
	while read -r name port; do
		role=static
		[ "$name" = node-2 ] && role=dynamic
		printf '\n[[node]]\nname = "%s"\nindex = %s\nrole = "%s"\n' \
			"$name" "${name#node-}" "$role"
		printf 'ping_url = "http://127.0.0.1:%s/ping"\n' "$port"
		printf 'transport = "local"\nenclave_name = "demo-%s"\n' "${name#node-}"
		# Its KMS stack (seeded in the demo account): debug mode works.
		if [ -z "$aws_off" ]; then
			printf 'kms_stack = "demo-kms-node-%s"\n' "${name#node-}"
		fi
	done <"$dir/ports"
} >"$dir/fleet.toml"
export XDG_STATE_HOME="${BVOPS_DEMO_STATE:-$dir/state}"
while :; do
	rc=0
	"${BVOPS:-$BUILD/bvops}" -f "$dir/fleet.toml" "$@" || rc=$?
	# Killed (a kill -9 to try a procedure's crash safety, say): the
	# demo's world is kept, so that bvops can be started again on it and
	# the interrupted procedure resumed or rolled back.
	{ [ "$rc" -gt 128 ] && [ -t 0 ]; } || break
	stty sane 2>/dev/null || true # a killed console cannot restore it
	tput rmcup 2>/dev/null || true
	printf '\nbvops demo: bvops was killed (signal %d). The demo (nodes, AWS, state) is kept:\nEnter starts bvops again on it (P lists an interrupted procedure); Ctrl-C ends the demo. ' \
		$((rc - 128)) >&2
	read -r _ || break
done
[ -n "$aws_off" ] && echo "bvops demo: AWS features were off: $aws_off" >&2
exit $rc
