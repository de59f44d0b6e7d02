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
	lib/systemd/system/bvops-watch.service lib/sysusers.d/bvops.conf \
	share/doc/bvops/fleet.example.toml share/doc/bvops/fleet.multi-account.toml share/doc/bvops/watch.md share/doc/bvops/incidents.md \
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
check_contains "the unit runs the installed binary" \
	"$(grep ^ExecStart= "$TMP/stage/opt/bvops/lib/systemd/system/bvops-watch.service")" "/opt/bvops/bin/bvops watch"
run make -s uninstall DESTDIR="$TMP/stage" PREFIX=/opt/bvops
check_eq "make uninstall" "$RC" 0
[ -e "$TMP/stage/opt/bvops/bin/bvops" ] && fail "uninstall left bin/bvops"
test_end

test_begin man_page_lists_keys_environment_and_files
# The man page against the code: every console key of the help box, every
# environment variable bvops reads, every state file statedir names.
MAN=$(sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' docs/bvops.1)
keys=$(python3 -c '
import re, sys
s = open("ui/console.c").read()
t = s[s.index("} console_keys[] = {"):]
t = t[:t.index("};")]
for k, w in re.findall(r"\{\"((?:[^\"\\]|\\.)*)\", \"((?:[^\"\\]|\\.)*)\"\}", t):
    if w:
        print(k.strip())')
[ -n "$keys" ] || fail "no console keys read from ui/console.c"
while IFS= read -r k; do
	printf '%s\n' "$MAN" | grep -qxF ".B $k" || fail "the man page lacks the console key [$k]"
done <<<"$keys"
for v in $(grep -rhoE 'getenv\("[A-Z_]+"\)' src ui | sed 's/getenv("//; s/")//' | sort -u); do
	printf '%s\n' "$MAN" | grep -q "$v" || fail "the man page's ENVIRONMENT lacks $v"
done
for f in audit.log events.log holds.json procedures ID.jsonl ID.old.toml ID.edit; do
	printf '%s\n' "$MAN" | grep -qF "$f" || fail "the man page's FILES lacks $f"
done
test_end

test_begin deps_brings_the_python_tools_when_missing
# A machine without moto_server, aws and boto3: make deps-python asks pip
# for the pinned versions (a python3 that records what it is asked).
mkdir -p "$TMP/py"
cat >"$TMP/py/python3" <<SH
#!/bin/sh
echo "\$*" >>"$TMP/py.log"
case "\$*" in "-c "*) exit 1 ;; esac
exit 0
SH
chmod +x "$TMP/py/python3"
run env PATH="$TMP/py:/usr/bin:/bin" make -s --no-print-directory deps-python
check_eq "exit" "$RC" 0
check_contains "pip with the pinned file" "$(cat "$TMP/py.log")" "-m pip install -q -r tests/requirements.txt"
check_contains "says so" "$OUT" "deps: installed tests/requirements.txt"
check_contains "the versions in one file" "$(cat tests/requirements.txt)" "moto[server]=="
run make -s --no-print-directory deps-python
check_contains "present: nothing installed" "$OUT" "are there"
test_end

test_begin debian_package_built_installed_and_run
run make -s --no-print-directory deb
check_eq "make deb" "$RC" 0
DEB=$(printf '%s\n' "$OUT" | tail -1)
[ -f "$DEB" ] || fail "no package at [$DEB]"
INFO=$(dpkg-deb -I "$DEB" 2>&1)
check_contains "its name" "$INFO" "Package: bvops"
check_contains "the libraries it needs, as packages" "$INFO" "libssh2-1 (>= "
check_contains "libcurl too" "$INFO" "libcurl4 (>= "
LIST=$(dpkg-deb -c "$DEB" | awk '{print $6}')
for f in ./usr/bin/bvops ./usr/share/man/man1/bvops.1 ./usr/share/bvops/themes/dark.theme \
	./usr/lib/systemd/system/bvops-watch.service ./usr/lib/sysusers.d/bvops.conf \
	./usr/share/bash-completion/completions/bvops; do
	printf '%s\n' "$LIST" | grep -qxF "$f" || fail "the package lacks $f"
done
dpkg-deb -x "$DEB" "$TMP/unpacked"
run "$TMP/unpacked/usr/bin/bvops" --version
check_contains "the packaged binary runs" "$OUT" "bvops "
run "$TMP/unpacked/usr/bin/bvops" -f docs/fleet.example.toml --theme light
check_contains "and finds its themes" "$ERR" "the console needs a terminal"
check_contains "the unit runs /usr/bin/bvops" "$(grep ^ExecStart= "$TMP/unpacked/usr/lib/systemd/system/bvops-watch.service")" "/usr/bin/bvops watch"
# Installed for real where that is safe: as root, with no bvops package
# already there (a fresh CI machine); removed again.
if [ "$(id -u)" = 0 ] && ! dpkg -s bvops >/dev/null 2>&1; then
	run dpkg -i "$DEB"
	check_eq "dpkg -i" "$RC" 0
	run /usr/bin/bvops --version
	check_contains "installed: it runs" "$OUT" "bvops "
	check_contains "dpkg knows its files" "$(dpkg -L bvops)" "/usr/share/bvops/themes/mono.theme"
	run dpkg -r bvops
	check_eq "dpkg -r" "$RC" 0
	[ -e /usr/bin/bvops ] && fail "dpkg -r left /usr/bin/bvops"
fi
test_end

test_begin a_missing_library_names_its_package
mkdir -p "$TMP/nopc"
run env PKG_CONFIG_LIBDIR="$TMP/nopc" PKG_CONFIG_PATH= make -s -n build/bvops
check_eq "the build stops" "$RC" 2
check_contains "naming the package to install" "$ERR" "the build needs ncursesw (pkg-config): apt-get install libncurses-dev, or make deps"
test_end

test_begin systemd_unit_hardened_with_its_user
U=contrib/bvops-watch.service
if command -v systemd-analyze >/dev/null; then
	run systemd-analyze security --offline=true --threshold=30 "$U"
	check_eq "exposure at or below 3.0" "$RC" 0
	check_contains "as systemd scores it" "$OUT" "Overall exposure level for bvops-watch.service: "
	score=$(printf '%s\n' "$OUT" | sed -n 's/.*Overall exposure level for bvops-watch.service: \([0-9.]*\).*/\1/p')
	check_eq "score $score <= 3.0" "$(python3 -c "print($score <= 3.0)")" True
else
	fail "no systemd-analyze (make deps)"
fi
check_contains "a bad fleet file (exit 2) is not restarted" "$(cat "$U")" "RestartPreventExitStatus=2"
check_contains "private files" "$(cat "$U")" "UMask=0077"
check_contains "no capabilities" "$(cat "$U")" "CapabilityBoundingSet="
if command -v systemd-sysusers >/dev/null; then
	mkdir -p "$TMP/root/usr/lib/sysusers.d"
	cp contrib/bvops.sysusers "$TMP/root/usr/lib/sysusers.d/bvops.conf"
	run systemd-sysusers --dry-run --root="$TMP/root"
	check_eq "the sysusers entry is valid" "$RC" 0
	check_contains "it makes the user" "$OUT$ERR" "Creating user 'bvops'"
fi
test_end

summary
