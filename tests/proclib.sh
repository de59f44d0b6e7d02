# The world a procedure test runs in (source after lib.sh, simlib.sh and
# motolib.sh): moto_server with signatures checked, seeded like a
# deployment by demo/aws_seed.py, and the node simulator.
#
#   proc_world NAME N   moto, N seeded nodes, the simulator; sets TMP,
#                       STATE, F (the fleet file) and a cleanup trap;
#                       nodes from PROC_DYNAMIC_FROM on (default: none)
#                       are dynamic; PROC_KMS=1 adds each kms_stack;
#                       PROC_SEED_ARGS go to demo/aws_seed.py;
#                       PROC_ACCOUNTS (A,B,C): node i's AWS resources in
#                       the i-th account, reached through the role the
#                       seed names (aws_role_arn)
#   proc_role_narrow I ACTIONS
#                       node i's role now allows only ACTIONS (a JSON
#                       list), set from inside its account
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

# as_role ARN CMD...: CMD with the role's credentials (aws sts assume-role).
as_role() {
	local arn=$1 creds k s t
	shift
	creds=$(aws sts assume-role --role-arn "$arn" --role-session-name test \
		--query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text) || return 1
	read -r k s t <<<"$creds"
	AWS_ACCESS_KEY_ID=$k AWS_SECRET_ACCESS_KEY=$s AWS_SESSION_TOKEN=$t "$@"
}

proc_role_narrow() {
	local arn
	arn=$(seed "$1" role_arn)
	as_role "$arn" aws iam put-role-policy --role-name "${arn##*:role/}" --policy-name bvops \
		--policy-document "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":$2,\"Resource\":\"*\"}]}"
}

seed() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["nodes"][int(sys.argv[2])][sys.argv[3]])' "$TMP/seed.json" "$1" "$2"; }

proc_world() {
	local pw_fleet=$1 n=$2 i port
	TMP=$(mktemp -d)
	trap proc_cleanup EXIT
	aws_test_env "$TMP"
	export XDG_STATE_HOME="$TMP/state"
	STATE="$XDG_STATE_HOME/bvops/$pw_fleet"
	local roles=() seed_accounts=()
	if [ -n "${PROC_ACCOUNTS:-}" ]; then
		local accounts
		IFS=, read -r -a accounts <<<"$PROC_ACCOUNTS"
		for ((i = 0; i < n; i++)); do
			roles+=("arn:aws:iam::${accounts[i % ${#accounts[@]}]}:role/$pw_fleet-node-$i-admin")
		done
		seed_accounts=(--accounts "$PROC_ACCOUNTS")
	fi
	MOTO_FREE_CALLS=$((3 + 2 * ${#roles[@]})) moto_start "$TMP/moto.log" || exit 1
	if [ ${#roles[@]} -gt 0 ]; then
		python3 tests/moto_roles.py --endpoint "$AWS_ENDPOINT_URL" "${roles[@]}" ||
			{ echo "making the roles failed"; echo "0 passed, 1 failed"; exit 1; }
	fi
	moto_signed_user "$TMP"
	python3 demo/aws_seed.py --endpoint "$AWS_ENDPOINT_URL" --fleet "$pw_fleet" --nodes "$n" \
		--out "$TMP/seed.json" "${seed_accounts[@]}" ${PROC_SEED_ARGS:-} >/dev/null || { echo "seeding failed"; echo "0 passed, 1 failed"; exit 1; }
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
			if [ -n "${PROC_ACCOUNTS:-}" ]; then
				printf 'aws_role_arn = "%s"\n' "$(seed "$i" role_arn)"
			fi
		done <"$SIM_DIR/ports"
	} >"$TMP/fleet.toml"
	F="$TMP/fleet.toml"
}
