# The world a procedure test runs in (source after lib.sh, simlib.sh and
# motolib.sh): moto_server with signatures checked, seeded like a
# deployment by demo/aws_seed.py, and the node simulator.
#
#   proc_world NAME N   moto, N seeded nodes, the simulator; sets TMP,
#                       STATE, F (the fleet file) and a cleanup trap;
#                       nodes from PROC_DYNAMIC_FROM on (default: none)
#                       are dynamic; PROC_KMS=1 adds each kms_stack;
#                       PROC_SEED_ARGS go to demo/aws_seed.py
#   seed I FIELD        the seed's FIELD of node I (bucket, key, stack)

LOST_PID=""

# lost_answer_start SUFFIX [TIMES]: a proxy before moto that applies the
# first TIMES PUTs of a key ending with SUFFIX (with LOST_TARGET set: the
# JSON calls of that X-Amz-Target) and answers them 500
# (tests/s3_lost_answer.py); its address in LOST_URL, its log LOST_LOG.
lost_answer_start() {
	lost_answer_stop
	LOST_LOG="$TMP/lost.log"
	rm -f "$TMP/lost.port" "$LOST_LOG"
	python3 tests/s3_lost_answer.py --port-file "$TMP/lost.port" \
		--upstream "$AWS_ENDPOINT_URL" ${LOST_TARGET:+--target "$LOST_TARGET"} \
		--suffix "$1" --times "${2:-1}" --log "$LOST_LOG" &
	LOST_PID=$!
	local i
	for i in $(seq 100); do [ -f "$TMP/lost.port" ] && break; tick; done
	LOST_URL="http://127.0.0.1:$(cat "$TMP/lost.port")"
}

lost_answer_stop() {
	[ -n "$LOST_PID" ] && kill "$LOST_PID" 2>/dev/null && wait "$LOST_PID" 2>/dev/null
	LOST_PID=""
}

proc_cleanup() {
	lost_answer_stop
	moto_stop
	sim_stop
	rm -rf "$TMP"
}

seed() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["nodes"][int(sys.argv[2])][sys.argv[3]])' "$TMP/seed.json" "$1" "$2"; }

proc_world() {
	local pw_fleet=$1 n=$2 i port
	TMP=$(mktemp -d)
	trap proc_cleanup EXIT
	aws_test_env "$TMP"
	export XDG_STATE_HOME="$TMP/state"
	STATE="$XDG_STATE_HOME/bvops/$pw_fleet"
	moto_start "$TMP/moto.log" || exit 1
	moto_signed_user "$TMP"
	python3 demo/aws_seed.py --endpoint "$AWS_ENDPOINT_URL" --fleet "$pw_fleet" --nodes "$n" \
		--out "$TMP/seed.json" ${PROC_SEED_ARGS:-} >/dev/null || { echo "seeding failed"; echo "0 passed, 1 failed"; exit 1; }
	SIM_FLEET_HEALTH='interval = "300ms"\ntimeout = "250ms"' sim_start "$n" || exit 1
	{
		printf '[fleet]\nname = "%s"\nregion = "us-east-1"\n[health]\ninterval = "300ms"\ntimeout = "250ms"\n' "$pw_fleet"
		sim_commands
		while read -r node port; do
			i=${node#node-}
			printf '\n[[node]]\nname = "%s"\nindex = %s\nping_url = "http://127.0.0.1:%s/ping"\n' "$node" "$i" "$port"
			printf 'transport = "local"\nenclave_name = "%s-%s"\nconfig_ssm_param = "/%s/node-%s/config"\n' "$pw_fleet" "$i" "$pw_fleet" "$i"
			if [ -n "${PROC_DYNAMIC_FROM:-}" ] && [ "$i" -ge "$PROC_DYNAMIC_FROM" ]; then
				printf 'role = "dynamic"\n'
			fi
			if [ -n "${PROC_KMS:-}" ]; then
				printf 'kms_stack = "%s"\n' "$(seed "$i" stack)"
			fi
		done <"$SIM_DIR/ports"
	} >"$TMP/fleet.toml"
	F="$TMP/fleet.toml"
}
