#!/usr/bin/env bash
# Shell completion as a user gets it: bash's function called the way bash
# calls it, and zsh's in a real interactive zsh (tmux: keys in, screen
# back): commands, their words, options, node names from the fleet file.
# usage: tests/completion.sh BVOPS
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
BVOPS=$(realpath "$1")
TMP=$(mktemp -d)
SOCK="$TMP/tmux.sock"
trap 'tmux -S "$SOCK" kill-server 2>/dev/null; rm -rf "$TMP"' EXIT
mkdir -p "$TMP/bin"
ln -s "$BVOPS" "$TMP/bin/bvops"
FLEET=$PWD/demo/fleet.toml

# comp WORDS...: what bash's completion offers for the last word.
comp() {
	bash -c '. contrib/completion/bvops.bash
		COMP_WORDS=(bvops "$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_bvops; printf "%s\n" "${COMPREPLY[@]}"' bash "$@" | sort | tr '\n' ' '
}

test_begin bash_completes_commands_options_and_nodes
check_eq "registered for bvops" "$(bash -c '. contrib/completion/bvops.bash; complete -p bvops')" "complete -F _bvops bvops"
check_contains "commands" "$(comp "")" "access config debug discover doctor ers hostkey incident lock logs maintenance node procedure rearm status watch"
check_eq "a command's words" "$(comp config "")" "edit get lint restore validate "
check_eq "a prefix" "$(comp procedure r)" "resume rollback "
check_eq "node names from -f FILE" "$(comp -f "$FLEET" config edit "")" "node-0 node-1 node-2 "
check_eq "from BVOPS_FLEET" "$(BVOPS_FLEET=$FLEET comp logs node-)" "node-0 node-1 node-2 "
check_contains "a command's options" "$(comp -f "$FLEET" logs node-0 --)" "--follow"
check_contains "all of them" "$(comp -f "$FLEET" logs node-0 --)" "--lines"
check_contains "and the global ones" "$(comp logs node-0 --)" "--read-only"
check_eq "themes" "$(comp --theme "")" "dark light mono "
check_eq "log sources" "$(comp logs node-0 --source "")" "console journal "
mkdir -p "$TMP/aws"
printf '[default]\nregion = x\n[profile node-1-admin]\nrole_arn = r\n' >"$TMP/aws/config"
printf '[ops]\naws_access_key_id = k\n' >"$TMP/aws/credentials"
check_eq "AWS profiles" "$(AWS_CONFIG_FILE="$TMP/aws/config" AWS_SHARED_CREDENTIALS_FILE="$TMP/aws/credentials" comp --profile "")" "node-1-admin ops "
check_eq "a profile is a value, not the command" "$(comp --profile ops "")" "$(comp "")"
test_end

test_begin zsh_completes_in_an_interactive_shell
if ! command -v zsh >/dev/null; then
	fail "zsh is not installed (make deps)"
else
	tmux -S "$SOCK" -f /dev/null new-session -d -s z -x 120 -y 30 \
		"env -i HOME=$TMP PATH=$TMP/bin:/usr/bin:/bin TERM=xterm-256color zsh -f"
	tmux -S "$SOCK" send-keys -t z "PS1='%% '; fpath=($PWD/contrib/completion \$fpath); autoload -U compinit; compinit -u; echo READY-\$((40 + 2))" Enter
	tmux_expect "$SOCK" z "READY-42" 200
	tmux -S "$SOCK" send-keys -t z "bvops -f $FLEET config e" Tab
	tmux_expect "$SOCK" z "config edit" 200
	# The common part first (node-), then the list.
	tmux -S "$SOCK" send-keys -t z Tab
	tmux_expect "$SOCK" z "config edit node-" 200
	tmux -S "$SOCK" send-keys -t z Tab
	tmux_expect "$SOCK" z "node-2" 200
	check_contains "the node names offered" "$(tmux -S "$SOCK" capture-pane -p -t z)" "node-0"
	tmux -S "$SOCK" send-keys -t z C-u "bvops --theme l" Tab
	tmux_expect "$SOCK" z "bvops --theme light" 200
	tmux -S "$SOCK" send-keys -t z C-u "bvops logs node-0 --fo" Tab
	tmux_expect "$SOCK" z "--follow" 200
fi
test_end

summary
