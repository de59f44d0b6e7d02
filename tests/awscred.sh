#!/usr/bin/env bash
# AWS credentials and region from the standard places, in the standard
# order: environment, profile files, the instance role through IMDSv2 (a
# fixture, tests/imds/imds_fixture.py, that the aws CLI also talks to).
# Secrets never printed.
# usage: tests/awscred.sh AWS_CREDS_BINARY
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
B=$(realpath "$1")
TMP=$(mktemp -d)
IMDS_PID=""
cleanup() {
	[ -n "$IMDS_PID" ] && kill "$IMDS_PID" 2>/dev/null && wait "$IMDS_PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

# A clean slate: nothing from the machine's own AWS setup.
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE \
	AWS_REGION AWS_DEFAULT_REGION AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE \
	AWS_EC2_METADATA_SERVICE_ENDPOINT AWS_EC2_METADATA_DISABLED
export HOME="$TMP/home"
mkdir -p "$HOME/.aws"

python3 tests/imds/imds_fixture.py --port-file "$TMP/imds.port" \
	--role tsm-node-role --region eu-central-1 --expire-seconds 3600 \
	--tag CONFIG_SSM_PARAM=/tsm/node-0/config --tag EnclaveName=tsmdemo-0 \
	--log "$TMP/imds.log" &
IMDS_PID=$!
for i in $(seq 100); do [ -s "$TMP/imds.port" ] && break; tick 0.05; done
IMDS="http://127.0.0.1:$(cat "$TMP/imds.port")"

test_begin nothing_anywhere_says_where_it_looked
run env AWS_EC2_METADATA_DISABLED=true "$B"
check_eq "exit" "$RC" 3
check_contains "why" "$ERR" "no AWS credentials: none in the environment (AWS_ACCESS_KEY_ID), no profile \"default\" with keys, and no instance role (instance metadata is off (AWS_EC2_METADATA_DISABLED))"
test_end

test_begin environment_first
cat >"$HOME/.aws/credentials" <<'INI'
[default]
aws_access_key_id = AKIAPROFILEDEFAULT
aws_secret_access_key = profile-secret
INI
run env AWS_ACCESS_KEY_ID=AKIAENVIRONMENT AWS_SECRET_ACCESS_KEY=env-secret \
	AWS_SESSION_TOKEN=env-token AWS_REGION=ap-south-1 "$B"
check_eq "exit" "$RC" 0
check_contains "source" "$OUT" "source=environment"
check_contains "key" "$OUT" "key=AKIAENVIRONMENT"
check_contains "token" "$OUT" "token=yes"
check_contains "region" "$OUT" "region=ap-south-1"
check_not_contains "no secret printed" "$OUT$ERR" "env-secret"
test_end

test_begin profile_files
cat >"$HOME/.aws/credentials" <<'INI'
# the default first
[default]
aws_access_key_id = AKIAPROFILEDEFAULT
aws_secret_access_key = profile-secret

[ops]
aws_access_key_id=AKIAPROFILEOPS
aws_secret_access_key=ops-secret
aws_session_token = ops-token
INI
cat >"$HOME/.aws/config" <<'INI'
[default]
region = us-west-2

[profile ops]
region = eu-west-3
s3 =
  addressing_style = path

[profile assumer]
role_arn = arn:aws:iam::123456789012:role/ops
source_profile = ops
INI
run "$B"
check_contains "default profile" "$OUT" "source=profile default"
check_contains "its key" "$OUT" "key=AKIAPROFILEDEFAULT"
check_contains "its region" "$OUT" "region=us-west-2"
run env AWS_PROFILE=ops "$B"
check_contains "named profile" "$OUT" "source=profile ops"
check_contains "session token" "$OUT" "token=yes"
check_contains "profile region" "$OUT" "region=eu-west-3"
run env AWS_PROFILE=ops AWS_DEFAULT_REGION=sa-east-1 "$B"
check_contains "AWS_DEFAULT_REGION before the profile" "$OUT" "region=sa-east-1"
# Roles, web identity, SSO, credential_process, containers:
# tests/awschain.sh (against moto's STS and a fixture).
run env AWS_PROFILE=nope "$B"
check_eq "unknown profile: exit" "$RC" 3
check_contains "unknown profile" "$ERR" "AWS_PROFILE=nope: no such profile with credentials in $HOME/.aws/credentials or $HOME/.aws/config"
run env AWS_SHARED_CREDENTIALS_FILE="$TMP/none" AWS_CONFIG_FILE="$TMP/none" \
	AWS_EC2_METADATA_DISABLED=true "$B" us-east-2
check_eq "files moved away: nothing" "$RC" 3
check_contains "fleet region when nothing else says" "$OUT" "region=us-east-2"
test_end

rm -f "$HOME/.aws/credentials" "$HOME/.aws/config"

test_begin instance_role_through_imdsv2
: >"$TMP/imds.log"
run env AWS_EC2_METADATA_SERVICE_ENDPOINT="$IMDS" "$B"
check_eq "exit" "$RC" 0
check_contains "source" "$OUT" "source=instance role tsm-node-role"
check_contains "key" "$OUT" "key=ASIAFIXTURE"
check_contains "session token" "$OUT" "token=yes"
check_contains "secret (length only)" "$OUT" "secret_len=16"
exp=$(printf '%s\n' "$OUT" | sed -n 's/^expires_in=//p')
[ "${exp:-0}" -gt 3500 ] && [ "${exp:-0}" -le 3600 ] || fail "expiry parsed: $exp"
check_contains "not stale with an hour left" "$OUT" "stale=no"
check_contains "region from the instance" "$OUT" "region=eu-central-1"
check_contains "a token first (IMDSv2)" "$(head -1 "$TMP/imds.log")" "PUT /latest/api/token"
check_eq "one token for every read (role, credentials, region)" "$(grep -c 'PUT /latest/api/token' "$TMP/imds.log")" 1
check_eq "three reads with it" "$(grep -c '^GET' "$TMP/imds.log")" 3
check_not_contains "no secret printed" "$OUT$ERR" "fixture-secret"
test_end

test_begin expiring_credentials_are_stale
kill "$IMDS_PID"; wait "$IMDS_PID" 2>/dev/null
rm -f "$TMP/imds.port"
python3 tests/imds/imds_fixture.py --port-file "$TMP/imds.port" \
	--role tsm-node-role --expire-seconds 120 --log "$TMP/imds.log" \
	--tag CONFIG_SSM_PARAM=/tsm/node-0/config --tag EnclaveName=tsmdemo-0 &
IMDS_PID=$!
for i in $(seq 100); do [ -s "$TMP/imds.port" ] && break; tick 0.05; done
IMDS="http://127.0.0.1:$(cat "$TMP/imds.port")"
run env AWS_EC2_METADATA_SERVICE_ENDPOINT="$IMDS" AWS_REGION=x "$B"
check_contains "two minutes left: load again" "$OUT" "stale=yes"
test_end

test_begin imds_token_timeout_hints_at_the_hop_limit
# A token PUT that never gets its answer is what a container one hop past
# the instance sees when the hop limit is 1.
SILENT=$(free_port)
setsid socat TCP-LISTEN:"$SILENT",bind=127.0.0.1,reuseaddr,fork EXEC:"tail -f /dev/null" 2>/dev/null &
silent_pid=$!
wait_port "$SILENT" || fail "no silent listener"
run env AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$SILENT" AWS_REGION=x "$B"
check_eq "exit" "$RC" 3
check_contains "the hint" "$ERR" "the instance's metadata hop limit may be 1 (aws ec2 modify-instance-metadata-options --http-put-response-hop-limit 2)"
kill -- -"$silent_pid" 2>/dev/null
wait "$silent_pid" 2>/dev/null
test_end

test_begin imds_fixture_speaks_the_real_protocol
# Without a token the fixture refuses, as IMDSv2-only instances do.
check_eq "GET without a token" "$(curl -s -o /dev/null -w '%{http_code}' "$IMDS/latest/meta-data/instance-id")" 401
check_eq "PUT without a TTL" "$(curl -s -o /dev/null -w '%{http_code}' -X PUT "$IMDS/latest/api/token")" 400
tok=$(curl -s -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' "$IMDS/latest/api/token")
check_eq "a tag" "$(curl -s -H "X-aws-ec2-metadata-token: $tok" "$IMDS/latest/meta-data/tags/instance/EnclaveName")" "tsmdemo-0"
check_eq "the tag list" "$(curl -s -H "X-aws-ec2-metadata-token: $tok" "$IMDS/latest/meta-data/tags/instance" | tr '\n' ' ')" "CONFIG_SSM_PARAM EnclaveName"
check_eq "a wrong token" "$(curl -s -o /dev/null -w '%{http_code}' -H 'X-aws-ec2-metadata-token: forged' "$IMDS/latest/meta-data/instance-id")" 401
if command -v aws >/dev/null; then
	# The aws CLI finds the same role credentials through the fixture.
	out=$(env AWS_EC2_METADATA_SERVICE_ENDPOINT="$IMDS" AWS_DEFAULT_REGION=us-east-1 \
		AWS_CONFIG_FILE="$TMP/none" AWS_SHARED_CREDENTIALS_FILE="$TMP/none" \
		timeout 20 aws configure list 2>&1)
	check_contains "aws CLI: credentials from the instance role" "$out" "iam-role"
	check_contains "aws CLI: a key from it" "$out" "****************0"
	check_contains "aws CLI asked for a token too" "$(cat "$TMP/imds.log")" "PUT /latest/api/token"
else
	fail "the aws CLI is not installed: the fixture is not checked against it"
fi
test_end

summary
