#!/usr/bin/env bash
# Style and static checks: clang-format (the house style is .clang-format),
# cppcheck, clang-tidy (.clang-tidy). One count per tool.
set -u
cd "$(dirname "$0")/.."
pass=0
fail=0
if [ $# -gt 0 ]; then
	files=("$@")
else
	mapfile -t files < <(find src ui tests -name '*.[ch]' | sort)
fi
cflags="-D_GNU_SOURCE -std=c11 $(pkg-config --cflags ncursesw libcurl libcjson libssh2 expat 2>/dev/null)"

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

if out=$(cppcheck -q --error-exitcode=1 --std=c11 --inline-suppr \
	--enable=warning,style,performance,portability \
	--suppress=missingIncludeSystem -D_GNU_SOURCE \
	"${cfiles[@]}" 2>&1) && [ -z "$out" ]; then
	pass=$((pass + 1))
else
	printf '%s\n' "$out" | head -30
	echo "FAIL cppcheck"
	fail=$((fail + 1))
fi

if out=$(clang-tidy --quiet "${cfiles[@]}" -- $cflags 2>&1 |
	grep -E 'warning:|error:'); then
	printf '%s\n' "$out" | head -30
	echo "FAIL clang-tidy"
	fail=$((fail + 1))
else
	pass=$((pass + 1))
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
