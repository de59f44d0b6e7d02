#!/usr/bin/env bash
# The engine thread's events and staleness, against the simulator.
# usage: tests/monitor.sh MONITOR_EVENTS_BINARY
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
. tests/simlib.sh
trap sim_stop EXIT
SIM_FLEET_HEALTH='interval = "200ms"\ntimeout = "150ms"\nfailure_threshold = 3\nsuccess_threshold = 2'
sim_start 3 --start-delay 200 || exit 1
"$1" "$SIM_DIR/fleet.toml" "$SIM" "$SIM_DIR"
