#!/usr/bin/env bash
# Every node's KMS stack in its own AWS account, as the KMS-stack
# documentation recommends: three nodes, each one's stack, SSM parameters
# and config bucket in account 111111111111, 222222222222 or 333333333333
# of moto_server (signatures checked), reached through a role of that
# account (aws_role_arn, or a profile that assumes it). The shared state
# is in the operator's own account. config get, edit and lint, debug
# enter and exit, ers apply and revert, doctor's kms-pins; each change
# checked to land in its account and nowhere else. Then an operator who
# can reach only some nodes, bvops access, --dry-run, --profile, --region
# and --debug.
# usage: tests/accounts.sh BVOPS_BINARY
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
. tests/simlib.sh
. tests/motolib.sh
. tests/proclib.sh
B=$(realpath "$1")
ACCOUNTS=111111111111,222222222222,333333333333
PROC_KMS=1 PROC_ACCOUNTS=$ACCOUNTS proc_world tsm 3
# The operator's own account holds the fleet's shared state.
aws s3 mb s3://tsm-fleet-state --region us-east-1 >/dev/null
sed -i 's|^region = "us-east-1"$|region = "us-east-1"\nstate = "s3://tsm-fleet-state/bvops"|' "$F"
bv() { run setsid -w "$B" -f "$F" "$@"; }
# as_node I CMD...: CMD as node I's account's role.
as_node() {
	local i=$1
	shift
	as_role "$(seed "$i" role_arn)" "$@"
}
stored() { as_node "$1" aws s3 cp "s3://$(seed "$1" bucket)/tsm-$1/config.toml" - --region eu-west-1 2>/dev/null; }
# (moto checks no signature of a listing with a '/' in its prefix: filtered here.)
versions() { as_node "$1" aws s3api list-object-versions --bucket "$(seed "$1" bucket)" --region eu-west-1 --query "length(Versions[?Key=='tsm-$1/config.toml'])" --output text; }
backups() { as_node "$1" aws s3api list-objects-v2 --bucket "$(seed "$1" bucket)" --region eu-west-1 --query "Contents[?starts_with(Key, 'backups/')].Key" --output text; }
policy() { as_node "$1" aws kms get-key-policy --key-id "$(seed "$1" key)" --policy-name default --region eu-west-1 --query Policy --output text; }
ZERO=$(printf '0%.0s' $(seq 96))
ORIG0=$(stored 0)
ORIG1=$(stored 1)
ORIG2=$(stored 2)
P0=$(policy 0)
P1=$(policy 1)
P2=$(policy 2)
# editor NAME BODY: a script that plays the operator's editor.
editor() {
	printf '#!/bin/sh\n%s\n' "$2" >"$TMP/ed-$1"
	chmod +x "$TMP/ed-$1"
	echo "$TMP/ed-$1"
}

# An operator who reaches node-0 and node-2 only: node-1's profile is not
# on this host (later node-2's profile assumes its role from a user that
# may not).
F2="$TMP/partial.toml"
sed 's|^aws_role_arn = "arn:aws:iam::222222222222:role/tsm-node-1-admin"$|aws_profile = "node-1-admin"|' "$F" >"$F2"

test_begin each_node_lives_in_its_own_account
for i in 0 1 2; do
	check_contains "node-$i's config, read as its role" "$(stored "$i")" "Index = $i"
done
check_eq "a stack's parameter is not in the operator's account" \
	"$(aws ssm get-parameter --name /tsm/node-1/config 2>&1 >/dev/null | grep -c ParameterNotFound)" 1
check_eq "nor in another node's" \
	"$(as_node 0 aws ssm get-parameter --name /tsm/node-1/config 2>&1 >/dev/null | grep -c ParameterNotFound)" 1
test_end

test_begin config_get_reads_each_node_as_its_identity
for i in 0 1 2; do
	bv config get "node-$i"
	check_eq "node-$i: exit" "$RC" 0
	check_contains "node-$i: its own config" "$OUT" "Index = $i"
done
bv config get node-1 --where
check_contains "the bucket of node-1's account" "$OUT" "s3://tsm-222222222222-eu-west-1-node-1-bucket/tsm-1/config.toml"
test_end

test_begin debug_traces_every_request_and_no_secret
run setsid -w "$B" -f "$F" --debug config get node-1
check_eq "exit" "$RC" 0
T=$(printf '%s\n' "$ERR" | grep '^bvops aws: ')
check_contains "the role assumed" "$T" "STS AssumeRole arn:aws:iam::222222222222:role/tsm-node-1-admin | POST / | region us-east-1 | as the source credentials | HTTP 200 | request-id "
check_contains "the SSM call: service and action, region, identity, status" "$T" "SSM GetParameter parameter /tsm/node-1/config (us-east-1) | POST / | region us-east-1 | as 222222222222 arn:aws:sts::222222222222:assumed-role/tsm-node-1-admin/"
check_contains "the S3 call: method and path" "$T" "S3 GetObject s3://tsm-222222222222-eu-west-1-node-1-bucket/tsm-1/config.toml | GET /tsm-222222222222-eu-west-1-node-1-bucket/tsm-1/config.toml | region eu-west-1 | as 222222222222"
check_eq "every node-1 call as its account" "$(printf '%s\n' "$T" | grep -v 'STS ' | grep -vc '| as 222222222222 ')" 0
check_eq "each line: status, request id, attempt, duration" \
	"$(printf '%s\n' "$T" | grep -cvE '\| HTTP [0-9]{3} \| request-id [A-Za-z0-9-]+ \| attempt [0-9]+ \| [0-9]+ ms$')" 0
check_not_contains "no secret key" "$ERR" "$AWS_SECRET_ACCESS_KEY"
check_not_contains "no access key" "$ERR" "$AWS_ACCESS_KEY_ID"
check_not_contains "no signature" "$ERR" "Signature="
check_not_contains "no credential scope" "$ERR" "Credential="
check_not_contains "no session token" "$ERR" "Token"
check_not_contains "no object body" "$ERR" "Index = 1"
check_not_contains "no secret of the config" "$ERR" "PrivateKey"
test_end

test_begin config_edit_lands_in_the_node_account_only
ED=$(editor port 'sed -i "s/^Port = 8080/Port = 8081/" "$1"')
run setsid -w env EDITOR="$ED" "$B" -f "$F" config edit node-1 --yes
check_eq "exit" "$RC:$ERR" "0:"
check_contains "node-1 has the change" "$(stored 1)" "Port = 8081"
check_eq "a new version in node-1's bucket" "$(versions 1)" 2
check_eq "node-0 untouched" "$(stored 0)" "$ORIG0"
check_eq "node-2 untouched" "$(stored 2)" "$ORIG2"
check_eq "no new version in node-0's bucket" "$(versions 0)" 1
check_eq "no new version in node-2's bucket" "$(versions 2)" 1
id=$(ls "$STATE/procedures" | grep 'config-edit' | head -1 | sed 's/.jsonl$//')
bkey=$(backups 1)
check_contains "a backup in node-1's bucket" "$bkey" "backups/tsm-1/config.toml."
check_eq "the text as it was" "$(as_node 1 aws s3 cp "s3://$(seed 1 bucket)/$bkey" - --region eu-west-1)" "$ORIG1"
check_eq "no backup in node-0's bucket" "$(backups 0)" ""
check_eq "nor in node-2's" "$(backups 2)" ""
check_contains "the journal copied to the operator's account" \
	"$(aws s3api list-objects-v2 --bucket tsm-fleet-state --query 'Contents[].Key' --output text)" "journals/$id/"
test_end

test_begin config_lint_reads_every_account
bv config lint
check_not_contains "every config read" "$OUT$ERR" "could not be read"
check_eq "exit" "$RC" 0
run "$B" -f "$F2" config lint
check_contains "one it cannot read, said why" "$ERR" "node-1: its config could not be read: no AWS access: profile node-1-admin"
test_end

test_begin debug_enter_and_exit_in_the_node_account
bv debug enter node-2 --yes --no-console
check_eq "enter" "$RC:$ERR" "0:"
check_contains "node-2's key policy has the zero PCR8" "$(policy 2)" "\"kms:RecipientAttestation:PCR8\": \"$ZERO\""
check_eq "node-0's policy untouched" "$(policy 0)" "$P0"
check_eq "node-1's policy untouched" "$(policy 1)" "$P1"
id=$(ls "$STATE/procedures" | grep 'debug-enter' | head -1 | sed 's/.jsonl$//')
check_eq "the policy's backup in node-2's bucket" \
	"$(as_node 2 aws s3 cp "s3://$(seed 2 bucket)/backups/kms-policy/tsm-2.$id.json" - --region eu-west-1)" "$P2"
bv debug exit node-2 --yes --wait 20s
check_eq "exit" "$RC:$ERR" "0:"
check_eq "node-2's policy byte for byte" "$(policy 2)" "$P2"
test_end

test_begin doctor_reads_each_key_policy_as_its_node
for i in 0 2; do
	bv doctor "node-$i"
	check_contains "node-$i: kms-pins" "$(printf '%s\n' "$OUT" | grep kms-pins)" "ok    kms-pins         the key policy pins PCR8"
	check_contains "node-$i: whose" "$(printf '%s\n' "$OUT" | grep aws-access)" "ok    aws-access       as role arn:aws:iam::$(seed "$i" account):role/tsm-node-$i-admin (account $(seed "$i" account)"
done
test_end

test_begin ers_apply_and_revert_across_three_accounts
bv ers apply --preset enable-ers-export --dry-run
check_eq "dry run" "$RC" 0
check_contains "the identities said" "$OUT" "AWS calls as:
  node-0: role arn:aws:iam::111111111111:role/tsm-node-0-admin (account 111111111111)
  node-1: role arn:aws:iam::222222222222:role/tsm-node-1-admin (account 222222222222)
  node-2: role arn:aws:iam::333333333333:role/tsm-node-2-admin (account 333333333333)"
before1=$(stored 1)
bv ers apply --preset enable-ers-export --yes --wait 30s --stop-wait 30s
check_eq "apply" "$RC:$ERR" "0:"
for i in 0 1 2; do
	check_contains "node-$i has ERS" "$(stored "$i")" "EnableERSExport = true"
done
bv ers revert --yes --wait 30s
check_eq "revert" "$RC:$ERR" "0:"
check_eq "node-0 byte for byte" "$(stored 0)" "$ORIG0"
check_eq "node-1 byte for byte" "$(stored 1)" "$before1"
check_eq "node-2 byte for byte" "$(stored 2)" "$ORIG2"
test_end

STATE_BEFORE=$(ls "$STATE/procedures" | wc -l)

test_begin a_node_without_access_is_shown_and_the_rest_works
run "$B" -f "$F2" status --json
check_eq "health still checked: exit 0" "$RC" 0
check_eq "node-1: no AWS access, why" "$(json_field "$OUT" 'd["nodes"][1]["aws"]["access"], d["nodes"][1]["aws"]["error"].startswith("no AWS access: profile node-1-admin: no such profile with credentials in ")')" \
	"(False, True)"
check_eq "node-1 still up" "$(json_field "$OUT" 'd["nodes"][1]["status"]')" up
check_eq "node-0: its account" "$(json_field "$OUT" 'd["nodes"][0]["aws"]["access"], d["nodes"][0]["aws"]["account"]')" "(True, '111111111111')"
run "$B" -f "$F2" status
check_contains "the table says it" "$(printf '%s\n' "$OUT" | grep '^node-1')" "no AWS access: profile node-1-admin"
run "$B" -f "$F2" doctor node-1
check_eq "doctor: exit 1" "$RC" 1
check_contains "doctor says it" "$(printf '%s\n' "$OUT" | grep aws-access)" "FAIL  aws-access       no AWS access: profile node-1-admin: no such profile"
check_contains "kms-pins says why it read nothing" "$(printf '%s\n' "$OUT" | grep kms-pins)" "the key policy was not read: no AWS access: profile node-1-admin"
check_contains "the node's own checks still ran" "$OUT" "ok    enclave          node-1 RUNNING"
run setsid -w "$B" -f "$F2" node restart node-1 --yes --wait 20s
check_eq "a restart needs no AWS" "$RC" 0
test_end

test_begin procedures_refuse_before_changing_anything
run setsid -w "$B" -f "$F2" ers apply --preset enable-ers-export --yes
check_eq "ers apply refused" "$RC" 3
check_contains "names the node and why" "$ERR" "node-1: no AWS access: profile node-1-admin: no such profile"
check_contains "nothing changed" "$ERR" "nothing changed"
check_eq "no journal" "$(ls "$STATE/procedures" | wc -l)" "$STATE_BEFORE"
check_eq "node-0's config untouched" "$(stored 0)" "$ORIG0"
run setsid -w "$B" -f "$F2" debug enter node-1 --yes --no-console
check_contains "debug enter refused" "$RC:$ERR" "3:bvops: node-1: no AWS access: profile node-1-admin"
check_eq "node-1's policy untouched" "$(policy 1)" "$P1"
run setsid -w env EDITOR=true "$B" -f "$F2" config edit node-1 --yes
check_contains "config edit refused" "$RC:$ERR" "3:bvops: node-1: no AWS access: profile node-1-admin"
# A profile that assumes node-2's role from a user who may not.
moto_user limited '["s3:GetObject"]' "$TMP"
printf '[limited]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$USER_KEY" "$USER_SECRET" >>"$HOME/.aws/credentials"
printf '[profile node-2-admin]\nrole_arn = %s\nsource_profile = limited\n' "$(seed 2 role_arn)" >>"$HOME/.aws/config"
sed -i 's|^aws_role_arn = "arn:aws:iam::333333333333:role/tsm-node-2-admin"$|aws_profile = "node-2-admin"|' "$F2"
run setsid -w "$B" -f "$F2" ers apply --preset enable-ers-export --yes
check_contains "every node named, a line each" "$ERR" "no AWS access for 2 nodes; nothing changed:
  node-1: no AWS access: profile node-1-admin: no such profile"
check_contains "AccessDenied, said as STS said it" "$ERR" "
  node-2: no AWS access: profile node-2-admin: sts:AssumeRole arn:aws:iam::333333333333:role/tsm-node-2-admin: AccessDenied: User: arn:aws:iam::123456789012:user/limited is not authorized to perform: sts:AssumeRole (HTTP 403)"
check_eq "still no journal" "$(ls "$STATE/procedures" | wc -l)" "$STATE_BEFORE"
test_end

test_begin the_console_details_say_it
SOCK="$TMP/tmux.sock"
tm() { tmux -S "$SOCK" -f /dev/null "$@"; }
tm new-session -d -s t -x 80 -y 24 "env TERM=xterm-256color LANG=C.UTF-8 HOME=$HOME XDG_STATE_HOME=$XDG_STATE_HOME AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY AWS_REGION=$AWS_REGION AWS_EC2_METADATA_DISABLED=true $B -f $F2 --debug"
tmux_expect "$SOCK" t "node-2" 300
tm send-keys -t t j Enter
tmux_expect "$SOCK" t "node-1 (Esc closes)" 300
tmux_expect "$SOCK" t "aws         no AWS access: profile node-1-admin" 300
tm send-keys -t t Escape k Enter
tmux_expect "$SOCK" t "node-0 (Esc closes)" 300
tmux_expect "$SOCK" t "aws         role arn:aws:iam::111111111111:role/tsm-node" 300
tm send-keys -t t q
tm kill-server 2>/dev/null
# The screen is the console's: --debug's trace went to a file.
T=$(cat "$STATE/aws-debug.log")
check_contains "the console's trace" "$T" "bvops aws: STS GetCallerIdentity role arn:aws:iam::111111111111:role/tsm-node-0-admin | POST / | region us-east-1 | "
check_not_contains "no secret in it" "$T" "$AWS_SECRET_ACCESS_KEY"
test_end

test_begin access_says_who_and_what_can_be_read
bv access
check_eq "all there: exit 0" "$RC" 0
check_contains "the shared state, as the operator" "$OUT" "shared state  as the default chain: account 123456789012, arn:aws:iam::123456789012:user/bvops
  ok    state       s3://tsm-fleet-state/bvops/tsm/ (us-east-1; [fleet] state) readable
  ok    lock        the fleet's lock readable"
check_contains "node-1, as its role" "$OUT" "node-1        as role arn:aws:iam::222222222222:role/tsm-node-1-admin: account 222222222222, arn:aws:sts::222222222222:assumed-role/tsm-node-1-admin/"
check_contains "its config" "$OUT" "  ok    config      s3://tsm-222222222222-eu-west-1-node-1-bucket/tsm-1/config.toml (eu-west-1) readable"
check_contains "its versions" "$OUT" "  ok    versions    "
check_contains "its key policy" "$OUT" "  ok    key-policy  ShardKMSKeyNitro of stack tsm-kms-node-1, key $(seed 1 key) (eu-west-1) readable"
run "$B" -f "$F2" access --json
check_eq "one missing: exit 1" "$RC" 1
check_eq "node-1: no access" "$(json_field "$OUT" 'd["nodes"][1]["access"], d["nodes"][1]["error"].startswith("no AWS access: profile node-1-admin: "), d["nodes"][1]["probes"]')" \
	"(False, True, [])"
check_eq "node-0: every probe ok" "$(json_field "$OUT" '[(p["probe"], p["ok"]) for p in d["nodes"][0]["probes"]]')" \
	"[('config', True), ('versions', True), ('key-policy', True)]"
check_eq "the problems counted" "$(json_field "$OUT" 'd["problems"]')" 2
# node-0's admin takes away reading its key policy and versions.
proc_role_narrow 0 '["sts:*","iam:PutRolePolicy","ssm:GetParameter","s3:GetObject","cloudformation:DescribeStackResource"]'
bv access
check_eq "exit 1" "$RC" 1
check_contains "the versions refused" "$OUT" "  FAIL  versions    S3 ListObjectVersions s3://$(seed 0 bucket)/tsm-0/config.toml: AccessDenied"
check_contains "the key policy refused" "$OUT" "  FAIL  key-policy  KMS GetKeyPolicy key $(seed 0 key) (eu-west-1): AccessDenied"
check_contains "said at the end" "$(printf '%s\n' "$OUT" | tail -1)" "2 problems"
proc_role_narrow 0 '"*"'
bv access
check_eq "back: exit 0" "$RC" 0
test_end

test_begin profile_and_region_flags
# --profile NAME: the fleet's identity is that profile, over the
# environment's keys; each role is assumed from it.
printf '[ops]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" >>"$HOME/.aws/credentials"
run setsid -w env AWS_ACCESS_KEY_ID=AKIAWRONGWRONGWRONG1 AWS_SECRET_ACCESS_KEY=wrong "$B" -f "$F" --profile ops config get node-2
check_eq "through the profile" "$RC" 0
check_contains "node-2's config" "$OUT" "Index = 2"
run setsid -w "$B" -f "$F" --profile nope status --json
check_contains "an unknown profile, said per node" "$(json_field "$OUT" 'd["nodes"][0]["aws"]["error"]')" "no AWS access: role arn:aws:iam::111111111111:role/tsm-node-0-admin from profile nope: "
run setsid -w "$B" -f "$F" --region us-west-2 --debug config get node-0
check_eq "no such parameter in us-west-2" "$RC" 3
check_contains "asked there" "$ERR" "SSM GetParameter parameter /tsm/node-0/config (us-west-2) | POST / | region us-west-2"
test_end

test_begin an_external_id_goes_with_the_role
# Recorded by a proxy before STS: the form bvops sends.
sed 's|^aws_role_arn = "arn:aws:iam::111111111111:role/tsm-node-0-admin"$|&\naws_external_id = "tsm-ext-0"|' "$F" >"$TMP/ext.toml"
lost_answer_start /never 0
run setsid -w env AWS_ENDPOINT_URL_STS="$LOST_URL" "$B" -f "$TMP/ext.toml" config get node-0
check_eq "exit" "$RC" 0
check_contains "AssumeRole with it" "$(cat "$LOST_LOG")" "POST / 200 Action=AssumeRole RoleArn=arn:aws:iam::111111111111:role/tsm-node-0-admin ExternalId=tsm-ext-0"
lost_answer_stop
test_end

summary
