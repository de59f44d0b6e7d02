#!/usr/bin/env bash
# bvops config get: the config-location chain of the operations guide, end
# to end against moto_server (signatures checked) seeded like a deployment
# (demo/aws_seed.py: first parameter in us-east-1, the KMS stack's parameter
# and bucket in eu-west-1), with the instance tags read from the fleet
# file, from EC2 (by id and by tag) and from an IMDSv2 fixture; redaction;
# and every failure with its exact message.
# usage: tests/config.sh BVOPS_BINARY
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
. tests/motolib.sh
B=$(realpath "$1")
TMP=$(mktemp -d)
IMDS_PID=""
cleanup() {
	moto_stop
	[ -n "$IMDS_PID" ] && kill "$IMDS_PID" 2>/dev/null && wait "$IMDS_PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
[ -n "${AWS_TEST_DEBUG:-}" ] && set -x
aws_test_env "$TMP"
export XDG_STATE_HOME="$TMP/state"
moto_start "$TMP/moto.log" || exit 1
moto_signed_user "$TMP"
python3 demo/aws_seed.py --endpoint "$AWS_ENDPOINT_URL" --fleet tsm --nodes 3 \
	--out "$TMP/seed.json" || { echo "seeding failed"; echo "0 passed, 1 failed"; exit 1; }
seed() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["nodes"][int(sys.argv[2])][sys.argv[3]])' "$TMP/seed.json" "$1" "$2"; }
I1=$(seed 1 instance_id)
BUCKET0=$(seed 0 bucket)

# node: NAME [KEY = VALUE lines...]
node() {
	printf '\n[[node]]\nname = "%s"\nindex = %d\nping_url = "http://127.0.0.1:9/ping"\ntransport = "none"\n' "$1" "$NEXT"
	NEXT=$((NEXT + 1))
	shift
	for kv in "$@"; do printf '%s\n' "$kv"; done
}
NEXT=0
{
	printf '[fleet]\nname = "tsm"\nregion = "us-east-1"\n'
	node fleetfile 'config_ssm_param = "/tsm/node-0/config"' 'enclave_name = "tsm-0"'
	node byid "instance_id = \"$I1\""
	node bytag 'enclave_name = "tsm-2"'
	node onhere 'instance_id = "i-0123456789abcdef0"'
	node noparam 'config_ssm_param = "/tsm/nope"' 'enclave_name = "tsm-0"'
	node badjson 'config_ssm_param = "/tsm/badjson"' 'enclave_name = "tsm-0"'
	node nofield 'config_ssm_param = "/tsm/nofield"' 'enclave_name = "tsm-0"'
	node dupkey 'config_ssm_param = "/tsm/dupkey"' 'enclave_name = "tsm-0"'
	node badbucket 'config_ssm_param = "/tsm/badbucket"' 'enclave_name = "tsm-0"'
	node hostile 'config_ssm_param = "/tsm/\u001b]0;owned\u0007\u001b[2Jx"' 'enclave_name = "tsm-0"'
	node noobject 'config_ssm_param = "/tsm/node-0/config"' 'enclave_name = "tsm-9"'
	node noinstance 'instance_id = "i-00000000000000000"'
	node nothing
	node broken 'config_ssm_param = "/tsm/node-0/config"' 'enclave_name = "broken"'
} >"$TMP/fleet.toml"
F="$TMP/fleet.toml"
aws ssm put-parameter --name /tsm/badjson --type String --value '{"SHARD_SSM_PARAM_ARN": ' >/dev/null
aws ssm put-parameter --name /tsm/nofield --type String --value '{"SHARD": "x"}' >/dev/null
aws ssm put-parameter --name /tsm/dupkey --type String --value '{"SHARD_SSM_PARAM_ARN": "arn:aws:ssm:eu-west-1:123456789012:parameter/tsm/kms/node-0", "SHARD_SSM_PARAM_ARN": "arn:aws:ssm:eu-west-1:123456789012:parameter/elsewhere"}' >/dev/null
aws ssm put-parameter --name /tsm/badbucket --type String --value '{"SHARD_SSM_PARAM_ARN": "arn:aws:ssm:eu-west-1:123456789012:parameter/tsm/badbucket-shard"}' >/dev/null
aws ssm put-parameter --region eu-west-1 --name /tsm/badbucket-shard --type String --value '{"CONFIG_BUCKET": "tsm-config/x?versionId=1"}' >/dev/null
printf '[Player]\nPrivateKey = "never-shown"\nIndex = \n' >"$TMP/broken.toml"
aws s3 cp "$TMP/broken.toml" "s3://$BUCKET0/broken/config.toml" --region eu-west-1 >/dev/null

test_begin from_the_fleet_file_redacted
run "$B" -f "$F" config get fleetfile
check_eq "exit" "$RC" 0
check_eq "the location first, as TOML comments" "$(printf '%s\n' "$OUT" | head -2 | sed 's/version [0-9a-f-]*$/version V/')" "# fleetfile: s3://$BUCKET0/tsm-0/config.toml (eu-west-1), version V
# secrets redacted by bvops: 4 values"
check_contains "a secret key's value" "$OUT" 'PrivateKey = "<redacted>"'
check_contains "a DSN's password only" "$OUT" 'DataSourceName = "postgres://tsm:<redacted>@db-0.internal:5432/tsm?sslmode=require"'
check_contains "an array under a secret key" "$OUT" 'APIKeys = ["<redacted>"]'
check_contains "public keys stay" "$OUT" 'PublicKey = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEdemo0"'
check_not_contains "no secret leaks" "$OUT" "Demo-Passw0rd"
check_not_contains "no secret leaks" "$OUT" "demo-master-password"
check_not_contains "no secret leaks" "$OUT" "FakePrivateKey"
check_eq "nothing on stderr" "$ERR" ""
test_end

test_begin raw_is_the_object_byte_for_byte
"$B" -f "$F" config get fleetfile --raw >"$TMP/raw.toml" 2>"$TMP/raw.err"
check_eq "exit" "$?" 0
aws s3 cp "s3://$BUCKET0/tsm-0/config.toml" "$TMP/cli.toml" --region eu-west-1 >/dev/null
check_eq "same bytes as the aws CLI's copy" "$(cmp "$TMP/raw.toml" "$TMP/cli.toml" && echo same)" same
test_end

test_begin tags_from_ec2_by_instance_id
run "$B" -f "$F" config get byid --where
check_eq "exit" "$RC" 0
check_eq "the whole chain" "$(printf '%s\n' "$OUT" | head -9)" "node: byid
instance: $I1
tags from: EC2 DescribeInstances
CONFIG_SSM_PARAM: /tsm/node-1/config
EnclaveName: tsm-1
SHARD_SSM_PARAM_ARN: arn:aws:ssm:eu-west-1:123456789012:parameter/tsm/kms/node-1
CONFIG_BUCKET: $(seed 1 bucket)
region: eu-west-1
object: s3://$(seed 1 bucket)/tsm-1/config.toml"
check_contains "the object's version" "$OUT" "version: "
run "$B" -f "$F" config get byid
check_contains "its own config" "$OUT" "[Player]
Index = 1"
test_end

test_begin tags_from_ec2_by_enclave_tag
run "$B" -f "$F" config get bytag --where
check_eq "exit" "$RC" 0
check_contains "found by its EnclaveName tag" "$OUT" "instance: $(seed 2 instance_id)"
check_contains "object" "$OUT" "object: s3://$(seed 2 bucket)/tsm-2/config.toml"
test_end

test_begin tags_from_imds_on_the_instance_itself
python3 tests/imds/imds_fixture.py --port-file "$TMP/imds.port" --log "$TMP/imds.log" \
	--tag CONFIG_SSM_PARAM=/tsm/node-2/config --tag EnclaveName=tsm-2 &
IMDS_PID=$!
for i in $(seq 100); do [ -s "$TMP/imds.port" ] && break; tick 0.05; done
AWS_EC2_METADATA_DISABLED=false AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$(cat "$TMP/imds.port")" \
	run "$B" -f "$F" config get onhere --where
check_eq "exit" "$RC" 0
check_contains "tags from IMDS" "$OUT" "tags from: IMDS"
check_contains "its tags" "$OUT" "CONFIG_SSM_PARAM: /tsm/node-2/config"
check_contains "object" "$OUT" "object: s3://$(seed 2 bucket)/tsm-2/config.toml"
check_contains "IMDSv2: a token first" "$(head -1 "$TMP/imds.log")" "PUT /latest/api/token"
check_contains "then the tags" "$(cat "$TMP/imds.log")" "GET /latest/meta-data/tags/instance/EnclaveName"
# Another instance's node is not read from this instance's IMDS.
AWS_EC2_METADATA_DISABLED=false AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$(cat "$TMP/imds.port")" \
	run "$B" -f "$F" config get byid --where
check_contains "EC2 for other instances" "$OUT" "tags from: EC2 DescribeInstances"
kill "$IMDS_PID"; wait "$IMDS_PID" 2>/dev/null; IMDS_PID=""
test_end

test_begin missing_parameter
run "$B" -f "$F" config get noparam
check_eq "exit" "$RC" 3
check_eq "the exact message" "$ERR" "bvops: noparam: SSM GetParameter parameter /tsm/nope (us-east-1): ParameterNotFound: Parameter /tsm/nope not found. (HTTP 400)"
test_end

test_begin malformed_json_in_a_parameter
run "$B" -f "$F" config get badjson
check_eq "exit" "$RC" 3
check_eq "the exact message" "$ERR" 'bvops: badjson: SSM parameter /tsm/badjson (us-east-1) is not a JSON object; expected {"SHARD_SSM_PARAM_ARN": "..."}'
run "$B" -f "$F" config get nofield
check_eq "the exact message" "$ERR" 'bvops: nofield: SSM parameter /tsm/nofield (us-east-1) has no string "SHARD_SSM_PARAM_ARN"'
# A key given twice is refused, never read as the first (or the last).
run "$B" -f "$F" config get dupkey
check_eq "exit" "$RC" 3
check_eq "the exact message" "$ERR" 'bvops: dupkey: SSM parameter /tsm/dupkey (us-east-1) gives "SHARD_SSM_PARAM_ARN" more than once: refused (which one is meant?)'
test_end

test_begin a_config_bucket_that_is_no_bucket_name
# It goes into every S3 path: refused naming the parameter, not left to
# fail on its signature.
run "$B" -f "$F" config get badbucket
check_eq "exit" "$RC" 3
check_eq "the exact message" "$ERR" 'bvops: badbucket: SSM parameter arn:aws:ssm:eu-west-1:123456789012:parameter/tsm/badbucket-shard (eu-west-1) gives CONFIG_BUCKET "tsm-config/x?versionId=1", not an S3 bucket name: a bucket name has only lower-case letters, digits, '"'"'.'"'"' and '"'"'-'"'"''
test_end

test_begin missing_object
run "$B" -f "$F" config get noobject
check_eq "exit" "$RC" 3
check_eq "the exact message" "$ERR" "bvops: noobject: S3 GetObject s3://$BUCKET0/tsm-9/config.toml: NoSuchKey: The specified key does not exist. (HTTP 404)"
test_end

test_begin access_denied
moto_user reader '["ssm:GetParameter","ec2:DescribeInstances"]' "$TMP"
rk=$USER_KEY rs=$USER_SECRET
AWS_ACCESS_KEY_ID=$rk AWS_SECRET_ACCESS_KEY=$rs run "$B" -f "$F" config get fleetfile
check_eq "exit" "$RC" 3
check_eq "the exact message" "$ERR" "bvops: fleetfile: S3 GetObject s3://$BUCKET0/tsm-0/config.toml: AccessDenied: Access Denied (HTTP 403)"
AWS_ACCESS_KEY_ID=$rk AWS_SECRET_ACCESS_KEY=$rs run "$B" -f "$F" config get fleetfile --where
check_eq "--where: a HEAD has no body, still clear" "$ERR" "bvops: fleetfile: S3 HeadObject s3://$BUCKET0/tsm-0/config.toml: AccessDenied: access denied (HTTP 403)"
AWS_ACCESS_KEY_ID=$rk AWS_SECRET_ACCESS_KEY=not-it run "$B" -f "$F" config get fleetfile
check_contains "a wrong secret: the first call says so" "$ERR" "bvops: fleetfile: SSM GetParameter parameter /tsm/node-0/config (us-east-1): SignatureDoesNotMatch"
test_end

test_begin no_instance_and_no_way_to_find_one
run "$B" -f "$F" config get noinstance
check_eq "exit" "$RC" 3
check_contains "names the node and the call" "$ERR" "bvops: noinstance: EC2 DescribeInstances instances i-00000000000000000 (us-east-1): InvalidInstanceID.NotFound"
run "$B" -f "$F" config get nothing
check_eq "exit" "$RC" 3
check_eq "the exact message" "$ERR" "bvops: nothing: the fleet file gives no config_ssm_param, and no instance_id or enclave_name to find the instance's tags by"
test_end

test_begin unparseable_config_is_not_shown_redacted
run "$B" -f "$F" config get broken
check_eq "exit" "$RC" 1
check_eq "the exact message" "$ERR" "bvops: broken: s3://$BUCKET0/broken/config.toml does not parse as TOML (3:9: expected a value); not shown, as its secrets cannot be found safely: --raw shows it as stored"
check_eq "nothing printed" "$OUT" ""
run "$B" -f "$F" config get broken --raw
check_eq "--raw shows it" "$OUT" "$(cat "$TMP/broken.toml")"
test_end

test_begin lint_across_the_fleet
# Three nodes as deployed: clean. Then each fault, with its place.
{
	printf '[fleet]\nname = "tsm"\nregion = "us-east-1"\n'
	for i in 0 1 2; do
		printf '\n[[node]]\nname = "n%d"\nindex = %d\nping_url = "http://127.0.0.1:9/ping"\ntransport = "none"\nconfig_ssm_param = "/tsm/node-%d/config"\nenclave_name = "tsm-%d"\n' "$i" "$i" "$i" "$i"
	done
} >"$TMP/lint.toml"
B1=$(seed 1 bucket)
B2=$(seed 2 bucket)
ORIG1=$(aws s3 cp "s3://$B1/tsm-1/config.toml" - --region eu-west-1)
ORIG2=$(aws s3 cp "s3://$B2/tsm-2/config.toml" - --region eu-west-1)
run "$B" -f "$TMP/lint.toml" config lint
check_eq "clean: exit 0" "$RC:$ERR" "0:"
check_eq "says so" "$OUT" "3 configs read, no problem found"
# node 1: the index of node 2, a peer in no scheme, another key for
# player 0, and ERS on (only there).
printf '%s\n' "$ORIG1" | sed -e '0,/^Index = 1$/s//Index = 2/' -e 's|tcp://tsm-1.internal:9000|tsm-1.internal:9000|' \
	-e 's/AEdemo0"/AEother"/' -e 's/^Features = \["ECDSA"\]/Features = ["ECDSA"]\nEnableERSExport = true/' |
	aws s3 cp - "s3://$B1/tsm-1/config.toml" --region eu-west-1 >/dev/null
run "$B" -f "$TMP/lint.toml" config lint
check_eq "problems: exit 1" "$RC" 1
check_contains "the index against the fleet file" "$OUT" "n1: s3://$B1/tsm-1/config.toml:3:9: [Player] Index is 2, the fleet file says 1"
check_contains "the scheme" "$OUT" "n1: s3://$B1/tsm-1/config.toml:"
check_contains "the scheme's message" "$OUT" "player 1's Address \"tsm-1.internal:9000\" is in no scheme the TSM knows (tcp://, tcps://, ws://, wss://, incoming, broker)"
check_contains "the key, against the node it differs from" "$OUT" "player 0's PublicKey differs from n0's (s3://$(seed 0 bucket)/tsm-0/config.toml:9)"
check_contains "ERS on all or none" "$OUT" "n0: s3://$(seed 0 bucket)/tsm-0/config.toml:1:1: no ERS configuration, while 1 of 3 nodes have it: on all or on none"
check_contains "counted" "$(printf '%s\n' "$OUT" | tail -1)" "problems in the fleet's configs"
# Only the nodes asked for are reported on (all are still read).
printf '%s\n' "$ORIG1" | aws s3 cp - "s3://$B1/tsm-1/config.toml" --region eu-west-1 >/dev/null
printf '%s\n' "$ORIG2" | sed '0,/^Index = 2$/s//Index = 1/' | aws s3 cp - "s3://$B2/tsm-2/config.toml" --region eu-west-1 >/dev/null
run "$B" -f "$TMP/lint.toml" config lint n2
check_eq "n2 only" "$(printf '%s\n' "$OUT" | grep -v '^n2: ' | grep -c ': s3://')" 0
check_contains "a duplicate index names the other node" "$OUT" "n2: s3://$B2/tsm-2/config.toml:3:9: [Player] Index 1 is n1's too"
# A config that does not parse, and one that cannot be read.
printf '[Player]\nIndex = \n' | aws s3 cp - "s3://$B2/tsm-2/config.toml" --region eu-west-1 >/dev/null
run "$B" -f "$TMP/lint.toml" config lint n2
check_contains "unparseable, with its place" "$OUT" "n2: s3://$B2/tsm-2/config.toml:2:9: does not parse: expected a value"
aws s3 rm "s3://$B2/tsm-2/config.toml" --region eu-west-1 >/dev/null
run "$B" -f "$TMP/lint.toml" config lint
check_eq "unreadable: exit 3" "$RC" 3
check_contains "named" "$ERR" "n2: its config could not be read"
run "$B" -f "$TMP/lint.toml" config lint n9
check_eq "an unknown node: exit 2" "$RC" 2
printf '%s\n' "$ORIG1" | aws s3 cp - "s3://$B1/tsm-1/config.toml" --region eu-west-1 >/dev/null
printf '%s\n' "$ORIG2" | aws s3 cp - "s3://$B2/tsm-2/config.toml" --region eu-west-1 >/dev/null
test_end

test_begin nitro_status_in_status_json
# One GetMetricData for the fleet: by EnclaveName, or by InstanceId.
aws cloudwatch put-metric-data --namespace Tsm/Nitro --metric-name Status \
	--dimensions EnclaveName=tsm-a --value 1
aws cloudwatch put-metric-data --namespace Tsm/Nitro --metric-name Status \
	--dimensions EnclaveName=tsm-b --value -1
{
	printf '[fleet]\nname = "tsm"\nregion = "us-east-1"\n'
	printf '[nitro]\nnamespace = "Tsm/Nitro"\nmetric = "Status"\n'
	NEXT=0
	node a 'enclave_name = "tsm-a"'
	node b 'enclave_name = "tsm-b"'
	node c 'enclave_name = "tsm-c"'
	node d
} >"$TMP/nitro.toml"
run "$B" -f "$TMP/nitro.toml" status --json
check_eq "exit: the nodes are down, whatever the metric says" "$RC" 1
check_eq "values, null without a datapoint or a dimension" "$(printf '%s' "$OUT" | python3 -c 'import json,sys; print([n["nitro_status"] for n in json.load(sys.stdin)["nodes"]])')" "[1, -1, None, None]"
check_not_contains "no error" "$OUT" "nitro_error"
run "$B" -f "$TMP/nitro.toml" status
check_contains "a NITRO column" "$(printf '%s\n' "$OUT" | head -1)" "LATENCY  NITRO  ERROR"
check_contains "its value" "$(printf '%s\n' "$OUT" | grep '^b ')" "   -1  "
aws cloudwatch put-metric-data --namespace Tsm/Nitro --metric-name Status \
	--dimensions "InstanceId=$I1" --value 1
sed -i 's/^metric = "Status"/metric = "Status"\ndimension = "InstanceId"/' "$TMP/nitro.toml"
sed -i "s/^enclave_name = \"tsm-c\"/instance_id = \"$I1\"/" "$TMP/nitro.toml"
run "$B" -f "$TMP/nitro.toml" status --json
check_eq "by InstanceId" "$(printf '%s' "$OUT" | python3 -c 'import json,sys; print([n["nitro_status"] for n in json.load(sys.stdin)["nodes"]])')" "[None, None, 1, None]"
AWS_ACCESS_KEY_ID=$rk AWS_SECRET_ACCESS_KEY=$rs run "$B" -f "$TMP/nitro.toml" status --json
check_eq "denied: still a status" "$RC" 1
check_contains "denied: said in the JSON" "$OUT" '"nitro_error":"CloudWatch GetMetricData metric Tsm/Nitro/Status by InstanceId (us-east-1): AccessDenied'
AWS_ACCESS_KEY_ID=$rk AWS_SECRET_ACCESS_KEY=$rs run "$B" -f "$TMP/nitro.toml" status
check_contains "and on stderr for people" "$ERR" "bvops: nitro status: CloudWatch GetMetricData"
test_end

test_begin valgrind_clean
# The whole chain and the nitro fetch under valgrind (when there is one;
# not for the sanitized build, which checks the same its own way).
if command -v valgrind >/dev/null && [[ "$B" != */asan/* ]]; then
	VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect"
	run $VG "$B" -f "$F" config get byid
	check_eq "config get (99 is a valgrind report)" "$RC" 0
	[ "$RC" = 99 ] && printf '%s\n' "$ERR" | head -20
	run $VG "$B" -f "$F" config get noobject
	check_eq "a failing chain" "$RC" 3
	run $VG "$B" -f "$TMP/nitro.toml" status --json
	check_eq "status with nitro" "$RC" 1
	[ "$RC" = 99 ] && printf '%s\n' "$ERR" | head -20
fi
test_end

test_begin usage_errors
run "$B" -f "$F" config get nobody
check_eq "unknown node" "$RC:$ERR" "2:bvops: no node 'nobody' in $F"
run "$B" -f "$F" config get
check_eq "no node" "$RC" 2
run "$B" -f "$F" config get fleetfile --raw --where
check_eq "both" "$RC" 2
test_end

# --raw prints the bytes as stored to a pipe or a file; to a terminal
# only with --force (they hold the secrets, and could hold escape codes).
test_begin raw_to_a_terminal_needs_force
if command -v tmux >/dev/null; then
	SOCK="$TMP/tmux.sock"
	tmux -S "$SOCK" -f /dev/null new-session -d -s r -x 120 -y 30 \
		"$B -f $F config get fleetfile --raw; echo rc=\$?; $B -f $F config get fleetfile --raw --force | head -3; $B -f $F config get fleetfile --raw --force; echo rc2=\$?; read -r _"
	tmux_expect "$SOCK" r "rc2=" 300
	S=$(tmux -S "$SOCK" capture-pane -p -J -t r -S -200)
	check_contains "refused on a terminal" "$S" "bvops: config get --raw prints the config as stored, secrets and all, and not made safe for a terminal: pipe it (| less, > FILE), or add --force"
	check_contains "exit 2" "$S" "rc=2"
	check_contains "with --force: as stored" "$S" "PrivateKey"
	check_contains "exit 0" "$S" "rc2=0"
	tmux -S "$SOCK" kill-server 2>/dev/null
fi
test_end

# What AWS says is untrusted too: a parameter name with escape codes comes
# back in AWS's error message, and reaches stderr made safe.
test_begin aws_error_text_is_made_safe
run "$B" -f "$F" config get hostile
check_eq "exit" "$RC" 3
check_contains "AWS's words" "$ERR" "ParameterNotFound"
check_not_contains "no escape reaches the terminal" "$ERR" $'\x1b'
check_not_contains "no bell either" "$ERR" $'\x07'
test_end

summary