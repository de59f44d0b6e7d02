# Helpers for the shell tests. Each test file sources this, calls check_*
# for every assertion, and ends with summary (prints "N passed, N failed").
# A test is one named block: test_begin NAME ... test_end.

# libssh2 1.10 leaks a few bytes of OpenSSL state when it loads an ECDSA
# key; that is its leak, not ours (tests/lsan.supp).
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"

PASSED=0
FAILED=0
CURRENT=""
CURRENT_FAILS=0

test_begin() {
	CURRENT=$1
	CURRENT_FAILS=0
}

test_end() {
	if [ "$CURRENT_FAILS" -eq 0 ]; then
		PASSED=$((PASSED + 1))
	else
		FAILED=$((FAILED + 1))
		echo "FAIL $CURRENT"
	fi
	CURRENT=""
}

fail() {
	echo "  $CURRENT: $*"
	CURRENT_FAILS=$((CURRENT_FAILS + 1))
}

# check_eq WHAT GOT WANT
check_eq() {
	[ "$2" = "$3" ] || fail "$1: got [$2], want [$3]"
}

# check_contains WHAT HAYSTACK NEEDLE
check_contains() {
	case "$2" in
	*"$3"*) ;;
	*) fail "$1: [$2] does not contain [$3]" ;;
	esac
}

check_not_contains() {
	case "$2" in
	*"$3"*) fail "$1: [$2] contains [$3]" ;;
	*) ;;
	esac
}

# run CMD...: sets OUT, ERR, RC. Never hangs: 20 s at most.
run() {
	local o e
	o=$(mktemp) e=$(mktemp)
	timeout 20 "$@" >"$o" 2>"$e" </dev/null
	RC=$?
	OUT=$(cat "$o")
	ERR=$(cat "$e")
	rm -f "$o" "$e"
}

# A short pause for polling loops: a read that times out on a FIFO that
# nobody writes to. Callers bound their loops.
TICK_FIFO=""
tick() {
	if [ -z "$TICK_FIFO" ]; then
		TICK_FIFO=$(mktemp -u)
		mkfifo "$TICK_FIFO"
		exec 9<>"$TICK_FIFO"
		rm -f "$TICK_FIFO"
	fi
	read -r -t "${1:-0.05}" -u 9 _ || true
}

# tmux_wait SOCKET TARGET TEXT [TICKS]: until tmux pane TARGET (on the
# server at SOCKET) shows TEXT, a fixed string; at most TICKS ticks of 50 ms
# (default 300). 1 when it never does. Every console test waits with it.
tmux_wait() {
	local i
	for i in $(seq "${4:-300}"); do
		tmux -S "$1" capture-pane -p ${2:+-t "$2"} 2>/dev/null |
			grep -qF -- "$3" && return 0
		tick
	done
	return 1
}

# json_field JSON PYEXPR: PYEXPR over the document d, printed.
json_field() {
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"
}

# tmux_expect SOCKET TARGET TEXT [TICKS]: tmux_wait as a check: when TEXT
# never shows, a failure with the screen as it was.
tmux_expect() {
	tmux_wait "$@" && return 0
	fail "timed out waiting for [$3]; screen was:"
	tmux -S "$1" capture-pane -p ${2:+-t "$2"} 2>/dev/null | sed 's/^/    | /'
	return 1
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_port PORT: until something listens there (at most 15 s).
wait_port() {
	local i
	for i in $(seq 300); do
		python3 -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1',$1)))" && return 0
		tick 0.05
	done
	return 1
}

summary() {
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}
