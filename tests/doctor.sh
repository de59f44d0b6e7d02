#!/usr/bin/env bash
# bvops doctor against the node simulator: a healthy node, then each
# fault the simulator can show, each found by its check with the fact and
# the fix; --json; the exit codes.
# usage: tests/doctor.sh BVOPS
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
. tests/simlib.sh
BVOPS=$(realpath "$1")
TMP=$(mktemp -d)
cleanup() {
	sim_stop
	rm -rf "$TMP"
}
trap cleanup EXIT
export XDG_STATE_HOME="$TMP/state"
sim_start 2 || exit 1
# The region names the KMS endpoint the vsock allowlist must hold.
sed -i 's/^\[fleet\]/[fleet]\nregion = "eu-west-1"/' "$SIM_DIR/fleet.toml"
F="$SIM_DIR/fleet.toml"
doc() { run "$BVOPS" -f "$F" doctor "$@"; }
row() { printf '%s\n' "$OUT" | grep -E "^  [a-zA-Z]+ +$1 " ; }

test_begin a_healthy_node
doc node-0
check_eq "exit 0" "$RC:$ERR" "0:"
check_contains "the enclave's facts" "$(row enclave)" "ok    enclave          node-0 RUNNING, flags NONE, 4096 MiB, 2 CPUs"
check_contains "the allocator against them" "$(row allocator)" "4096 MiB and 2 CPUs for enclaves"
check_contains "the PCRs compared" "$(row pcr)" "running PCR0 is the EIF's"
check_eq "every check ok" "$(printf '%s\n' "$OUT" | tail -1)" "12 ok, 0 warn, 0 fail"
test_end

# fault CHECK LEVEL FACT FIX: node-0 shows the fault; its check says so.
fault() {
	sim_ctl node-0 doctor-fault "$1"
	doc node-0
	check_contains "$1: its check" "$(row "$2")" "$3"
	check_contains "$1: the fix" "$(printf '%s\n' "$OUT" | grep -A1 -E "^  [a-zA-Z]+ +$2 " | tail -1)" "fix: $4"
	sim_ctl node-0 doctor-fault none
}

test_begin each_fault_found_with_its_fact_and_fix
fault allocator-small allocator "FAIL  allocator        allocator.yaml gives 2048 MiB and 2 CPUs, the enclave takes 4096 MiB and 2 CPUs" "raise them"
check_eq "a failure: exit 1" "$RC" 1
fault allocator-failed allocator-unit "nitro-enclaves-allocator is active (exited) but did not succeed: Result=exit-code, exit status 1" "sudo journalctl -u nitro-enclaves-allocator"
fault hugepages hugepages "no hugepages reserved (HugePages_Total 0)" "the allocator reserves them"
fault e26 errors "warn  errors           recent nitro-cli errors in /var/log/nitro_enclaves: E26" "E26: Insufficient memory requested"
check_eq "a warning alone: exit 0" "$RC" 0
fault vsock-down vsock-proxy "no vsock-proxy process runs" "sudo systemctl start nitro-enclaves-vsock-proxy"
fault allowlist vsock-allowlist "the allowlist does not name kms.eu-west-1.amazonaws.com" "add it to /etc/nitro_enclaves/vsock-proxy.yaml"
fault start-limit enclave-unit "enclave.service hit systemd's start limit (5 restarts, limit 5)" "sudo systemctl reset-failed enclave.service, then bvops rearm node-0"
fault disk-full disk "/ is 97% full" "free space there"
fault ssm-down ssm-agent "amazon-ssm-agent is inactive" "sudo systemctl start amazon-ssm-agent"
fault clock-skew clock "the node's clock is +600 s from this host's" "set chrony/NTP right on the node"
fault pcr-drift pcr "running PCR0 ffff0000ffff0000... is not the EIF's a1b2c3d4e5f60718..." "the enclave runs another image"
test_end

test_begin a_stopped_enclave
sim_ctl node-1 stop
doc node-1
check_eq "exit 1" "$RC" 1
check_contains "no enclave" "$(row enclave)" "FAIL  enclave          no enclave runs"
check_contains "the way on" "$(printf '%s\n' "$OUT" | grep -A1 -E '^  FAIL +enclave ' | tail -1)" "bvops node start node-1"
sim_ctl node-1 start
test_end

test_begin json
sim_ctl node-0 doctor-fault disk-full
doc node-0 --json
check_eq "exit 1" "$RC" 1
check_eq "counts" "$(json_field "$OUT" 'd["node"], d["ok"], d["warn"], d["fail"]')" "('node-0', 11, 0, 1)"
check_eq "the failing check" "$(json_field "$OUT" '[(c["check"], c["level"]) for c in d["checks"] if c["level"] != "ok"]')" "[('disk', 'fail')]"
check_contains "its fix" "$(json_field "$OUT" '[c["fix"] for c in d["checks"] if c["check"] == "disk"][0]')" "free space there"
sim_ctl node-0 doctor-fault none
test_end

test_begin d_in_the_console_at_80x24
if command -v tmux >/dev/null; then
	SOCK="$TMP/tmux.sock"
	tm() { tmux -S "$SOCK" -f /dev/null "$@"; }
	sim_ctl node-1 doctor-fault allowlist
	tm new-session -d -s t -x 80 -y 24 "env TERM=xterm-256color LANG=C.UTF-8 XDG_STATE_HOME=$XDG_STATE_HOME $BVOPS -f $F"
	tmux_expect "$SOCK" t "2 up" 300
	tm send-keys -t t j Enter
	tmux_expect "$SOCK" t "node-1 (Esc closes)" 300
	check_contains "the details' footer offers it" "$(tm capture-pane -p -t t | tail -1)" "d doctor"
	tm send-keys -t t d
	tmux_expect "$SOCK" t "Enter: back to the details" 300
	S=$(tm capture-pane -p -t t)
	check_contains "the wizard's title" "$S" "bvops procedure: doctor node-1"
	check_contains "the failing check" "$S" "FAIL  vsock-allowlist  the allowlist does not name kms.eu-west-1.amazonaws.com"
	check_contains "its fix" "$S" "fix: add it to /etc/nitro_enclaves/vsock-proxy.yaml"
	check_contains "the counts" "$S" "11 ok, 0 warn, 1 fail"
	tm send-keys -t t Enter
	tmux_expect "$SOCK" t "node-1 (Esc closes)" 300
	tm send-keys -t t Escape q
	tm kill-server 2>/dev/null
	sim_ctl node-1 doctor-fault none
fi
test_end

test_begin usage_errors
doc node-9
check_eq "an unknown node: exit 2" "$RC" 2
doc
check_eq "no node: exit 2" "$RC" 2
sed 's/^transport = "local"/transport = "none"/' "$F" >"$TMP/none.toml"
run "$BVOPS" -f "$TMP/none.toml" doctor node-0
check_eq "no transport: exit 3" "$RC" 3
check_contains "says why" "$ERR" "node-0"
test_end

summary
