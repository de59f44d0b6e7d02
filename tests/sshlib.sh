# A real OpenSSH sshd for the ssh transport tests (source after lib.sh).
# ssh_start: generated host key and user keys in $SSH_DIR, sshd on a free
# 127.0.0.1 port ($SSH_PORT), known_hosts holding its key. ssh_stop ends
# it. Keys: id_ed25519 (no passphrase), id_ecdsa (passphrase "s3cret"),
# id_rsa (no passphrase; libssh2 1.10 cannot use it with OpenSSH 9).

SSHD=${SSHD:-/usr/sbin/sshd}
SSHD_PID=""

ssh_start() {
	SSH_DIR=$(mktemp -d)
	chmod 700 "$SSH_DIR"
	ssh-keygen -q -t ed25519 -N '' -C host -f "$SSH_DIR/host_ed25519" || return 1
	ssh-keygen -q -t ed25519 -N '' -C other -f "$SSH_DIR/other_host" || return 1
	ssh-keygen -q -t ed25519 -N '' -C user -f "$SSH_DIR/id_ed25519" || return 1
	ssh-keygen -q -t ecdsa -N 's3cret' -C user -f "$SSH_DIR/id_ecdsa" || return 1
	ssh-keygen -q -t rsa -b 2048 -N '' -C user -f "$SSH_DIR/id_rsa" || return 1
	cat "$SSH_DIR"/id_ed25519.pub "$SSH_DIR"/id_ecdsa.pub \
		"$SSH_DIR"/id_rsa.pub >"$SSH_DIR/authorized_keys"
	SSH_PORT=$(free_port)
	SSH_USER=$(id -un)
	cat >"$SSH_DIR/sshd_config" <<CONF
ListenAddress 127.0.0.1
Port $SSH_PORT
HostKey $SSH_DIR/host_ed25519
AuthorizedKeysFile $SSH_DIR/authorized_keys
PidFile $SSH_DIR/sshd.pid
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
LogLevel ERROR
CONF
	[ "$(id -u)" -eq 0 ] && mkdir -p /run/sshd
	"$SSHD" -D -e -f "$SSH_DIR/sshd_config" 2>"$SSH_DIR/sshd.log" &
	SSHD_PID=$!
	wait_port "$SSH_PORT" || { echo "sshd did not start"; cat "$SSH_DIR/sshd.log"; return 1; }
	printf '[127.0.0.1]:%s %s\n' "$SSH_PORT" "$(cut -d' ' -f1,2 "$SSH_DIR/host_ed25519.pub")" \
		>"$SSH_DIR/known_hosts"
	SSH_FP=$(ssh-keygen -l -E sha256 -f "$SSH_DIR/host_ed25519.pub" | cut -d' ' -f2)
}

# ssh_fleet PORT [NODE EXTRA TOML] [SSH EXTRA TOML]: a one-node fleet
# (node-0 of the running simulator) reached over ssh.
ssh_fleet() {
	local port=$1 extra=${2:-} sshextra=${3:-}
	printf '[fleet]\nname = "sshfleet"\n\n'
	printf '[ssh]\nknown_hosts = "%s"\nidentity = "%s"\nagent = %s\n' \
		"${SSH_KNOWN:-$SSH_DIR/known_hosts}" "${SSH_IDENTITY:-$SSH_DIR/id_ed25519}" "${SSH_AGENT_ON:-false}"
	printf 'connect_timeout = "%s"\nkeepalive = "1s"\n%b\n' "${SSH_CONNECT_TIMEOUT:-5s}" "$sshextra"
	sim_commands
	printf '\n[[node]]\nname = "node-0"\nindex = 0\n'
	printf 'ping_url = "http://127.0.0.1:%s/ping"\n' "$(awk '$1=="node-0"{print $2}' "$SIM_DIR/ports")"
	printf 'transport = "ssh"\nssh = "%s@127.0.0.1:%s"\nenclave_name = "node-0"\n%b\n' \
		"$SSH_USER" "$port" "$extra"
}

# ssh_start_more "HOSTKEY..." [CERT]: one more sshd like the first, with
# only these host keys (and the certificate CERT); its port in
# SSH_MORE_PORT.
SSH_MORE_PIDS=""
ssh_start_more() {
	local conf="$SSH_DIR/sshd_more_$#_$RANDOM.conf"
	SSH_MORE_PORT=$(free_port)
	local k
	sed -e "s/^Port .*/Port $SSH_MORE_PORT/" -e "/^HostKey /d" \
		-e "s|^PidFile .*|PidFile $conf.pid|" "$SSH_DIR/sshd_config" >"$conf"
	for k in $1; do
		echo "HostKey $k" >>"$conf"
	done
	[ -n "${2:-}" ] && echo "HostCertificate $2" >>"$conf"
	"$SSHD" -D -e -f "$conf" 2>>"$SSH_DIR/sshd.log" &
	SSH_MORE_PIDS="$SSH_MORE_PIDS $!"
	wait_port "$SSH_MORE_PORT" || { echo "sshd did not start"; cat "$SSH_DIR/sshd.log"; return 1; }
}

ssh_stop() {
	local p
	for p in $SSH_MORE_PIDS; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	SSH_MORE_PIDS=""
	if [ -n "$SSHD_PID" ]; then
		kill "$SSHD_PID" 2>/dev/null
		wait "$SSHD_PID" 2>/dev/null
		SSHD_PID=""
	fi
	[ -n "${SSH_DIR:-}" ] && rm -rf "$SSH_DIR"
}
