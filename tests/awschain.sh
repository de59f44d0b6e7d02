#!/usr/bin/env bash
# The AWS credential chain as the SDKs and the aws CLI run it, on the same
# files: the shared files read as botocore reads them, roles assumed
# through STS (moto, signatures checked), web identity, credential_process,
# the container endpoint and IAM Identity Center (a fixture:
# tests/imds/creds_fixture.py). Secrets never printed.
# usage: tests/awschain.sh AWS_CREDS_BINARY AWS_CALL_BINARY
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
. tests/motolib.sh
B=$(realpath "$1")
CALL=$(realpath "$2")
TMP=$(mktemp -d)
FIX_PID=""
cleanup() {
	[ -n "$FIX_PID" ] && kill "$FIX_PID" 2>/dev/null && wait "$FIX_PID" 2>/dev/null
	moto_stop
	[ -n "${MOTO2_PID:-}" ] && kill "$MOTO2_PID" 2>/dev/null && wait "$MOTO2_PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
aws_test_env "$TMP/home"
unset AWS_REGION AWS_DEFAULT_REGION AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE \
	AWS_CONTAINER_CREDENTIALS_FULL_URI AWS_CONTAINER_CREDENTIALS_RELATIVE_URI \
	AWS_CONTAINER_AUTHORIZATION_TOKEN AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
mkdir -p "$HOME/.aws"
moto_start "$TMP/moto.log" || exit 1
export AWS_DEFAULT_REGION=us-east-1 # for the aws CLI's own calls below
moto_signed_user "$TMP"
BASE_KEY=$AWS_ACCESS_KEY_ID
BASE_SECRET=$AWS_SECRET_ACCESS_KEY
unset AWS_DEFAULT_REGION
# The role every profile below assumes, allowed to read parameters.
trust='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":["sts:AssumeRole","sts:AssumeRoleWithWebIdentity"]}]}'
ROLE=$(AWS_DEFAULT_REGION=us-east-1 aws iam create-role --role-name tsm-ops \
	--assume-role-policy-document "$trust" --query Role.Arn --output text)
AWS_DEFAULT_REGION=us-east-1 aws iam put-role-policy --role-name tsm-ops --policy-name p \
	--policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ssm:*","sts:*"],"Resource":"*"}]}'
AWS_DEFAULT_REGION=us-east-1 aws ssm put-parameter --name /tsm/chain --value reached --type String >/dev/null
# From here on bvops finds credentials by itself.
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
printf '[base]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$BASE_KEY" "$BASE_SECRET" \
	>"$HOME/.aws/credentials"

# region_of ENV...: the region bvops reads, and the aws CLI's, side by side.
region_pair() {
	local mine theirs
	mine=$(env "$@" "$B" 2>/dev/null | sed -n 's/^region=//p')
	theirs=$(env "$@" aws configure get region 2>/dev/null)
	printf '%s|%s' "$mine" "$theirs"
}

test_begin shared_files_read_as_the_aws_cli_reads_them
cat >"$HOME/.aws/config" <<'INI'
[profile default]
region = eu-north-1
INI
check_eq "[profile default] alone" "$(region_pair AWS_EC2_METADATA_DISABLED=true)" "eu-north-1|eu-north-1"
cat >"$HOME/.aws/config" <<'INI'
[profile default]
region = eu-west-1
[default]
region = us-east-2
[profile x]
Region: ap-south-1
[profile c]
region = eu-west-3 # a comment is part of the value, as in botocore
INI
check_eq "[default] before [profile default]" "$(region_pair)" "us-east-2|us-east-2"
check_eq "any case, ':' as well as '='" "$(region_pair AWS_PROFILE=x)" "ap-south-1|ap-south-1"
check_eq "no inline comments" "$(region_pair AWS_PROFILE=c)" "eu-west-3 # a comment is part of the value, as in botocore|eu-west-3 # a comment is part of the value, as in botocore"
mkdir -p "$HOME/cfgs"
printf '[default]\nregion = sa-east-1\n' >"$HOME/cfgs/one"
check_eq "~ in AWS_CONFIG_FILE" "$(region_pair 'AWS_CONFIG_FILE=~/cfgs/one')" "sa-east-1|sa-east-1"
test_end

cfg() { cat >"$HOME/.aws/config"; }

test_begin role_assumed_through_sts_from_a_source_profile
cfg <<INI
[profile ops]
role_arn = $ROLE
source_profile = base
region = us-east-1
duration_seconds = 1800

[profile chain]
role_arn = $ROLE
source_profile = ops
region = us-east-1

[profile self]
role_arn = $ROLE
source_profile = self
aws_access_key_id = $BASE_KEY
aws_secret_access_key = $BASE_SECRET
region = us-east-1
INI
# The self profile's keys in the config file only.
run env AWS_PROFILE=ops "$B"
check_eq "exit" "$RC:$ERR" "0:"
check_contains "the role" "$OUT" "source=profile ops (role $ROLE)"
check_contains "session credentials" "$OUT" "token=yes"
check_contains "temporary keys" "$OUT" "key=ASIA"
exp=$(printf '%s\n' "$OUT" | sed -n 's/^expires_in=//p')
[ "${exp:-0}" -gt 1700 ] && [ "${exp:-0}" -le 1800 ] || fail "duration_seconds honoured: $exp"
run env AWS_PROFILE=ops "$CALL" ssm-get /tsm/chain
check_eq "a call signed with the role's credentials" "$RC:$OUT" "0:reached"
check_contains "the aws CLI assumes the same role" \
	"$(AWS_PROFILE=ops aws sts get-caller-identity --query Arn --output text 2>&1)" "assumed-role/tsm-ops"
run env AWS_PROFILE=chain "$CALL" ssm-get /tsm/chain
check_eq "a role from a role" "$RC:$OUT" "0:reached"
run env AWS_PROFILE=self "$CALL" ssm-get /tsm/chain
check_eq "a profile its own source" "$RC:$OUT" "0:reached"
test_end

test_begin role_profiles_that_cannot_work_say_where
cfg <<INI
[profile nosrc]
role_arn = $ROLE
[profile badsrc]
role_arn = $ROLE
credential_source = Kerberos
[profile emptysrc]
role_arn = $ROLE
source_profile = nobody
[profile envsrc]
role_arn = $ROLE
credential_source = Environment
region = us-east-1
INI
run env AWS_PROFILE=nosrc "$B"
check_eq "exit" "$RC" 3
check_contains "names the file and the key" "$ERR" "$HOME/.aws/config: [profile nosrc] role_arn = $ROLE needs source_profile, credential_source or web_identity_token_file"
run env AWS_PROFILE=badsrc "$B"
check_contains "an unknown credential_source" "$ERR" "$HOME/.aws/config: [profile badsrc] credential_source = Kerberos: bvops knows Environment, Ec2InstanceMetadata and EcsContainer"
run env AWS_PROFILE=emptysrc "$B"
check_contains "a source without credentials" "$ERR" "[profile emptysrc] source_profile = nobody: that profile has no credentials"
run env AWS_PROFILE=envsrc AWS_ACCESS_KEY_ID="$BASE_KEY" AWS_SECRET_ACCESS_KEY="$BASE_SECRET" "$CALL" ssm-get /tsm/chain
check_eq "credential_source = Environment" "$RC:$OUT" "0:reached"
test_end

test_begin web_identity_from_the_profile_and_the_environment
# AssumeRoleWithWebIdentity is unsigned, as AWS has it; a moto that checks
# signatures cannot take an unsigned call (it fails with a 500), so these
# run on a second moto that checks none.
MOTO2_PORT=$(free_port)
moto_server -H 127.0.0.1 -p "$MOTO2_PORT" >"$TMP/moto2.log" 2>&1 &
MOTO2_PID=$!
wait_port "$MOTO2_PORT" || fail "the second moto did not start"
MAIN_ENDPOINT=$AWS_ENDPOINT_URL
export AWS_ENDPOINT_URL="http://127.0.0.1:$MOTO2_PORT"
AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=us-east-1 \
	aws ssm put-parameter --name /tsm/chain --value reached --type String >/dev/null
printf 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0c20ifQ.c2ln\n' >"$HOME/token"
cfg <<INI
[profile wi]
role_arn = $ROLE
web_identity_token_file = ~/token
region = us-east-1
INI
run env AWS_PROFILE=wi "$B"
check_eq "exit" "$RC:$ERR" "0:"
check_contains "from the profile" "$OUT" "source=profile wi (role $ROLE)"
check_contains "session credentials" "$OUT" "token=yes"
: >"$HOME/.aws/config"
run env AWS_ROLE_ARN="$ROLE" AWS_WEB_IDENTITY_TOKEN_FILE="$HOME/token" AWS_REGION=us-east-1 "$CALL" ssm-get /tsm/chain
check_eq "from AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE" "$RC:$OUT" "0:reached"
run env AWS_ROLE_ARN="$ROLE" AWS_WEB_IDENTITY_TOKEN_FILE="$HOME/no-token" "$B"
check_eq "a missing token file: exit" "$RC" 3
check_contains "says which" "$ERR" "$HOME/no-token"
kill "$MOTO2_PID" 2>/dev/null
wait "$MOTO2_PID" 2>/dev/null
export AWS_ENDPOINT_URL=$MAIN_ENDPOINT
test_end

test_begin credential_process_as_the_sdks_run_it
cat >"$HOME/creds.sh" <<SH
#!/bin/sh
echo run >>"$TMP/proc.log"
printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s", "Expiration": "2099-01-01T00:00:00Z"}\n' "$BASE_KEY" "$BASE_SECRET"
SH
chmod +x "$HOME/creds.sh"
printf '#!/bin/sh\necho "no session: run aws-vault login" >&2\nexit 4\n' >"$HOME/fails.sh"
chmod +x "$HOME/fails.sh"
printf '#!/bin/sh\necho "{\\"Version\\": 2}"\n' >"$HOME/v2.sh"
chmod +x "$HOME/v2.sh"
cfg <<INI
[profile proc]
credential_process = $HOME/creds.sh --profile x
region = us-east-1
[profile failing]
credential_process = $HOME/fails.sh
[profile v2]
credential_process = $HOME/v2.sh
INI
run env AWS_PROFILE=proc "$CALL" ssm-get /tsm/chain
check_eq "its keys sign the call" "$RC:$OUT" "0:reached"
run env AWS_PROFILE=proc "$B"
check_contains "said where from" "$OUT" "source=profile proc (credential_process)"
check_contains "with its expiry" "$OUT" "stale=no"
run env AWS_PROFILE=failing "$B"
check_eq "a failing process: exit" "$RC" 3
check_contains "its own words" "$ERR" "profile failing: credential_process exited 4: no session: run aws-vault login"
run env AWS_PROFILE=v2 "$B"
check_contains "another Version" "$ERR" "credential_process printed no JSON with \"Version\": 1"
test_end

python3 tests/imds/creds_fixture.py --port-file "$TMP/fix.port" --auth container-auth-token \
	--sso-token sso-access-token --log "$TMP/fix.log" &
FIX_PID=$!
for i in $(seq 100); do [ -s "$TMP/fix.port" ] && break; tick 0.05; done
FIX="http://127.0.0.1:$(cat "$TMP/fix.port")"
: >"$HOME/.aws/config"
: >"$HOME/.aws/credentials"

test_begin container_credentials_with_their_token
printf 'container-auth-token\n' >"$HOME/ctoken"
run env AWS_CONTAINER_CREDENTIALS_FULL_URI="$FIX/creds" AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$HOME/ctoken" "$B"
check_eq "exit" "$RC:$ERR" "0:"
check_contains "from the container endpoint" "$OUT" "source=container"
check_contains "its key" "$OUT" "key=ASIACONTAINER"
check_contains "its expiry" "$OUT" "stale=no"
run env AWS_CONTAINER_CREDENTIALS_FULL_URI="$FIX/creds" AWS_CONTAINER_AUTHORIZATION_TOKEN=container-auth-token "$B"
check_contains "the token from the environment" "$OUT" "key=ASIACONTAINER"
run env AWS_CONTAINER_CREDENTIALS_FULL_URI="$FIX/creds" AWS_CONTAINER_AUTHORIZATION_TOKEN=wrong "$B"
check_eq "a wrong token: exit" "$RC" 3
check_contains "refused" "$ERR" "container credentials ($FIX/creds): HTTP 401"
check_contains "the aws CLI finds them too" \
	"$(env AWS_CONTAINER_CREDENTIALS_FULL_URI="$FIX/creds" AWS_CONTAINER_AUTHORIZATION_TOKEN=container-auth-token AWS_DEFAULT_REGION=us-east-1 aws configure list 2>&1)" "container-role"
check_not_contains "no secret printed" "$OUT$ERR" "container-secret"
test_end

test_begin sso_role_credentials_from_the_token_cache
cfg <<'INI'
[profile sso]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = TsmOperator
region = us-east-1

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile half]
sso_session = corp
sso_role_name = TsmOperator
INI
mkdir -p "$HOME/.aws/sso/cache"
sha=$(printf '%s' corp | sha1sum | cut -d' ' -f1)
printf '{"accessToken": "sso-access-token", "expiresAt": "2099-01-01T00:00:00Z", "region": "eu-west-1"}\n' \
	>"$HOME/.aws/sso/cache/$sha.json"
run env AWS_PROFILE=sso AWS_ENDPOINT_URL_SSO="$FIX" "$B"
check_eq "exit" "$RC:$ERR" "0:"
check_contains "through the portal" "$OUT" "source=profile sso (SSO 123456789012, TsmOperator)"
check_contains "the role's key" "$OUT" "key=ASIASSO9012"
check_contains "asked for that account and role" "$(cat "$TMP/fix.log")" "sso 123456789012 TsmOperator"
run env AWS_PROFILE=half AWS_ENDPOINT_URL_SSO="$FIX" "$B"
check_contains "a missing setting named with its file" "$ERR" "$HOME/.aws/config: [profile half] has no sso_account_id"
printf '{"accessToken": "sso-access-token", "expiresAt": "2020-01-01T00:00:00Z"}\n' >"$HOME/.aws/sso/cache/$sha.json"
run env AWS_PROFILE=sso AWS_ENDPOINT_URL_SSO="$FIX" "$B"
check_contains "an expired token: sign in again" "$ERR" "has expired: sign in again with aws sso login --sso-session corp"
rm -f "$HOME/.aws/sso/cache/$sha.json"
run env AWS_PROFILE=sso AWS_ENDPOINT_URL_SSO="$FIX" "$B"
check_contains "no token yet" "$ERR" "sign in with aws sso login --sso-session corp"
test_end

summary
