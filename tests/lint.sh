#!/usr/bin/env bash
# Style and static checks: clang-format (the house style is .clang-format),
# cppcheck, clang-tidy (.clang-tidy), the layers (tests/layers.py). One
# count per tool.
set -u
cd "$(dirname "$0")/.."
pass=0
fail=0
if [ $# -gt 0 ]; then
	files=("$@")
else
	mapfile -t files < <(find src ui tests -name '*.[ch]' | sort)
fi
cflags="-Isrc -I. -D_GNU_SOURCE -std=c11 $(pkg-config --cflags ncursesw libcurl libcjson libssh2 expat 2>/dev/null)"

if out=$(clang-format --dry-run --Werror "${files[@]}" 2>&1) && [ -z "$out" ]; then
	pass=$((pass + 1))
else
	printf '%s\n' "$out" | head -30
	echo "FAIL clang-format (fix with: clang-format -i FILES)"
	fail=$((fail + 1))
fi

cfiles=()
for f in "${files[@]}"; do
	case "$f" in *.c) cfiles+=("$f") ;; esac
done

if out=$(cppcheck -q -j "$(nproc)" --error-exitcode=1 --std=c11 --inline-suppr \
	--enable=warning,style,performance,portability \
	--suppress=missingIncludeSystem -D_GNU_SOURCE \
	"${cfiles[@]}" 2>&1) && [ -z "$out" ]; then
	pass=$((pass + 1))
else
	printf '%s\n' "$out" | head -30
	echo "FAIL cppcheck"
	fail=$((fail + 1))
fi

# One clang-tidy per few files, on every core: it is the slow one.
if out=$(printf '%s\0' "${cfiles[@]}" |
	xargs -0 -n 6 -P "$(nproc)" sh -c 'clang-tidy --quiet "$@" -- '"$cflags" _ 2>&1 |
	grep -E 'warning:|error:'); then
	printf '%s\n' "$out" | head -30
	echo "FAIL clang-tidy"
	fail=$((fail + 1))
else
	pass=$((pass + 1))
fi

# The layers (docs/architecture.md): no upward include, no cycle. The
# checker is first shown a tree that breaks both rules, so that a checker
# that says nothing can't pass.
bad=$(mktemp -d)
mkdir -p "$bad/src/lib" "$bad/src/engine" "$bad/ui"
printf '#include "engine/probe.h"\n' >"$bad/src/lib/buf.c"
printf '#include "engine/b.h"\n' >"$bad/src/engine/a.h"
printf '#include "engine/a.h"\n' >"$bad/src/engine/b.h"
bad_out=$(python3 tests/layers.py "$bad" 2>&1)
rm -rf "$bad"
if ! printf '%s\n' "$bad_out" | grep -q 'lib/ includes "engine/probe.h"' ||
	! printf '%s\n' "$bad_out" | grep -q 'include cycle'; then
	printf '%s\n' "$bad_out" | head -10
	echo "FAIL layers: the checker missed a planted breach"
	fail=$((fail + 1))
elif out=$(python3 tests/layers.py . 2>&1); then
	pass=$((pass + 1))
else
	printf '%s\n' "$out" | head -30
	echo "FAIL layers (docs/architecture.md says which folder may include which)"
	fail=$((fail + 1))
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
