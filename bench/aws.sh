#!/usr/bin/env bash
# AWS calls against the aws CLI, side by side, on moto_server (loopback):
#  - a node's config.toml, found and fetched: `bvops config get --raw`
#    against the operations guide's script (aws ssm get-parameter twice,
#    aws s3 cp), both given the instance's tags;
#  - the nitro status of 100 nodes: bvops's one GetMetricData call
#    against `aws cloudwatch get-metric-data` with the same 100 queries.
# Wall time per run, the mean of several.
# usage: bench/aws.sh BUILD
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-build}
. tests/lib.sh
. tests/motolib.sh
TMP=$(mktemp -d)
trap 'moto_stop; rm -rf "$TMP"' EXIT
if ! command -v moto_server >/dev/null || ! command -v aws >/dev/null; then
	echo "aws: moto_server or the aws CLI missing: skipped"
	exit 0
fi
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE
export HOME="$TMP" AWS_EC2_METADATA_DISABLED=true AWS_REGION=us-east-1 \
	AWS_DEFAULT_REGION=us-east-1 AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench
MOTO_PORT=$(free_port)
moto_server -H 127.0.0.1 -p "$MOTO_PORT" >"$TMP/moto.log" 2>&1 &
MOTO_PID=$!
wait_port "$MOTO_PORT" || exit 1
export AWS_ENDPOINT_URL="http://127.0.0.1:$MOTO_PORT"
python3 demo/aws_seed.py --endpoint "$AWS_ENDPOINT_URL" --fleet bench --nodes 1 >/dev/null
printf '[fleet]\nname = "bench"\nregion = "us-east-1"\n[[node]]\nname = "node-0"\nindex = 0\nping_url = "http://127.0.0.1:9/ping"\nconfig_ssm_param = "/bench/node-0/config"\nenclave_name = "bench-0"\n' >"$TMP/fleet.toml"

# mean_ms N CMD...: mean wall time of N runs, in ms.
mean_ms() {
	local n=$1 t0 t1
	shift
	t0=$(date +%s%N)
	for _ in $(seq "$n"); do "$@" >/dev/null 2>&1; done
	t1=$(date +%s%N)
	echo $(((t1 - t0) / n / 1000000))
}
guide_script() {
	local shard bucket region
	shard=$(aws ssm get-parameter --name /bench/node-0/config --query Parameter.Value --output text |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["SHARD_SSM_PARAM_ARN"])')
	region=$(echo "$shard" | cut -d: -f4)
	bucket=$(aws ssm get-parameter --name "$shard" --region "$region" --query Parameter.Value --output text |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["CONFIG_BUCKET"])')
	aws s3 cp "s3://$bucket/bench-0/config.toml" - --region "$region"
}
cmp <("$BUILD/bvops" -f "$TMP/fleet.toml" config get node-0 --raw) <(guide_script) ||
	echo "warning: bvops and the guide's script fetched different bytes"
b=$(mean_ms 10 "$BUILD/bvops" -f "$TMP/fleet.toml" config get node-0 --raw)
g=$(mean_ms 5 guide_script)
printf '%-44s %8s %10s %8s\n' "AWS (moto on loopback)" "bvops" "aws CLI" "ratio"
printf '%-44s %6s ms %7s ms %7s\n' "config.toml: SSM, SSM (other region), S3" "$b" "$g" \
	"$(awk -v a="$g" -v b="$b" 'BEGIN { printf "%.1fx", a / (b ? b : 1) }')"

# 100 nodes' nitro status: one GetMetricData each way.
python3 - "$AWS_ENDPOINT_URL" <<'PY'
import sys, boto3
cw = boto3.client("cloudwatch", region_name="us-east-1", endpoint_url=sys.argv[1])
for k in range(0, 100, 20):
    cw.put_metric_data(Namespace="BuilderVault", MetricData=[
        {"MetricName": "NitroStatus", "Value": 1.0,
         "Dimensions": [{"Name": "EnclaveName", "Value": "bench-%d" % i}]}
        for i in range(k, k + 20)])
PY
dims=$(for i in $(seq 0 99); do printf 'bench-%d ' "$i"; done)
python3 - "$TMP/queries.json" <<'PY'
import json, sys
q = [{"Id": "m%d" % i, "ReturnData": True, "MetricStat": {
      "Metric": {"Namespace": "BuilderVault", "MetricName": "NitroStatus",
                 "Dimensions": [{"Name": "EnclaveName", "Value": "bench-%d" % i}]},
      "Period": 60, "Stat": "Minimum"}} for i in range(100)]
json.dump(q, open(sys.argv[1], "w"))
PY
start=$(date -u -d '-15 min' +%Y-%m-%dT%H:%M:%SZ)
end=$(date -u -d '+1 min' +%Y-%m-%dT%H:%M:%SZ)
# shellcheck disable=SC2086
[ "$("$BUILD/tests/aws_call" cw-latest BuilderVault NitroStatus EnclaveName $dims | grep -vc ' none$')" = 100 ] ||
	echo "warning: bvops did not read 100 values"
# shellcheck disable=SC2086
b=$(mean_ms 10 "$BUILD/tests/aws_call" cw-latest BuilderVault NitroStatus EnclaveName $dims)
c=$(mean_ms 5 aws cloudwatch get-metric-data --metric-data-queries "file://$TMP/queries.json" \
	--start-time "$start" --end-time "$end")
printf '%-44s %6s ms %7s ms %7s\n' "nitro status of 100 nodes: GetMetricData" "$b" "$c" \
	"$(awk -v a="$c" -v b="$b" 'BEGIN { printf "%.1fx", a / (b ? b : 1) }')"
echo "ratio = aws CLI wall time / bvops wall time (higher is faster)"
