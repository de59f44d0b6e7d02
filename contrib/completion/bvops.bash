# bash completion for bvops: its commands and their words, every option,
# node names from the fleet file (-f FILE, else $BVOPS_FLEET, else the
# config folder's), procedure and incident ids from bvops itself, themes.
# Installed as PREFIX/share/bash-completion/completions/bvops.

# The fleet file the command line names (what bvops itself would load).
_bvops_fleet() {
	local i
	for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
		case ${COMP_WORDS[i]} in
		-f | --fleet) printf '%s\n' "${COMP_WORDS[i + 1]/#\~/$HOME}"; return ;;
		--fleet=*) printf '%s\n' "${COMP_WORDS[i]#--fleet=}"; return ;;
		esac
	done
	if [ -n "${BVOPS_FLEET:-}" ]; then
		printf '%s\n' "$BVOPS_FLEET"
	else
		printf '%s\n' "${XDG_CONFIG_HOME:-$HOME/.config}/bvops/fleet.toml"
	fi
}

# The node names of the fleet file: name = "..." in each [[node]].
_bvops_nodes() {
	local f
	f=$(_bvops_fleet)
	[ -r "$f" ] || return
	awk '/^[ \t]*\[\[node\]\]/ { innode = 1; next }
	     /^[ \t]*\[/ { innode = 0 }
	     innode && /^[ \t]*name[ \t]*=/ {
		sub(/^[^=]*=[ \t]*"/, ""); sub(/".*/, ""); print }' "$f"
}

# The AWS profiles of ~/.aws/config and ~/.aws/credentials (or where
# AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE say).
_bvops_profiles() {
	sed -n 's/^[ \t]*\[profile[ \t]*\([^] \t]*\)[ \t]*\].*/\1/p' \
		"${AWS_CONFIG_FILE:-$HOME/.aws/config}" 2>/dev/null
	sed -n 's/^[ \t]*\[\([^] \t]*\)\].*/\1/p' \
		"${AWS_SHARED_CREDENTIALS_FILE:-$HOME/.aws/credentials}" 2>/dev/null
}

# Ids bvops lists for WHAT ("procedure" or "incident").
_bvops_ids() {
	bvops -f "$(_bvops_fleet)" "$1" list --json 2>/dev/null |
		grep -o '"id":"[^"]*"' | cut -d'"' -f4
}

_bvops() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local globals="-f --fleet --theme --yes --dry-run --force --offline --read-only --json --profile --region --debug --help --version"
	local cmd="" sub="" i w nwords=0
	COMPREPLY=()
	case $prev in
	-f | --fleet | --fragment | --write) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--theme) COMPREPLY=($(compgen -W "dark light mono" -- "$cur")); return ;;
	--profile) COMPREPLY=($(compgen -W "$(_bvops_profiles)" -- "$cur")); return ;;
	--source) COMPREPLY=($(compgen -W "journal console" -- "$cur")); return ;;
	--reason | --for | --wait | --stop-wait | --lines | --backup | --preset | \
		--namespace | --env | --ping-url | --name | --region) return ;;
	esac
	# The command and its word, skipping options and their values.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-f | --fleet | --theme | --source | --reason | --for | --wait | \
			--stop-wait | --lines | --backup | --fragment | --preset | \
			--namespace | --env | --write | --ping-url | --name | --region | \
			--profile)
			((i++)) ;;
		-*) ;;
		*)
			if [ -z "$cmd" ]; then cmd=$w; elif [ -z "$sub" ]; then sub=$w; fi
			((nwords++)) ;;
		esac
	done
	local opts=""
	case $cmd in
	"") opts="status access watch maintenance rearm node doctor incident logs hostkey config debug ers procedure lock discover" ;;
	status | access | watch) opts="" ;;
	maintenance) opts="--reason --for --end" ;;
	logs) opts="--source --follow --lines --since-debug" ;;
	hostkey) opts="--trust" ;;
	discover) opts="--namespace --env --write --force --ping-url --name --region" ;;
	incident | config | debug | ers | procedure | lock | node)
		if [ "$nwords" -eq 1 ]; then
			case $cmd in
			node) opts="restart stop start" ;;
			incident) opts="list show export" ;;
			config) opts="get edit restore validate lint" ;;
			debug) opts="enter exit status" ;;
			ers) opts="apply revert status" ;;
			procedure) opts="list resume rollback abandon" ;;
			lock) opts="status break" ;;
			esac
		else
			case $cmd/$sub in
			incident/show) opts="--text" ;;
			incident/export) opts="--text --force" ;;
			config/get) opts="--raw --force --where" ;;
			config/edit) opts="--restart --wait --show-secrets" ;;
			config/restore) opts="--backup --restart" ;;
			debug/enter) opts="--no-console" ;;
			debug/exit) opts="--wait" ;;
			ers/apply) opts="--fragment --preset --wait --stop-wait" ;;
			ers/revert) opts="--fragment --preset --wait" ;;
			ers/status) opts="--fragment --preset" ;;
			procedure/resume) opts="--restart" ;;
			node/*) opts="--wait" ;;
			esac
		fi ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts $globals" -- "$cur"))
		return
	fi
	case $cmd/$sub/$nwords in
	/*) COMPREPLY=($(compgen -W "$opts" -- "$cur")) ;;
	maintenance//1 | rearm//1 | doctor//1 | logs//1 | hostkey//1 | config/get/2 | \
		config/edit/2 | config/restore/2 | debug/enter/2 | debug/exit/2 | \
		node/restart/2 | node/stop/2 | node/start/2)
		COMPREPLY=($(compgen -W "$(_bvops_nodes)" -- "$cur")) ;;
	config/validate/2 | incident/export/3) COMPREPLY=($(compgen -f -- "$cur")) ;;
	procedure/resume/2 | procedure/rollback/2 | procedure/abandon/2)
		COMPREPLY=($(compgen -W "$(_bvops_ids procedure)" -- "$cur")) ;;
	incident/show/2 | incident/export/2)
		COMPREPLY=($(compgen -W "$(_bvops_ids incident)" -- "$cur")) ;;
	*/*/1) COMPREPLY=($(compgen -W "$opts" -- "$cur")) ;;
	esac
}
complete -F _bvops bvops
