#!/usr/bin/env bash
# make run: the console on a demo fleet of three simulated nodes (node-1
# falls ill now and then, so there is something to see). The simulator
# stops when the console exits.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SIM="$(realpath "$BUILD/tests/bvsim")"
dir=$(mktemp -d)
"$SIM" serve --dir "$dir" --nodes 3 --start-delay 1500 --flap 1 \
	2>"$dir/sim.log" &
sim=$!
trap 'kill $sim 2>/dev/null; wait $sim 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do
	[ -f "$dir/ports" ] && break
	read -r -t 0.05 _ < <(tail -f /dev/null) || true
done
[ -f "$dir/ports" ] || { cat "$dir/sim.log"; exit 1; }
ctl="$SIM ctl $dir {node}"
{
	sed -n '/^\[fleet\]/,/^timeout/p' demo/fleet.toml
	printf '\n[commands]\n'
	for verb in journal:"journal follow" console:console restart:restart \
		stop:stop start:start enclave_state:state \
		debug_restart:debug-restart protected_restart:protected-restart; do
		printf '%s = "%s %s"\n' "${verb%%:*}" "$ctl" "${verb#*:}"
	done
	while read -r name port; do
		role=static
		[ "$name" = node-2 ] && role=dynamic
		printf '\n[[node]]\nname = "%s"\nindex = %s\nrole = "%s"\n' \
			"$name" "${name#node-}" "$role"
		printf 'ping_url = "http://127.0.0.1:%s/ping"\n' "$port"
		printf 'transport = "local"\nenclave_name = "demo-%s"\n' "${name#node-}"
	done <"$dir/ports"
} >"$dir/fleet.toml"
"$BUILD/bvops" -f "$dir/fleet.toml" "$@"
