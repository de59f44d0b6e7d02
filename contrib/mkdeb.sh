#!/bin/sh
# make deb: a Debian package of this tree, built with dpkg-deb from a
# staged `make install PREFIX=/usr`. Its Depends are the packages that
# hold the libraries build/bvops is linked against, at the versions
# installed here.
# usage: contrib/mkdeb.sh BINARY VERSION OUTDIR
set -eu
bin=$1
version=$2
out=$3
arch=$(dpkg --print-architecture)
stage="$out/root"
rm -rf "$stage"
mkdir -p "$stage/DEBIAN"
make -s --no-print-directory install DESTDIR="$stage" PREFIX=/usr >/dev/null
depends=""
for lib in $(objdump -p "$bin" | awk '/NEEDED/ {print $2}'); do
	pkg=$(dpkg -S "*/$lib" 2>/dev/null | cut -d: -f1 | grep -v -- '-dev$' | sort -u | head -1)
	[ -n "$pkg" ] || { echo "mkdeb: no package holds $lib" >&2; exit 1; }
	ver=$(dpkg-query -W -f='${Version}' "$pkg")
	case ", $depends, " in *", $pkg (>= "*) continue ;; esac
	depends="${depends:+$depends, }$pkg (>= $ver)"
done
size=$(du -sk "$stage/usr" | cut -f1)
cat >"$stage/DEBIAN/control" <<CTL
Package: bvops
Version: $version
Architecture: $arch
Maintainer: The bvops developers <dev@bvops.invalid>
Installed-Size: $size
Depends: $depends
Recommends: openssh-client
Section: admin
Priority: optional
Homepage: https://bvops.invalid/
Description: operations console for Builder Vault MPC nodes on AWS Nitro
 A terminal console (and a headless watch) for the operators of a Builder
 Vault deployment: node health, logs, alerts, auto-restart, guided config
 edits, Nitro debug mode and ERS rollouts, each journaled and audited.
CTL
# The watch's system user, once the files are in place.
cat >"$stage/DEBIAN/postinst" <<'SH'
#!/bin/sh
set -e
if [ "$1" = configure ] && command -v systemd-sysusers >/dev/null; then
	systemd-sysusers bvops.conf || true
fi
SH
chmod 0755 "$stage/DEBIAN/postinst"
deb="$out/bvops_${version}_${arch}.deb"
dpkg-deb --root-owner-group --build "$stage" "$deb" >/dev/null
rm -rf "$stage"
echo "$deb"
