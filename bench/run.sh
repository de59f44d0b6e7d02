#!/usr/bin/env bash
# Benchmarks, run side by side with the programs they are compared to.
# TOML: bvops's parser against Python's tomllib (C-accelerated parts aside,
# the reference parser most operators have), on the same generated
# config.toml files, CPU time per parse.
# usage: bench/run.sh BUILD
set -eu
cd "$(dirname "$0")/.."
BUILD=${1:-build}
B="$BUILD/bench/toml_parse"
mkdir -p "$BUILD/bench"
py=""
if command -v python3 >/dev/null &&
	python3 -c 'import tomllib' 2>/dev/null; then
	py=python3
fi
printf '%-28s %10s %12s %12s %12s %8s\n' "config.toml" "bytes" \
	"bvops us" "tomllib us" "edit us" "ratio"
for players in 3 100 2000; do
	f="$BUILD/bench/config-$players.toml"
	"$B" --generate "$players" >"$f"
	iters=$((20000 / players + 20))
	out=$("$B" "$f" "$iters")
	bytes=$(echo "$out" | awk '/^bytes/ {print $2}')
	us=$(echo "$out" | awk '/^parse_us/ {print $2}')
	edit=$(echo "$out" | awk '/^edit_us/ {print $2}')
	pyus="n/a" ratio="n/a"
	if [ -n "$py" ]; then
		pyus=$("$py" - "$f" "$iters" <<'PY'
import sys, time, tomllib
data = open(sys.argv[1], "rb").read().decode()
n = int(sys.argv[2])
t = time.process_time()
for _ in range(n):
    tomllib.loads(data)
print("%.1f" % ((time.process_time() - t) * 1e6 / n))
PY
)
		ratio=$(awk -v a="$pyus" -v b="$us" 'BEGIN { printf "%.1fx", a / b }')
	fi
	printf '%-28s %10s %12s %12s %12s %8s\n' "$players players" "$bytes" \
		"$us" "$pyus" "$edit" "$ratio"
done
echo "ratio = tomllib CPU time / bvops CPU time per parse (higher is faster)"
