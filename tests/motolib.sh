# moto_server helpers for tests (source after lib.sh).
#
#   moto_start            moto_server on a free loopback port, signatures
#                         checked after three free calls (MOTO_FREE_CALLS,
#                         when more are spent first, as tests/moto_roles.py
#                         does); sets MOTO_PID and exports AWS_ENDPOINT_URL
#   moto_signed_user DIR  spends the three free calls on a user, its policy
#                         (every service bvops calls) and its key, and
#                         exports that key: from then on only requests
#                         signed with it pass
#   moto_user NAME ACTIONS DIR
#                         another user allowed only ACTIONS (a JSON list);
#                         its key in USER_KEY and USER_SECRET
#   moto_stop
#   aws_test_env DIR      a clean AWS environment in a scratch HOME (DIR);
#                         exits with a failed count when moto or the aws
#                         CLI is missing

MOTO_PID=""

aws_test_env() {
	unset AWS_PROFILE AWS_SESSION_TOKEN AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE \
		AWS_EC2_METADATA_SERVICE_ENDPOINT AWS_ENDPOINT_URL_SSM BVOPS_FLEET AWS_CA_BUNDLE
	export HOME="$1" AWS_EC2_METADATA_DISABLED=true AWS_REGION=us-east-1 \
		AWS_DEFAULT_REGION=us-east-1 # the aws CLI (v1) reads only the latter
	if ! command -v moto_server >/dev/null || ! command -v aws >/dev/null; then
		echo "moto_server and the aws CLI are needed (make deps: tests/requirements.txt)"
		echo "0 passed, 1 failed"
		exit 1
	fi
}

# json_key FILE: AccessKeyId and SecretAccessKey of a CreateAccessKey answer.
json_key() {
	python3 -c 'import json,sys; k=json.load(open(sys.argv[1]))["AccessKey"]; print(k["AccessKeyId"], k["SecretAccessKey"])' "$1"
}

moto_user() {
	aws iam create-user --user-name "$1" >/dev/null
	aws iam put-user-policy --user-name "$1" --policy-name only --policy-document \
		"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":$2,\"Resource\":\"*\"}]}"
	aws iam create-access-key --user-name "$1" >"$3/$1.json"
	read -r USER_KEY USER_SECRET < <(json_key "$3/$1.json")
}

moto_start() {
	local log=$1
	MOTO_PORT=$(free_port)
	INITIAL_NO_AUTH_ACTION_COUNT=${MOTO_FREE_CALLS:-3} moto_server -H 127.0.0.1 -p "$MOTO_PORT" >"$log" 2>&1 &
	MOTO_PID=$!
	wait_port "$MOTO_PORT" || { echo "moto_server did not start"; cat "$log"; return 1; }
	export AWS_ENDPOINT_URL="http://127.0.0.1:$MOTO_PORT"
}

moto_signed_user() {
	local dir=$1
	AWS_ACCESS_KEY_ID=anything AWS_SECRET_ACCESS_KEY=anything aws iam create-user --user-name bvops >/dev/null
	AWS_ACCESS_KEY_ID=anything AWS_SECRET_ACCESS_KEY=anything aws iam put-user-policy --user-name bvops \
		--policy-name ops --policy-document \
		'{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ssm:*","s3:*","sts:*","iam:*","kms:*","cloudformation:*","monitoring:*","ec2:*"],"Resource":"*"}]}'
	AWS_ACCESS_KEY_ID=anything AWS_SECRET_ACCESS_KEY=anything aws iam create-access-key --user-name bvops >"$dir/key.json"
	read -r AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY < <(json_key "$dir/key.json")
	export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
	# The tests' own scripts that bvops runs (an editor, a node's command
	# making "someone else's change") reach AWS as an operator's would:
	# through the profile file, since bvops hands its children no AWS
	# secrets in their environment.
	mkdir -p "$HOME/.aws"
	printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
		"$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" >"$HOME/.aws/credentials"
}

moto_stop() {
	[ -n "$MOTO_PID" ] && kill "$MOTO_PID" 2>/dev/null && wait "$MOTO_PID" 2>/dev/null
	MOTO_PID=""
}
