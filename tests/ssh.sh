#!/usr/bin/env bash
# The ssh transport against a real OpenSSH sshd on 127.0.0.1: host keys
# (unknown, changed, trusted on request, OpenSSH's port rule), key files,
# passphrases, the agent, RSA refused with its reason, run to completion
# with a timeout, ProxyCommand, and streams that survive a link cut and
# notice a dead one.
# usage: tests/ssh.sh BVOPS TRANSPORT_RUN
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
. tests/simlib.sh
. tests/sshlib.sh
BVOPS=$1
TRUN=$2
TMP=$(mktemp -d)
RELAY_PID=""
AGENT_PID=""
LOGS_PID=""
TMUX_SOCK="$TMP/tmux.sock"
# Each tmux test gets a fresh server, not one still going away.
TMUX_SOCK2="$TMP/tmux2.sock"
TMUX_SOCK3="$TMP/tmux3.sock"
cleanup() {
	[ -n "$LOGS_PID" ] && kill "$LOGS_PID" 2>/dev/null
	[ -n "$RELAY_PID" ] && { kill -CONT -- -"$RELAY_PID"; kill -- -"$RELAY_PID"; } 2>/dev/null
	[ -n "$AGENT_PID" ] && kill "$AGENT_PID" 2>/dev/null
	tmux -S "$TMUX_SOCK" kill-server 2>/dev/null
	tmux -S "$TMUX_SOCK2" kill-server 2>/dev/null
	tmux -S "$TMUX_SOCK3" kill-server 2>/dev/null
	ssh_stop
	sim_stop
	rm -rf "$TMP"
}
trap cleanup EXIT
sim_start 1 || exit 1
ssh_start || exit 1
# Tail tests need a journal with a few lines in it already.
for i in $(seq 100); do
	[ "$("$SIM" ctl "$SIM_DIR" node-0 journal | grep -c heartbeat)" -ge 3 ] && break
	tick 0.1
done
F="$TMP/fleet.toml"
ssh_fleet "$SSH_PORT" >"$F"

# relay_start PORT: a TCP relay to sshd in its own process group, so a
# test can cut (kill) or freeze (SIGSTOP) the link.
relay_start() {
	setsid socat TCP-LISTEN:"$1",bind=127.0.0.1,reuseaddr,fork \
		TCP:127.0.0.1:"$SSH_PORT" 2>/dev/null &
	RELAY_PID=$!
	wait_port "$1"
}
relay_kill() {
	kill -CONT -- -"$RELAY_PID" 2>/dev/null
	kill -- -"$RELAY_PID" 2>/dev/null
	wait "$RELAY_PID" 2>/dev/null
	RELAY_PID=""
}
# screen_wait SOCKET TEXT [TENTHS]: until the tmux screen shows TEXT.
screen_wait() { tmux_wait "$1" "" "$2" $((${3:-100} * 2)); }
# wait_for FILE TEXT [TENTHS]: until FILE holds TEXT (bounded).
wait_for() {
	local i
	for i in $(seq "${3:-150}"); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		tick 0.1
	done
	return 1
}

# Host certificates: sshds whose ECDSA host key is certified by a CA; the
# known_hosts file lists only the CA (@cert-authority), never the key.
CD="$SSH_DIR/certs"
mkdir -p "$CD"
ssh-keygen -q -t ed25519 -N '' -C ca -f "$CD/ca" &&
	ssh-keygen -q -t rsa -b 2048 -N '' -C ca-rsa -f "$CD/ca_rsa" &&
	ssh-keygen -q -t ed25519 -N '' -C other-ca -f "$CD/other_ca" &&
	ssh-keygen -q -t ecdsa -N '' -C host -f "$CD/host" || fail "no keys for the certificates"
# cert NAME CA ARGS...: a certificate of the host key, signed by CA.
cert() {
	cp "$CD/host.pub" "$CD/$1.pub"
	ssh-keygen -q -s "$CD/$2" -I "$1" -h "${@:3}" "$CD/$1.pub" || fail "cannot sign $1"
}
cert good ca -n 127.0.0.1 -V -5m:+1h
cert by_rsa ca_rsa -n 127.0.0.1 -V -5m:+1h
cert other_name ca -n node-9.example -V -5m:+1h
cert expired ca -n 127.0.0.1 -V 20200101:20200102
declare -A CERT_PORT
for c in good by_rsa other_name expired; do
	cp "$CD/host" "$CD/host_$c" && cp "$CD/host.pub" "$CD/host_$c.pub"
	ssh_start_more "$CD/host_$c" "$CD/$c-cert.pub" || fail "no sshd for $c"
	CERT_PORT[$c]=$SSH_MORE_PORT
done
# ca_fleet CERT KNOWN_HOSTS_LINES: the one-node fleet on that sshd.
ca_fleet() {
	printf '%s\n' "$2" >"$TMP/ca_known_$1"
	SSH_KNOWN="$TMP/ca_known_$1" ssh_fleet "${CERT_PORT[$1]}" >"$TMP/ca_$1.toml"
}
CA_LINE="@cert-authority [127.0.0.1]:* $(cut -d' ' -f1,2 "$CD/ca.pub")"

test_begin key_auth_and_tail
run "$BVOPS" logs node-0 -f "$F" --lines 3
check_eq "exit" "$RC" 0
check_eq "three lines" "$(printf '%s\n' "$OUT" | wc -l)" 3
check_contains "the node's journal, over ssh" "$OUT" "node-0 tsm["
test_end

test_begin unknown_host_key_refused_with_fingerprint
: >"$TMP/empty_known"
SSH_KNOWN="$TMP/empty_known" ssh_fleet "$SSH_PORT" >"$TMP/unknown.toml"
run "$BVOPS" logs node-0 -f "$TMP/unknown.toml"
check_eq "exit" "$RC" 3
check_contains "refused" "$ERR" "unknown host key for [127.0.0.1]:$SSH_PORT"
check_contains "fingerprint, as ssh-keygen shows it" "$ERR" "$SSH_FP"
check_contains "how to trust" "$ERR" "bvops hostkey node-0 --trust"
check_eq "nothing trusted on first use" "$(wc -c <"$TMP/empty_known")" 0
test_end

test_begin hostkey_trust_is_explicit
run "$BVOPS" hostkey node-0 -f "$TMP/unknown.toml"
check_eq "shows, does not trust" "$RC" 1
check_contains "fingerprint" "$OUT" "node-0: $SSH_FP"
check_contains "status" "$OUT" "not trusted yet"
run "$BVOPS" hostkey node-0 --trust -f "$TMP/unknown.toml"
check_eq "no terminal, no --yes: refused" "$RC" 1
check_eq "still nothing" "$(wc -c <"$TMP/empty_known")" 0
run "$BVOPS" hostkey node-0 --trust --dry-run -f "$TMP/unknown.toml"
check_contains "dry run says what" "$OUT" "would add to $TMP/empty_known: [127.0.0.1]:$SSH_PORT ssh-ed25519 "
check_eq "dry run writes nothing" "$(wc -c <"$TMP/empty_known")" 0
run "$BVOPS" hostkey node-0 --trust --yes -f "$TMP/unknown.toml"
check_eq "trusted" "$RC" 0
check_eq "OpenSSH's own line for the key" "$(cut -d' ' -f1-3 "$TMP/empty_known")" \
	"[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 "$SSH_DIR/host_ed25519.pub")"
check_eq "OpenSSH agrees" "$(ssh-keygen -F "[127.0.0.1]:$SSH_PORT" -f "$TMP/empty_known" | grep -c ssh-ed25519)" 1
run "$BVOPS" logs node-0 -f "$TMP/unknown.toml" --lines 1
check_eq "then it connects" "$RC" 0
test_end

test_begin changed_host_key_refused
printf '[127.0.0.1]:%s %s\n' "$SSH_PORT" "$(cut -d' ' -f1,2 "$SSH_DIR/other_host.pub")" >"$TMP/changed_known"
SSH_KNOWN="$TMP/changed_known" ssh_fleet "$SSH_PORT" >"$TMP/changed.toml"
run "$BVOPS" logs node-0 -f "$TMP/changed.toml"
check_eq "exit" "$RC" 3
check_contains "loud" "$ERR" "HOST KEY CHANGED for [127.0.0.1]:$SSH_PORT"
check_contains "fingerprint" "$ERR" "$SSH_FP"
run "$BVOPS" hostkey node-0 --trust --yes -f "$TMP/changed.toml"
check_eq "never replaced by bvops" "$RC" 1
check_contains "what to do" "$ERR" "remove the old line first"
check_eq "file untouched" "$(wc -l <"$TMP/changed_known")" 1
test_end

test_begin revoked_host_key_refused_even_with_a_plain_line
# The plain line trusts the key; the @revoked line (as an operator adds it
# when a host key leaks) must win, for bvops as for OpenSSH.
KEY=$(cut -d' ' -f1,2 "$SSH_DIR/host_ed25519.pub")
{
	cat "$SSH_DIR/known_hosts"
	printf '@revoked *,!ignored.example %s\n' "$KEY"
} >"$TMP/revoked_known"
SSH_KNOWN="$TMP/revoked_known" ssh_fleet "$SSH_PORT" >"$TMP/revoked.toml"
run ssh -o BatchMode=yes -o UserKnownHostsFile="$TMP/revoked_known" \
	-o GlobalKnownHostsFile=/dev/null -i "$SSH_DIR/id_ed25519" -p "$SSH_PORT" "$SSH_USER@127.0.0.1" true
check_contains "OpenSSH refuses it too" "$ERR" "REVOKED HOST KEY"
run "$BVOPS" logs node-0 -f "$TMP/revoked.toml" --lines 1
check_eq "exit" "$RC" 3
check_contains "refused, loud" "$ERR" "HOST KEY REVOKED for [127.0.0.1]:$SSH_PORT"
check_contains "with the fingerprint" "$ERR" "$SSH_FP"
check_eq "no journal line" "$OUT" ""
run "$BVOPS" hostkey node-0 -f "$TMP/revoked.toml"
check_eq "hostkey says so" "$RC" 1
check_contains "why" "$ERR" "marks this key @revoked; bvops never trusts it"
cp "$TMP/revoked_known" "$TMP/revoked_before"
run "$BVOPS" hostkey node-0 --trust --yes -f "$TMP/revoked.toml"
check_eq "never trusted on request" "$RC" 1
check_eq "file untouched" "$(cmp "$TMP/revoked_known" "$TMP/revoked_before" && echo same)" same
# Hashed, as ssh-keygen -H writes names: still matched.
python3 - "$SSH_PORT" "$KEY" >"$TMP/revoked_hashed" <<'PY'
import base64, hashlib, hmac, os, sys
salt = os.urandom(20)
name = ("[127.0.0.1]:%s" % sys.argv[1]).encode()
h = base64.b64encode(hmac.new(salt, name, hashlib.sha1).digest()).decode()
print("@revoked |1|%s|%s %s" % (base64.b64encode(salt).decode(), h, sys.argv[2]))
PY
cat "$SSH_DIR/known_hosts" >>"$TMP/revoked_hashed"
SSH_KNOWN="$TMP/revoked_hashed" ssh_fleet "$SSH_PORT" >"$TMP/revoked_h.toml"
run "$BVOPS" logs node-0 -f "$TMP/revoked_h.toml" --lines 1
check_contains "a hashed name matches" "$ERR" "HOST KEY REVOKED"
# A revocation for other hosts (or negated for this one) does not apply.
for pat in 'other.example' "*,![127.0.0.1]:$SSH_PORT"; do
	{
		cat "$SSH_DIR/known_hosts"
		printf '@revoked %s %s\n' "$pat" "$KEY"
	} >"$TMP/revoked_other"
	SSH_KNOWN="$TMP/revoked_other" ssh_fleet "$SSH_PORT" >"$TMP/revoked_o.toml"
	run "$BVOPS" logs node-0 -f "$TMP/revoked_o.toml" --lines 1
	check_eq "@revoked $pat: not this host, connects" "$RC" 0
done
test_end

test_begin host_certificate_signed_by_a_listed_ca
ca_fleet good "$CA_LINE"
run ssh -o BatchMode=yes -o UserKnownHostsFile="$TMP/ca_known_good" -o GlobalKnownHostsFile=/dev/null \
	-i "$SSH_DIR/id_ed25519" -p "${CERT_PORT[good]}" "$SSH_USER@127.0.0.1" true
check_eq "OpenSSH accepts it" "$RC" 0
run "$BVOPS" logs node-0 -f "$TMP/ca_good.toml" --lines 1
check_eq "so does bvops" "$RC:$ERR" "0:"
check_contains "the journal, over ssh" "$OUT" "node-0 tsm["
run "$BVOPS" hostkey node-0 -f "$TMP/ca_good.toml"
check_eq "hostkey: known" "$RC" 0
check_contains "and how" "$OUT" "known (certificate \"good\", signed by a @cert-authority of $TMP/ca_known_good)"
check_eq "nothing written to known_hosts" "$(cat "$TMP/ca_known_good")" "$CA_LINE"
ca_fleet by_rsa "@cert-authority * $(cut -d' ' -f1,2 "$CD/ca_rsa.pub")"
run "$BVOPS" logs node-0 -f "$TMP/ca_by_rsa.toml" --lines 1
check_eq "an RSA CA (rsa-sha2-512), a * pattern" "$RC:$ERR" "0:"
test_end

test_begin host_certificate_refused_with_its_reason
ca_fleet other_name "$CA_LINE"
run "$BVOPS" logs node-0 -f "$TMP/ca_other_name.toml" --lines 1
check_eq "another name: exit" "$RC" 3
check_contains "says why" "$ERR" "its certificate \"other_name\" is not valid for 127.0.0.1 (not among its principals)"
check_contains "and how to trust the key instead" "$ERR" "bvops hostkey node-0 --trust"
ca_fleet expired "$CA_LINE"
run "$BVOPS" logs node-0 -f "$TMP/ca_expired.toml" --lines 1
check_eq "expired: exit" "$RC" 3
check_contains "says why" "$ERR" "its certificate \"expired\" expired on 2020-01-02T00:00:00Z"
ca_fleet good "@cert-authority [127.0.0.1]:* $(cut -d' ' -f1,2 "$CD/other_ca.pub")"
run "$BVOPS" logs node-0 -f "$TMP/ca_good.toml" --lines 1
check_eq "a CA not listed: exit" "$RC" 3
check_contains "says why" "$ERR" "its certificate \"good\" is signed by a CA that no @cert-authority line lists for [127.0.0.1]:${CERT_PORT[good]}"
ca_fleet good "$CA_LINE
@revoked * $(cut -d' ' -f1,2 "$CD/ca.pub")"
run "$BVOPS" logs node-0 -f "$TMP/ca_good.toml" --lines 1
check_eq "a revoked CA: exit" "$RC" 3
check_contains "says why" "$ERR" "is signed by a CA marked @revoked"
ca_fleet good "@cert-authority other.example $(cut -d' ' -f1,2 "$CD/ca.pub")"
run "$BVOPS" logs node-0 -f "$TMP/ca_good.toml" --lines 1
check_eq "a CA for other hosts only: exit" "$RC" 3
check_not_contains "plain unknown key" "$ERR" "certificate"
# A CA listed for a host that offers no certificate.
printf '%s\n' "$CA_LINE" >"$TMP/ca_known_plain"
SSH_KNOWN="$TMP/ca_known_plain" ssh_fleet "$SSH_PORT" >"$TMP/ca_plain.toml"
run "$BVOPS" logs node-0 -f "$TMP/ca_plain.toml" --lines 1
check_eq "no certificate: exit" "$RC" 3
check_contains "says so" "$ERR" "it offered no host certificate"
test_end

test_begin host_key_type_from_known_hosts
# Amazon Linux 2023's default: rsa, ecdsa and ed25519 host keys; ssh
# recorded the ed25519 one. libssh2 alone would ask for ecdsa first.
for t in rsa ecdsa ed25519; do
	ssh-keygen -q -t "$t" -N '' -f "$CD/multi_$t" || fail "no $t key"
done
ssh_start_more "$CD/multi_rsa $CD/multi_ecdsa $CD/multi_ed25519" || fail "no sshd with three keys"
printf '[127.0.0.1]:%s %s\n' "$SSH_MORE_PORT" "$(cut -d' ' -f1,2 "$CD/multi_ed25519.pub")" >"$TMP/multi_known"
SSH_KNOWN="$TMP/multi_known" ssh_fleet "$SSH_MORE_PORT" >"$TMP/multi.toml"
run "$BVOPS" logs node-0 -f "$TMP/multi.toml" --lines 1
check_eq "the recorded ed25519 key is the one asked for" "$RC:$ERR" "0:"
# The same with only its ecdsa key recorded, hashed as ssh does.
printf '[127.0.0.1]:%s %s\n' "$SSH_MORE_PORT" "$(cut -d' ' -f1,2 "$CD/multi_ecdsa.pub")" >"$TMP/multi_known"
ssh-keygen -q -H -f "$TMP/multi_known" >/dev/null 2>&1
run "$BVOPS" logs node-0 -f "$TMP/multi.toml" --lines 1
check_eq "a hashed ecdsa line: ecdsa" "$RC:$ERR" "0:"
# A changed key is still named as such (the type is known, the key not).
printf '[127.0.0.1]:%s %s\n' "$SSH_MORE_PORT" "$(cut -d' ' -f1,2 "$SSH_DIR/other_host.pub")" >"$TMP/multi_known"
run "$BVOPS" logs node-0 -f "$TMP/multi.toml" --lines 1
check_contains "changed" "$ERR" "HOST KEY CHANGED"
test_end

test_begin ssh_config_honoured_as_openssh_reads_it
# The fleet on ~/.ssh/config's terms: ssh = "ALIAS", [ssh] config = FILE,
# nothing else said by the fleet. OpenSSH resolves it (ssh -G).
cfg_fleet() { # ALIAS CONFIG [EXTRA SSH TOML]
	ssh_fleet "$SSH_PORT" |
		sed -e '/^known_hosts = /d' -e '/^identity = /d' \
			-e "s|^ssh = \".*\"|ssh = \"$1\"|" \
			-e "s|^\[ssh\]|[ssh]\nconfig = \"$2\"\n${3:-}|"
}
cat >"$TMP/ssh_config" <<CONF
Host node0-alias
	HostName 127.0.0.1
	Port $SSH_PORT
	User $SSH_USER
	IdentityFile $SSH_DIR/id_ed25519
	UserKnownHostsFile $SSH_DIR/known_hosts

Host via-jump
	HostName 127.0.0.1
	Port $SSH_PORT
	User $SSH_USER
	IdentityFile $SSH_DIR/id_ed25519
	UserKnownHostsFile $SSH_DIR/known_hosts
	ProxyJump jumphost

Host via-proxy
	HostName 127.0.0.1
	Port $SSH_PORT
	User $SSH_USER
	IdentityFile $SSH_DIR/id_ed25519
	UserKnownHostsFile $SSH_DIR/known_hosts
	ProxyCommand socat - TCP:%h:%p

Host jumphost
	HostName 127.0.0.1
	Port $SSH_PORT
	User $SSH_USER
	IdentityFile $SSH_DIR/id_ed25519
	UserKnownHostsFile $SSH_DIR/known_hosts
	BatchMode yes
	StrictHostKeyChecking yes
CONF
run ssh -F "$TMP/ssh_config" node0-alias true
check_eq "ssh itself reaches node0-alias" "$RC" 0
cfg_fleet node0-alias "$TMP/ssh_config" >"$TMP/alias.toml"
check_not_contains "the fleet names no key, no known_hosts, no user" "$(cat "$TMP/alias.toml")" "$SSH_DIR"
run "$BVOPS" logs node-0 -f "$TMP/alias.toml" --lines 1
check_eq "a Host alias: HostName, Port, User, IdentityFile, UserKnownHostsFile" "$RC:$ERR" "0:"
check_contains "the journal" "$OUT" "node-0 tsm["
run "$BVOPS" hostkey node-0 -f "$TMP/alias.toml"
check_eq "hostkey: known" "$RC" 0
check_contains "in the config's known_hosts" "$OUT" "known (in $SSH_DIR/known_hosts)"
cfg_fleet via-jump "$TMP/ssh_config" >"$TMP/jump.toml"
run "$BVOPS" logs node-0 -f "$TMP/jump.toml" --lines 1
check_eq "ProxyJump" "$RC:$ERR" "0:"
cfg_fleet via-proxy "$TMP/ssh_config" >"$TMP/viaproxy.toml"
run "$BVOPS" logs node-0 -f "$TMP/viaproxy.toml" --lines 1
check_eq "ProxyCommand with %h %p" "$RC:$ERR" "0:"
# The fleet's own [ssh] identity comes first, as ssh's -i before its config.
cfg_fleet node0-alias "$TMP/ssh_config" "identity = \"$SSH_DIR/id_rsa\"" >"$TMP/alias_rsa.toml"
run "$BVOPS" logs node-0 -f "$TMP/alias_rsa.toml" --lines 1
check_eq "the fleet's identity wins" "$RC" 3
check_contains "and is the one refused" "$ERR" "refused the RSA key"
# A config OpenSSH refuses: its own words, file and line.
printf 'Host *\n\tBogusOption yes\n' >"$TMP/bad_ssh_config"
cfg_fleet node0-alias "$TMP/bad_ssh_config" >"$TMP/badcfg.toml"
run "$BVOPS" logs node-0 -f "$TMP/badcfg.toml" --lines 1
check_eq "a bad config: exit" "$RC" 3
check_contains "names the node, the file and the line" "$ERR" "node-0: ssh -G node0-alias: $TMP/bad_ssh_config: line 2: Bad configuration option: bogusoption"
test_end

test_begin known_hosts_port_rule_is_openssh_s
# A line for the bare address is port 22's: OpenSSH does not use it for
# another port, and neither does bvops.
printf '127.0.0.1 %s\n' "$(cut -d' ' -f1,2 "$SSH_DIR/host_ed25519.pub")" >"$TMP/bare_known"
SSH_KNOWN="$TMP/bare_known" ssh_fleet "$SSH_PORT" >"$TMP/bare.toml"
run "$BVOPS" logs node-0 -f "$TMP/bare.toml"
check_eq "exit" "$RC" 3
check_contains "unknown" "$ERR" "unknown host key for [127.0.0.1]:$SSH_PORT"
test_end

test_begin rsa_key_refused_with_reason
SSH_IDENTITY="$SSH_DIR/id_rsa" ssh_fleet "$SSH_PORT" >"$TMP/rsa.toml"
run "$BVOPS" logs node-0 -f "$TMP/rsa.toml"
check_eq "exit" "$RC" 3
check_contains "says it is the RSA key" "$ERR" "refused the RSA key"
check_contains "and what to use" "$ERR" "use an ed25519 or ecdsa key"
test_end

test_begin passphrase_without_terminal
SSH_IDENTITY="$SSH_DIR/id_ecdsa" ssh_fleet "$SSH_PORT" >"$TMP/ecdsa.toml"
run setsid "$BVOPS" logs node-0 -f "$TMP/ecdsa.toml"
check_eq "exit" "$RC" 3
check_contains "why" "$ERR" "key $SSH_DIR/id_ecdsa needs a passphrase"
test_end

test_begin passphrase_prompt_on_terminal
tmux -S "$TMUX_SOCK" new-session -d -x 100 -y 20 \
	"$BVOPS logs node-0 -f $TMP/ecdsa.toml --lines 2 >$TMP/pp.out 2>$TMP/pp.err; echo done >$TMP/pp.done"
screen_wait "$TMUX_SOCK" "Passphrase for" 100
check_contains "asked" "$(tmux -S "$TMUX_SOCK" capture-pane -p)" "Passphrase for $SSH_DIR/id_ecdsa:"
tmux -S "$TMUX_SOCK" send-keys "s3cret" Enter
wait_for "$TMP/pp.done" done
check_not_contains "not echoed" "$(tmux -S "$TMUX_SOCK" capture-pane -p 2>/dev/null)" "s3cret"
check_eq "then the journal" "$(grep -c 'node-0 tsm\[' "$TMP/pp.out")" 2
test_end

test_begin passphrase_prompt_in_the_console
tmux -S "$TMUX_SOCK2" kill-server 2>/dev/null
tmux -S "$TMUX_SOCK2" new-session -d -x 100 -y 24 \
	"env TERM=xterm-256color LANG=C.UTF-8 $BVOPS -f $TMP/ecdsa.toml; echo done >$TMP/pc.done"
screen_wait "$TMUX_SOCK2" "node-0" 100
tmux -S "$TMUX_SOCK2" send-keys l
screen_wait "$TMUX_SOCK2" "Passphrase for" 150
check_contains "asked in the footer" "$(tmux -S "$TMUX_SOCK2" capture-pane -p)" "Passphrase for $SSH_DIR/id_ecdsa (Esc: skip):"
tmux -S "$TMUX_SOCK2" send-keys "s3cret"
screen_wait "$TMUX_SOCK2" '******_' 50
check_not_contains "not shown" "$(tmux -S "$TMUX_SOCK2" capture-pane -p)" "s3cret"
check_contains "stars" "$(tmux -S "$TMUX_SOCK2" capture-pane -p)" "******_"
tmux -S "$TMUX_SOCK2" send-keys Enter
screen_wait "$TMUX_SOCK2" "tsm[1099]: heartbeat" 150
check_contains "then the journal over ssh" "$(tmux -S "$TMUX_SOCK2" capture-pane -p)" "tsm[1099]: heartbeat"
tmux -S "$TMUX_SOCK2" send-keys Escape q
wait_for "$TMP/pc.done" done
tmux -S "$TMUX_SOCK2" kill-server 2>/dev/null
test_end

test_begin one_connection_per_node
tmux -S "$TMUX_SOCK3" new-session -d -x 100 -y 30 \
	"env TERM=xterm-256color LANG=C.UTF-8 $BVOPS -f $F; echo done >$TMP/one.done"
screen_wait "$TMUX_SOCK3" "node-0" 100
tmux -S "$TMUX_SOCK3" send-keys l Tab c
for i in $(seq 150); do
	S=$(tmux -S "$TMUX_SOCK3" capture-pane -p 2>/dev/null)
	case "$S" in *"tsm[1099]: heartbeat"*"[ E44 ]"*) break ;; esac
	tick 0.1
done
S=$(tmux -S "$TMUX_SOCK3" capture-pane -p)
check_contains "journal over ssh" "$S" "tsm[1099]: heartbeat"
check_contains "console over ssh" "$S" "[ E44 ]"
pid=$(pgrep -P "$(tmux -S "$TMUX_SOCK3" display -p '#{pane_pid}')" | head -1)
check_eq "journal and console share one connection" \
	"$(ss -tnp state established "( dport = :$SSH_PORT )" | grep -c "pid=$pid,")" 1
tmux -S "$TMUX_SOCK3" send-keys Escape q
wait_for "$TMP/one.done" done
tmux -S "$TMUX_SOCK3" kill-server 2>/dev/null
test_end

test_begin agent_auth
eval "$(ssh-agent -s -a "$TMP/agent.sock")" >/dev/null
AGENT_PID=$SSH_AGENT_PID
ssh-add -q "$SSH_DIR/id_ed25519" 2>/dev/null
SSH_AGENT_ON=true SSH_IDENTITY="$TMP/no-such-key" ssh_fleet "$SSH_PORT" >"$TMP/agent.toml"
run "$BVOPS" logs node-0 -f "$TMP/agent.toml" --lines 1
check_eq "signed in through the agent" "$RC" 0
check_contains "journal" "$OUT" "node-0 tsm["
SSH_AGENT_ON=false SSH_IDENTITY="$TMP/no-such-key" ssh_fleet "$SSH_PORT" >"$TMP/noagent.toml"
run "$BVOPS" logs node-0 -f "$TMP/noagent.toml" --lines 1
check_eq "agent = false: not used" "$RC" 3
check_contains "why" "$ERR" "accepted none of our keys"
# An agent holding only an RSA key: refused, and said why.
ssh-add -q -D 2>/dev/null
ssh-add -q "$SSH_DIR/id_rsa" 2>/dev/null
run "$BVOPS" logs node-0 -f "$TMP/agent.toml" --lines 1
check_eq "the agent's RSA key: exit" "$RC" 3
check_contains "says it is the RSA key" "$ERR" "refused the RSA key"
kill "$AGENT_PID"
AGENT_PID=""
unset SSH_AUTH_SOCK SSH_AGENT_PID
# An agent that never answers must not hang anything: bvops gives it a
# second, then signs in with the key file.
setsid socat UNIX-LISTEN:"$TMP/hung.sock",fork EXEC:"tail -f /dev/null" 2>/dev/null &
hung_pid=$!
for i in $(seq 50); do [ -S "$TMP/hung.sock" ] && break; tick 0.1; done
SSH_AGENT_ON=true ssh_fleet "$SSH_PORT" >"$TMP/hung.toml"
SSH_AUTH_SOCK="$TMP/hung.sock" run "$BVOPS" logs node-0 -f "$TMP/hung.toml" --lines 1
check_eq "a hung agent is passed over" "$RC" 0
check_contains "journal" "$OUT" "node-0 tsm["
kill -- -"$hung_pid" 2>/dev/null
wait "$hung_pid" 2>/dev/null
test_end

test_begin run_to_completion_and_timeout
run "$TRUN" "$F" node-0 enclave_state 10000
check_eq "ran" "$RC" 0
check_contains "exit status" "$OUT" "exit=0 timed_out=0"
check_contains "output" "$OUT" "out="
ssh_fleet "$SSH_PORT" '[node.commands]\nstop = "echo gone >&2; exit 7"\nrestart = "tail -f /dev/null"' >"$TMP/hang.toml"
run "$TRUN" "$TMP/hang.toml" node-0 stop 10000
check_contains "exit status and stderr apart" "$OUT" "exit=7 timed_out=0"
check_contains "stderr" "$OUT" "err=gone"
run "$TRUN" "$TMP/hang.toml" node-0 restart 1000
check_eq "a hanging command returns" "$RC" 0
check_contains "timed out" "$OUT" "exit=-1 timed_out=1"
test_end

test_begin connect_timeout
SILENT=$(free_port)
setsid socat TCP-LISTEN:"$SILENT",bind=127.0.0.1,reuseaddr,fork EXEC:"tail -f /dev/null" 2>/dev/null &
silent_pid=$!
wait_port "$SILENT"
SSH_CONNECT_TIMEOUT=1s ssh_fleet "$SILENT" >"$TMP/silent.toml"
run "$BVOPS" logs node-0 -f "$TMP/silent.toml"
check_eq "exit" "$RC" 3
check_contains "why" "$ERR" "no SSH connection to 127.0.0.1:$SILENT within the connect timeout"
kill -- -"$silent_pid" 2>/dev/null
wait "$silent_pid" 2>/dev/null
CLOSED=$(free_port)
ssh_fleet "$CLOSED" >"$TMP/closed.toml"
run "$BVOPS" logs node-0 -f "$TMP/closed.toml"
check_eq "refused exit" "$RC" 3
check_contains "refused" "$ERR" "cannot connect to 127.0.0.1:$CLOSED: Connection refused"
test_end

test_begin proxy_command
ssh_fleet "$SSH_PORT" 'ssh_proxy_command = "socat - TCP:%h:%p"' >"$TMP/proxy.toml"
run "$BVOPS" logs node-0 -f "$TMP/proxy.toml" --lines 1
check_eq "through the proxy" "$RC" 0
check_contains "journal" "$OUT" "node-0 tsm["
ssh_fleet "$SSH_PORT" 'ssh_proxy_command = "echo no route to %h for %r >&2; exit 1"' >"$TMP/badproxy.toml"
run "$BVOPS" logs node-0 -f "$TMP/badproxy.toml"
check_eq "exit" "$RC" 3
check_contains "the proxy's own words" "$ERR" "proxy command said: no route to 127.0.0.1 for $SSH_USER"
# The proxy is a child like any other: no AWS secret in its environment
# (the aws CLI it runs finds its own credentials, as bvops's children do).
ssh_fleet "$SSH_PORT" "ssh_proxy_command = \"env >$TMP/proxy.env; exec socat - TCP:%h:%p\"" >"$TMP/envproxy.toml"
run env AWS_SECRET_ACCESS_KEY=s3cr3t-key AWS_SESSION_TOKEN=s3ss10n AWS_ACCESS_KEY_ID=AKIAEXAMPLE \
	AWS_REGION=eu-west-1 "$BVOPS" logs node-0 -f "$TMP/envproxy.toml" --lines 1
check_eq "through the recording proxy" "$RC" 0
check_not_contains "no secret key" "$(cat "$TMP/proxy.env")" "s3cr3t-key"
check_not_contains "no session token" "$(cat "$TMP/proxy.env")" "s3ss10n"
check_contains "the region stays" "$(cat "$TMP/proxy.env")" "AWS_REGION=eu-west-1"
test_end

test_begin stream_survives_a_cut_link
RELAY=$(free_port)
relay_start "$RELAY"
printf '[127.0.0.1]:%s %s\n' "$RELAY" "$(cut -d' ' -f1,2 "$SSH_DIR/host_ed25519.pub")" >>"$SSH_DIR/known_hosts"
ssh_fleet "$RELAY" >"$TMP/relay.toml"
"$BVOPS" logs node-0 --follow -f "$TMP/relay.toml" >"$TMP/follow.out" 2>"$TMP/follow.err" &
LOGS_PID=$!
wait_for "$TMP/follow.out" "heartbeat"
check_contains "streaming" "$(cat "$TMP/follow.out")" "heartbeat ok"
relay_kill
wait_for "$TMP/follow.err" "reconnecting"
check_contains "noticed" "$(cat "$TMP/follow.err")" "reconnecting in"
relay_start "$RELAY"
wait_for "$TMP/follow.out" "reconnected; lines may be missing"
before=$(grep -n "reconnected" "$TMP/follow.out" | head -1 | cut -d: -f1)
for i in $(seq 150); do
	[ "$(tail -n +"$((before + 1))" "$TMP/follow.out" | grep -c heartbeat)" -ge 1 ] && break
	tick 0.1
done
check_contains "gap marked" "$(cat "$TMP/follow.out")" "-- node-0 journal reconnected; lines may be missing --"
check_eq "lines flow again" "$(tail -n +"$((before + 1))" "$TMP/follow.out" | grep -c heartbeat | awk '{print ($1 > 0)}')" 1
test_end

test_begin dead_link_noticed_within_seconds
: >"$TMP/follow.err"
wait_for "$TMP/follow.out" "heartbeat"
kill -STOP -- -"$RELAY_PID"
t0=$(date +%s)
wait_for "$TMP/follow.err" "the link is down" 200
t1=$(date +%s)
check_contains "said so" "$(tr -d '\000' <"$TMP/follow.err")" "the link is down"
check_eq "within 10 s (keepalive 1s)" "$(( t1 - t0 <= 10 ))" 1
kill -INT "$LOGS_PID"
wait "$LOGS_PID"
check_eq "Ctrl-C ends it cleanly" "$?" 0
LOGS_PID=""
relay_kill
test_end

summary
