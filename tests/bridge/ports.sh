# shellcheck shell=bash
# ports.sh - free_port: a TCP port nothing listens on, for a test's broker
# or web server. Sourced by the bridge's and the phone page's test scripts.
# Reads /proc/net/tcp{,6} rather than running ss or netstat, which a fresh
# Debian (CI's machine) does not have.

# free_port: print a port in 20000-59999 that no socket listens on (state
# 0A) and that this script has not handed out before.
free_port() {
	local p hex
	while :; do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		hex=$(printf '%04X' "$p")
		if ! awk -v h=":$hex" 'substr($2, length($2) - 4) == h && $4 == "0A" {f = 1}
				     END {exit !f}' /proc/net/tcp /proc/net/tcp6 2>/dev/null &&
		   [[ " ${PORTS_TAKEN:-} " != *" $p "* ]]; then
			PORTS_TAKEN="${PORTS_TAKEN:-} $p"
			echo "$p"
			return
		fi
	done
}
