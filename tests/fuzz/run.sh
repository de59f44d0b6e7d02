#!/usr/bin/env bash
# Run each libFuzzer target for SECONDS, seeded with the TOML conformance
# files and the example fleets. The corpus grows under build/fuzz/.
# usage: tests/fuzz/run.sh SECONDS TARGET...
set -u
cd "$(dirname "$0")/../.."
secs=$1
shift
suite=${BVOPS_TOML_TEST:-../shared/toml-test}
status=0
for target in "$@"; do
	name=$(basename "$target")
	corpus="build/fuzz/corpus-$name"
	mkdir -p "$corpus"
	if [ -z "$(ls -A "$corpus")" ]; then
		{ find "$suite" demo docs tests/data -name '*.toml'; find tests/data -name '*.json'; } 2>/dev/null |
			while read -r f; do
				cp "$f" "$corpus/$(sha1sum <"$f" | cut -c1-16)"
			done
	fi
	echo "== $name for ${secs}s"
	if ! "$target" -max_total_time="$secs" -max_len=4096 -timeout=10 \
		-print_final_stats=1 -artifact_prefix="build/fuzz/$name-" \
		"$corpus" 2>"build/fuzz/$name.log"; then
		status=1
		tail -40 "build/fuzz/$name.log"
	fi
	grep -E 'stat::number_of_executed_units|Done' "build/fuzz/$name.log" | tail -2
done
exit $status
