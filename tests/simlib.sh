# Helpers to run the node simulator in shell tests (source after lib.sh).
# sim_start N [ARGS...]: start bvsim with N nodes in $SIM_DIR and write
# $SIM_DIR/fleet.toml whose [commands] drive it through bvsim ctl.
# sim_stop: stop it. Every wait is bounded.

SIM=${SIM:-${BUILD:-build}/tests/bvsim}
SIM=$(realpath "$SIM")
SIM_PID=""

sim_start() {
	local n=$1 i
	shift
	SIM_DIR=$(mktemp -d)
	"$SIM" serve --dir "$SIM_DIR" --nodes "$n" --start-delay 100 "$@" \
		2>"$SIM_DIR/sim.log" &
	SIM_PID=$!
	for i in $(seq 200); do
		[ -f "$SIM_DIR/ports" ] && break
		tick
	done
	[ -f "$SIM_DIR/ports" ] || { echo "simulator did not start"; cat "$SIM_DIR/sim.log"; return 1; }
	sim_fleet "${SIM_FLEET_HEALTH:-}" >"$SIM_DIR/fleet.toml"
}

# sim_commands: a [commands] table that drives the running simulator.
sim_commands() {
	local ctl="$SIM ctl $SIM_DIR {node}"
	printf '[commands]\n'
	printf 'journal = "%s journal follow"\n' "$ctl"
	printf 'console = "%s console"\n' "$ctl"
	printf 'restart = "%s restart"\n' "$ctl"
	printf 'stop = "%s stop"\n' "$ctl"
	printf 'start = "%s start"\n' "$ctl"
	printf 'enclave_state = "%s state"\n' "$ctl"
	printf 'debug_restart = "%s debug-restart"\n' "$ctl"
	printf 'protected_restart = "%s protected-restart"\n' "$ctl"
	printf 'doctor = "%s doctor"\n' "$ctl"
}

# sim_fleet [HEALTH TOML]: a fleet file for the running simulator.
sim_fleet() {
	printf '[fleet]\nname = "sim"\n\n[health]\n%b\n' "${1:-}"
	sim_commands
	while read -r name port; do
		printf '\n[[node]]\nname = "%s"\nindex = %s\n' "$name" "${name#node-}"
		printf 'ping_url = "http://127.0.0.1:%s/ping"\n' "$port"
		printf 'transport = "local"\nenclave_name = "%s"\n' "$name"
	done <"$SIM_DIR/ports"
}

sim_ctl() { "$SIM" ctl "$SIM_DIR" "$@" >/dev/null; }

sim_stop() {
	if [ -n "$SIM_PID" ]; then
		kill "$SIM_PID" 2>/dev/null
		wait "$SIM_PID" 2>/dev/null
		SIM_PID=""
	fi
	[ -n "${SIM_DIR:-}" ] && rm -rf "$SIM_DIR"
}
