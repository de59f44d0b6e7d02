#!/usr/bin/env bash
# The AWS request core against moto_server on 127.0.0.1 with signatures
# really checked (INITIAL_NO_AUTH_ACTION_COUNT: after the first calls only
# a correctly signed request passes), and retries against a fault fixture.
# usage: tests/aws.sh AWS_CALL_BINARY
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
B=$(realpath "$1")
TMP=$(mktemp -d)
MOTO_PID=""
FAULT_PID=""
cleanup() {
	[ -n "$MOTO_PID" ] && kill "$MOTO_PID" 2>/dev/null && wait "$MOTO_PID" 2>/dev/null
	[ -n "$FAULT_PID" ] && kill "$FAULT_PID" 2>/dev/null && wait "$FAULT_PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
[ -n "${AWS_TEST_DEBUG:-}" ] && set -x
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE \
	AWS_ENDPOINT_URL_SSM
export HOME="$TMP" AWS_EC2_METADATA_DISABLED=true AWS_REGION=us-east-1 \
	AWS_DEFAULT_REGION=us-east-1 # the aws CLI (v1) reads only the latter

if ! command -v moto_server >/dev/null || ! command -v aws >/dev/null; then
	echo "moto_server and the aws CLI are needed (pip install 'moto[server]' awscli)"
	echo "0 passed, 1 failed"
	exit 1
fi
PORT=$(free_port)
# Three unsigned calls to make a user, its policy and its key; then only
# that key, correctly signed, passes.
INITIAL_NO_AUTH_ACTION_COUNT=3 moto_server -H 127.0.0.1 -p "$PORT" >"$TMP/moto.log" 2>&1 &
MOTO_PID=$!
wait_port "$PORT" || { echo "moto_server did not start"; cat "$TMP/moto.log"; exit 1; }
export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT"
AWS_ACCESS_KEY_ID=anything AWS_SECRET_ACCESS_KEY=anything aws iam create-user --user-name bvops >/dev/null
AWS_ACCESS_KEY_ID=anything AWS_SECRET_ACCESS_KEY=anything aws iam put-user-policy --user-name bvops \
	--policy-name ops --policy-document \
	'{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ssm:*","s3:*","sts:*","iam:*"],"Resource":"*"}]}'
AWS_ACCESS_KEY_ID=anything AWS_SECRET_ACCESS_KEY=anything aws iam create-access-key --user-name bvops >"$TMP/key.json"
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
AWS_ACCESS_KEY_ID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["AccessKey"]["AccessKeyId"])' "$TMP/key.json")
AWS_SECRET_ACCESS_KEY=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["AccessKey"]["SecretAccessKey"])' "$TMP/key.json")
aws ssm put-parameter --name /tsm/node-0/config --type String \
	--value '{"SHARD_SSM_PARAM_ARN": "arn:aws:ssm:eu-west-1:123456789012:parameter/tsm/shard-0"}' >/dev/null
aws ssm put-parameter --region eu-west-1 --name /tsm/shard-0 --type String \
	--value '{"CONFIG_BUCKET": "tsm-config-0"}' >/dev/null

test_begin signed_get_parameter
run "$B" ssm-get /tsm/node-0/config
check_eq "exit" "$RC" 0
check_eq "value" "$OUT" '{"SHARD_SSM_PARAM_ARN": "arn:aws:ssm:eu-west-1:123456789012:parameter/tsm/shard-0"}'
test_end

test_begin an_arn_goes_to_its_own_region
run "$B" ssm-get arn:aws:ssm:eu-west-1:123456789012:parameter/tsm/shard-0
check_eq "exit" "$RC" 0
check_eq "value from eu-west-1" "$OUT" '{"CONFIG_BUCKET": "tsm-config-0"}'
run "$B" ssm-get /tsm/shard-0
check_eq "not in us-east-1" "$RC" 3
test_end

test_begin wrong_secret_refused
AWS_SECRET_ACCESS_KEY=not-the-secret run "$B" ssm-get /tsm/node-0/config
check_eq "exit" "$RC" 3
check_eq "the exact message" "$ERR" "SSM GetParameter parameter /tsm/node-0/config (us-east-1): SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details. (HTTP 403)"
check_not_contains "the secret is not in it" "$ERR" "not-the-secret"
test_end

test_begin unknown_key_refused
AWS_ACCESS_KEY_ID=AKIANOBODY run "$B" ssm-get /tsm/node-0/config
check_eq "exit" "$RC" 3
check_eq "names the call and AWS's code" "$ERR" "SSM GetParameter parameter /tsm/node-0/config (us-east-1): InvalidClientTokenId: The security token included in the request is invalid. (HTTP 403)"
test_end

test_begin missing_parameter
run "$B" ssm-get /tsm/nope
check_eq "exit" "$RC" 3
check_eq "the exact message" "$ERR" "SSM GetParameter parameter /tsm/nope (us-east-1): ParameterNotFound: Parameter /tsm/nope not found. (HTTP 400)"
test_end

test_begin session_credentials_send_their_token
# Temporary credentials of an assumed role: they pass with their token
# (sent as a signed X-Amz-Security-Token) and fail without it.
aws iam create-role --role-name tsm-node --assume-role-policy-document \
	'{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}' >/dev/null
aws iam put-role-policy --role-name tsm-node --policy-name ssm --policy-document \
	'{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ssm:*"],"Resource":"*"}]}'
aws sts assume-role --role-arn arn:aws:iam::123456789012:role/tsm-node \
	--role-session-name bvops-test >"$TMP/session.json"
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["Credentials"][sys.argv[2]])' "$TMP/session.json" "$1"; }
sk=$(field AccessKeyId) ss=$(field SecretAccessKey) st=$(field SessionToken)
AWS_ACCESS_KEY_ID=$sk AWS_SECRET_ACCESS_KEY=$ss AWS_SESSION_TOKEN=$st run "$B" ssm-get /tsm/node-0/config
check_eq "with the token" "$RC" 0
check_contains "value" "$OUT" "SHARD_SSM_PARAM_ARN"
AWS_ACCESS_KEY_ID=$sk AWS_SECRET_ACCESS_KEY=$ss run "$B" ssm-get /tsm/node-0/config
check_eq "without it" "$RC" 3
check_contains "refused" "$ERR" "InvalidClientTokenId"
test_end

# fault MODE N: a fault fixture failing the first N requests.
fault() {
	[ -n "$FAULT_PID" ] && kill "$FAULT_PID" 2>/dev/null && wait "$FAULT_PID" 2>/dev/null
	rm -f "$TMP/fault.port" "$TMP/fault.log"
	python3 tests/aws_fault.py --port-file "$TMP/fault.port" --mode "$1" --fail "$2" --log "$TMP/fault.log" &
	FAULT_PID=$!
	for i in $(seq 100); do [ -s "$TMP/fault.port" ] && break; tick 0.05; done
	FAULT_URL="http://127.0.0.1:$(cat "$TMP/fault.port")"
}

test_begin retries_5xx_then_succeeds
fault 503 2
AWS_ENDPOINT_URL_SSM="$FAULT_URL" run "$B" ssm-get x
check_eq "exit" "$RC" 0
check_eq "the answer after two faults" "$OUT" "after-faults"
check_eq "three attempts" "$(wc -l <"$TMP/fault.log")" 3
test_end

test_begin throttling_retried_then_given_up
fault throttle 5
AWS_ENDPOINT_URL_SSM="$FAULT_URL" run "$B" ssm-get x
check_eq "exit" "$RC" 3
check_eq "three attempts, no more" "$(wc -l <"$TMP/fault.log")" 3
check_contains "says so" "$ERR" "SSM GetParameter parameter x (us-east-1): ThrottlingException: Rate exceeded (HTTP 400)"
test_end

test_begin other_4xx_not_retried
fault 400 5
AWS_ENDPOINT_URL_SSM="$FAULT_URL" run "$B" ssm-get x
check_eq "exit" "$RC" 3
check_eq "one attempt" "$(wc -l <"$TMP/fault.log")" 1
check_contains "AWS's own words" "$ERR" "ValidationException: injected bad request (HTTP 400)"
test_end

test_begin connection_refused_retried
CLOSED=$(free_port)
AWS_ENDPOINT_URL_SSM="http://127.0.0.1:$CLOSED" run "$B" ssm-get x
check_eq "exit" "$RC" 3
check_contains "says where" "$ERR" "SSM GetParameter parameter x (us-east-1): no answer from http://127.0.0.1:$CLOSED: Couldn't connect to server"
test_end

summary
