#!/usr/bin/env bash
# make install into a staging folder: the binary, the man page, the themes
# and the docs land where PREFIX and DESTDIR say, and the binary runs.
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

test_begin install_destdir_prefix
run make -s install DESTDIR="$TMP/stage" PREFIX=/opt/bvops
check_eq "make install" "$RC" 0
for f in bin/bvops share/man/man1/bvops.1 share/bvops/themes/dark.theme \
	share/bvops/themes/light.theme share/bvops/themes/mono.theme \
	share/bash-completion/completions/bvops share/zsh/vendor-completions/_bvops \
	share/doc/bvops/fleet.example.toml share/doc/bvops/watch.md share/doc/bvops/incidents.md \
	share/doc/bvops/bvops-watch.service; do
	[ -f "$TMP/stage/opt/bvops/$f" ] || fail "missing $f"
done
[ -x "$TMP/stage/opt/bvops/bin/bvops" ] || fail "bvops not executable"
run "$TMP/stage/opt/bvops/bin/bvops" --version
check_contains "installed binary runs" "$OUT" "bvops "
# Every doc the man page names is installed beside it.
for d in $(grep -o 'docs/[a-z_-]*\.md' docs/bvops.1 | sort -u); do
	[ -f "$TMP/stage/opt/bvops/share/doc/bvops/${d#docs/}" ] || fail "the man page names $d: not installed"
done
# The themes are found beside the installed binary, whatever PREFIX the
# build was given (the console then only lacks a terminal).
run "$TMP/stage/opt/bvops/bin/bvops" -f docs/fleet.example.toml --theme light
check_contains "theme found" "$ERR" "the console needs a terminal"
check_not_contains "not looked for in vain" "$ERR" "no theme"
run make -s uninstall DESTDIR="$TMP/stage" PREFIX=/opt/bvops
check_eq "make uninstall" "$RC" 0
[ -e "$TMP/stage/opt/bvops/bin/bvops" ] && fail "uninstall left bin/bvops"
test_end

summary
