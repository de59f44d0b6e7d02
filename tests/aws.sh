#!/usr/bin/env bash
# The AWS request core against moto_server on 127.0.0.1 with signatures
# really checked (INITIAL_NO_AUTH_ACTION_COUNT: after the first calls only
# a correctly signed request passes), and retries against a fault fixture.
# usage: tests/aws.sh AWS_CALL_BINARY
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
. tests/motolib.sh
B=$(realpath "$1")
TMP=$(mktemp -d)
FAULT_PID=""
cleanup() {
	moto_stop
	[ -n "$FAULT_PID" ] && kill "$FAULT_PID" 2>/dev/null && wait "$FAULT_PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
[ -n "${AWS_TEST_DEBUG:-}" ] && set -x
aws_test_env "$TMP"
moto_start "$TMP/moto.log" || exit 1
moto_signed_user "$TMP"
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

# The services bvops uses besides SSM, each signed and checked.
aws s3api create-bucket --bucket tsm-config-0 >/dev/null
aws s3api put-bucket-versioning --bucket tsm-config-0 --versioning-configuration Status=Enabled
printf '[player]\nindex = 0\n' >"$TMP/v1.toml"
printf '[player]\nindex = 0\nthreads = 4\n' >"$TMP/v2.toml"

test_begin s3_put_get_head_signed
run "$B" s3-put tsm-config-0 node-0/config.toml "$TMP/v1.toml" if-none-match
check_eq "created" "$RC" 0
ETAG1=$(printf '%s\n' "$OUT" | sed -n 's/^etag=//p')
V1=$(printf '%s\n' "$OUT" | sed -n 's/^version=//p')
check_eq "S3's ETag is the MD5, quoted" "$ETAG1" "\"$(md5sum <"$TMP/v1.toml" | cut -d' ' -f1)\""
[ -n "$V1" ] && [ "$V1" != "-" ] || fail "no version id"
run "$B" s3-get tsm-config-0 node-0/config.toml
check_eq "get" "$RC" 0
check_eq "the body as stored" "$(printf '%s\n' "$OUT" | tail -n +3)" "$(cat "$TMP/v1.toml")"
run "$B" s3-head tsm-config-0 node-0/config.toml
check_eq "head" "$RC" 0
check_eq "head: etag and nothing else" "$OUT" "etag=$ETAG1
version=$V1"
# The aws CLI reads back what bvops wrote.
check_eq "the aws CLI agrees" "$(aws s3 cp s3://tsm-config-0/node-0/config.toml -)" "$(cat "$TMP/v1.toml")"
test_end

test_begin s3_conditional_writes
run "$B" s3-put tsm-config-0 node-0/config.toml "$TMP/v2.toml" if-none-match
check_eq "create-only refuses an existing object" "$RC" 4
check_eq "the exact message" "$ERR" "S3 PutObject s3://tsm-config-0/node-0/config.toml: PreconditionFailed: At least one of the pre-conditions you specified did not hold (HTTP 412)"
run "$B" s3-put tsm-config-0 node-0/config.toml "$TMP/v2.toml" if-match "$ETAG1"
check_eq "if-match with the current ETag" "$RC" 0
V2=$(printf '%s\n' "$OUT" | sed -n 's/^version=//p')
run "$B" s3-put tsm-config-0 node-0/config.toml "$TMP/v1.toml" if-match "$ETAG1"
check_eq "a stale ETag is refused" "$RC" 4
check_eq "unchanged" "$(aws s3 cp s3://tsm-config-0/node-0/config.toml -)" "$(cat "$TMP/v2.toml")"
test_end

test_begin s3_versions_and_get_by_version
run "$B" s3-versions tsm-config-0 node-0/config.toml
check_eq "exit" "$RC:$ERR" 0:
check_eq "newest first, exactly this key" "$(printf '%s\n' "$OUT" | cut -d' ' -f1,4)" "$V2 latest
$V1"
run "$B" s3-get tsm-config-0 node-0/config.toml "$V1"
check_eq "an old version" "$(printf '%s\n' "$OUT" | tail -n +3)" "$(cat "$TMP/v1.toml")"
test_end

test_begin s3_conditional_get
# The shared state's cheap read: a GET that answers 304 while the object
# is unchanged.
run "$B" s3-get tsm-config-0 node-0/config.toml
etag=$(printf '%s\n' "$OUT" | sed -n 's/^etag=//p')
run "$B" s3-get-if tsm-config-0 node-0/config.toml "$etag"
check_eq "unchanged: a 304, no body" "$RC:$OUT" "0:unchanged"
run "$B" s3-get-if tsm-config-0 node-0/config.toml '"0123"'
check_contains "changed: the object" "$OUT" "$(head -1 "$TMP/v2.toml")"
run "$B" s3-get-if tsm-config-0 node-9/config.toml '"0123"'
check_eq "no such object" "$RC:$OUT" "0:missing"
test_end

test_begin s3_missing_object_and_bucket
run "$B" s3-get tsm-config-0 node-9/config.toml
check_eq "exit" "$RC" 3
check_eq "missing object" "$ERR" "S3 GetObject s3://tsm-config-0/node-9/config.toml: NoSuchKey: The specified key does not exist. (HTTP 404)"
run "$B" s3-get tsm-config-9 node-0/config.toml
check_eq "missing bucket" "$ERR" "S3 GetObject s3://tsm-config-9/node-0/config.toml: NoSuchBucket: The specified bucket does not exist (HTTP 404)"
run "$B" s3-head tsm-config-0 node-9/config.toml
check_eq "head: no body, still clear" "$ERR" "S3 HeadObject s3://tsm-config-0/node-9/config.toml: NoSuchKey: no such object (HTTP 404)"
test_end

test_begin access_denied
moto_user reader '["ssm:GetParameter"]' "$TMP"
rk=$USER_KEY rs=$USER_SECRET
AWS_ACCESS_KEY_ID=$rk AWS_SECRET_ACCESS_KEY=$rs run "$B" ssm-get /tsm/node-0/config
check_eq "allowed call" "$RC" 0
AWS_ACCESS_KEY_ID=$rk AWS_SECRET_ACCESS_KEY=$rs run "$B" s3-get tsm-config-0 node-0/config.toml
check_eq "denied call" "$RC" 3
check_eq "the exact message" "$ERR" "S3 GetObject s3://tsm-config-0/node-0/config.toml: AccessDenied: Access Denied (HTTP 403)"
test_end

test_begin kms_key_policy_get_put
KEY=$(aws kms create-key --query KeyMetadata.KeyId --output text)
run "$B" kms-get-policy "$KEY"
check_eq "exit" "$RC" 0
check_contains "the default policy" "$OUT" '"Sid": "Enable IAM User Permissions"'
printf '%s' '{"Version":"2012-10-17","Statement":[{"Sid":"Nitro","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/tsm-node"},"Action":"kms:Decrypt","Resource":"*"}]}' >"$TMP/policy.json"
run "$B" kms-put-policy "$KEY" "$TMP/policy.json"
check_eq "put" "$RC" 0
check_eq "the aws CLI reads it back" "$(aws kms get-key-policy --key-id "$KEY" --policy-name default --query Policy --output text)" "$(cat "$TMP/policy.json")"
run "$B" kms-get-policy "arn:aws:kms:us-east-1:123456789012:key/$KEY"
check_eq "by ARN" "$OUT" "$(cat "$TMP/policy.json")"
run "$B" kms-get-policy 00000000-0000-0000-0000-000000000000
check_eq "unknown key" "$RC" 3
check_eq "the exact message" "$ERR" "KMS GetKeyPolicy key 00000000-0000-0000-0000-000000000000 (us-east-1): NotFoundException: Key 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000' does not exist (HTTP 400)"
test_end

test_begin cloudformation_stack_resource
cat >"$TMP/stack.json" <<'JSON'
{"Resources": {"ShardKMSKeyNitro": {"Type": "AWS::KMS::Key",
  "Properties": {"Description": "tsm node 0", "KeyPolicy": {"Version": "2012-10-17",
   "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}]}}}}}
JSON
aws cloudformation create-stack --stack-name tsm-kms-0 --template-body "file://$TMP/stack.json" >/dev/null
run "$B" cfn-resource tsm-kms-0 ShardKMSKeyNitro
check_eq "exit" "$RC" 0
check_eq "the key id" "$OUT" "$(aws cloudformation describe-stack-resource --stack-name tsm-kms-0 --logical-resource-id ShardKMSKeyNitro --query StackResourceDetail.PhysicalResourceId --output text)"
run "$B" cfn-resource tsm-kms-9 ShardKMSKeyNitro
check_eq "missing stack" "$RC" 3
check_eq "the exact message" "$ERR" "CloudFormation DescribeStackResource stack tsm-kms-9 resource ShardKMSKeyNitro (us-east-1): ValidationError: Stack with id tsm-kms-9 does not exist (HTTP 400)"
test_end

test_begin cloudwatch_put_and_latest
run "$B" cw-put TSM/Nitro NitroStatus EnclaveName tsm-0 1
check_eq "put" "$RC" 0
run "$B" cw-put TSM/Nitro NitroStatus EnclaveName tsm-1 -1
run "$B" cw-latest TSM/Nitro NitroStatus EnclaveName tsm-0 tsm-1 tsm-2
check_eq "exit" "$RC" 0
check_eq "one call, every series" "$OUT" "tsm-0 1
tsm-1 -1
tsm-2 none"
test_end

test_begin ec2_describe_by_tags
aws ec2 run-instances --image-id ami-12c6146b --count 1 --tag-specifications \
	'ResourceType=instance,Tags=[{Key=EnclaveName,Value=tsm-0},{Key=CONFIG_SSM_PARAM,Value=/tsm/node-0/config}]' \
	--query 'Instances[0].InstanceId' --output text >"$TMP/i0"
aws ec2 run-instances --image-id ami-12c6146b --count 1 --tag-specifications \
	'ResourceType=instance,Tags=[{Key=EnclaveName,Value=tsm-1}]' >/dev/null
run "$B" ec2-describe tag:EnclaveName=tsm-0
check_eq "exit" "$RC" 0
check_eq "the one instance, with its tags" "$OUT" "$(cat "$TMP/i0") running EnclaveName=tsm-0 CONFIG_SSM_PARAM=/tsm/node-0/config"
run "$B" ec2-describe "id=$(cat "$TMP/i0")"
check_contains "by id" "$OUT" "CONFIG_SSM_PARAM=/tsm/node-0/config"
run "$B" ec2-describe tag:EnclaveName=nobody
check_eq "none matching is no error" "$RC:$OUT" "0:"
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

test_begin attempts_as_the_sdks_count_them
fault 503 4
AWS_MAX_ATTEMPTS=5 AWS_ENDPOINT_URL_SSM="$FAULT_URL" run "$B" ssm-get x
check_eq "AWS_MAX_ATTEMPTS=5: the fifth succeeds" "$RC:$OUT" "0:after-faults"
check_eq "five attempts" "$(wc -l <"$TMP/fault.log")" 5
fault throttle 9
AWS_RETRY_MODE=legacy AWS_ENDPOINT_URL_SSM="$FAULT_URL" run "$B" ssm-get x
check_eq "legacy mode: exit" "$RC" 3
check_eq "legacy mode: five attempts" "$(wc -l <"$TMP/fault.log")" 5
fault 503 5
printf '[default]\nmax_attempts = 2\n' >"$TMP/attempts.cfg"
AWS_CONFIG_FILE="$TMP/attempts.cfg" AWS_ENDPOINT_URL_SSM="$FAULT_URL" run "$B" ssm-get x
check_eq "max_attempts in the profile: two" "$(wc -l <"$TMP/fault.log")" 2
check_contains "every request names bvops and its version" "$(head -1 "$TMP/fault.log")" " bvops/$(sed -n 's/^VERSION *:= *//p' Makefile) libcurl/"
test_end

test_begin endpoints_from_the_profile
fault 503 0
cat >"$TMP/endpoints.cfg" <<INI
[default]
services = local

[services local]
ssm =
  endpoint_url = $FAULT_URL
INI
env -u AWS_ENDPOINT_URL AWS_CONFIG_FILE="$TMP/endpoints.cfg" "$B" ssm-get x >"$TMP/ep.out" 2>&1
check_eq "the services block's endpoint" "$(cat "$TMP/ep.out")" "after-faults"
printf '[default]\nendpoint_url = %s\n' "$FAULT_URL" >"$TMP/endpoint.cfg"
env -u AWS_ENDPOINT_URL AWS_CONFIG_FILE="$TMP/endpoint.cfg" "$B" ssm-get x >"$TMP/ep.out" 2>&1
check_eq "the profile's endpoint_url" "$(cat "$TMP/ep.out")" "after-faults"
check_eq "asked twice" "$(wc -l <"$TMP/fault.log")" 2
test_end

test_begin ca_bundle_for_a_private_ca
fault 503 0
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$TMP/tls.key" \
	-out "$TMP/tls.pem" -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
cat "$TMP/tls.key" "$TMP/tls.pem" >"$TMP/tls.both"
TLS_PORT=$(free_port)
socat OPENSSL-LISTEN:"$TLS_PORT",bind=127.0.0.1,reuseaddr,fork,cert="$TMP/tls.both",verify=0 \
	TCP:127.0.0.1:"${FAULT_URL##*:}" 2>/dev/null &
TLS_PID=$!
wait_port "$TLS_PORT" || fail "no TLS relay"
AWS_MAX_ATTEMPTS=1 AWS_ENDPOINT_URL_SSM="https://127.0.0.1:$TLS_PORT" run "$B" ssm-get x
check_eq "an unknown CA: refused" "$RC" 3
check_contains "says why" "$ERR" "certificate"
AWS_CA_BUNDLE="$TMP/tls.pem" AWS_ENDPOINT_URL_SSM="https://127.0.0.1:$TLS_PORT" run "$B" ssm-get x
check_eq "AWS_CA_BUNDLE" "$RC:$OUT" "0:after-faults"
printf '[default]\nca_bundle = %s\n' "$TMP/tls.pem" >"$TMP/ca.cfg"
AWS_CONFIG_FILE="$TMP/ca.cfg" AWS_ENDPOINT_URL_SSM="https://127.0.0.1:$TLS_PORT" run "$B" ssm-get x
check_eq "the profile's ca_bundle" "$RC:$OUT:$ERR" "0:after-faults:"
kill "$TLS_PID" 2>/dev/null
wait "$TLS_PID" 2>/dev/null
test_end

test_begin unparseable_xml_names_the_call
fault badxml 0
AWS_ENDPOINT_URL_EC2="$FAULT_URL" run "$B" ec2-describe tag:EnclaveName=tsm-0
check_eq "exit" "$RC" 3
check_eq "the exact message" "$ERR" "EC2 DescribeInstances instances (us-east-1): the answer does not parse: XML line 2: no element found"
test_end

summary
