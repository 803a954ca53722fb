# certs.sh - sesame-certs: its files and modes, what it refuses, and its
# output used as its messages say, by Debian's mosquitto with TLS, by
# mosquitto_pub/sub with the client certificates, and by sesame-bridge
# opening a door (a FUSE stand-in for /dev/sesame).
# Sourced by run.sh, which sets top, here, VERSION, KVER and GUEST, and T
# before the first case.
#
# Each case names the fixtures that make the PKI, the broker and the bridge
# it looks at, as far as that one needs them, so that it runs alone too:
# pki-ca, pki-broker-cert, pki-clients (sesame-certs' own commands),
# tls-broker (mosquitto as sesame-certs says to set it up),
# letsencrypt-broker, bridge-stand-ins (the device and systemd's notify
# socket), bridge-online, bridge-stopped.
# shellcheck shell=bash disable=SC2154

certs=$top/scripts/sesame-certs

sc() { "$certs" -d "$pki" "$@"; }
mode() { stat -c %a "$1"; }
text() { openssl x509 -in "$1" -noout -text; }
subject() { openssl x509 -in "$1" -noout -subject -nameopt RFC2253 | sed 's/^subject=//'; }

# wait_until COMMAND...: until COMMAND succeeds, 10 s at most.
wait_until() {
	local i=0
	while [ $i -lt 100 ]; do
		"$@" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# wait_for FILE PATTERN: until FILE has a line matching PATTERN.
wait_for() {
	wait_until grep -q -- "$2" "$1" 2>/dev/null || { say "no '$2' in $1 after 10 s"; return 1; }
}

# The CA in $T/pki, which every other certificate comes from.
fixture:pki-ca() {
	pki=$T/pki
	check sc ca
}
ca_made() {
	[ "$(mode "$pki/ca.key")" = 600 ] || { say "ca.key mode $(mode "$pki/ca.key")"; return 1; }
	text "$pki/ca.crt" | grep -q 'CA:TRUE, pathlen:0' &&
		text "$pki/ca.crt" | grep -q 'Certificate Sign, CRL Sign'
}
case_def certs-ca "sesame-certs ca: a CA certificate (CA:TRUE, signs certificates) and a 0600 key" pki-ca
certs-ca() { check ca_made; }

ca_kept() {
	local sum
	sum=$(cat "$pki/ca.crt" "$pki/ca.key" | sha256sum)
	sc ca 2> "$T/ca2.err" && return 1
	grep -q 'exists' "$T/ca2.err" && [ "$(cat "$pki/ca.crt" "$pki/ca.key" | sha256sum)" = "$sum" ]
}
case_def certs-ca-kept "sesame-certs ca refuses to replace a CA, and leaves it as it was" pki-ca
certs-ca-kept() { check ca_kept; }

bad_broker() {
	local bad
	for bad in a_b 1.2.3 256.1.1.1 1..2.3 1.2.3.4.5 -x ''; do
		if sc broker "$bad" 2> /dev/null; then say "accepted '$bad'"; return 1; fi
		if sc broker localhost "$bad" 2> /dev/null; then say "accepted '$bad' second"; return 1; fi
	done
	[ ! -e "$pki/broker.key" ] && [ ! -e "$pki/broker.crt" ]
}
case_def certs-broker-refuses-bad-names "sesame-certs broker refuses bad host names and addresses, and creates nothing" \
	pki-ca
certs-broker-refuses-bad-names() { check bad_broker; }

fixture:pki-broker-cert() { check sc broker localhost 127.0.0.1; }
broker_made() {
	[ "$(mode "$pki/broker.key")" = 640 ] || { say "broker.key mode $(mode "$pki/broker.key")"; return 1; }
	text "$pki/broker.crt" | grep -q 'DNS:localhost, IP Address:127.0.0.1' || return 1
	text "$pki/broker.crt" | grep -q 'TLS Web Server Authentication' || return 1
	[ "$(subject "$pki/broker.crt")" != "$(subject "$pki/ca.crt")" ] || return 1
	openssl verify -CAfile "$pki/ca.crt" "$pki/broker.crt"
}
case_def certs-broker "sesame-certs broker: subjectAltName DNS:localhost, IP:127.0.0.1, serverAuth, a 0640 key, a subject unlike the CA's" \
	pki-ca pki-broker-cert
certs-broker() { check broker_made; }

client_ok() {
	[ "$(mode "$pki/clients/$1.key")" = 640 ] || { say "$1.key mode $(mode "$pki/clients/$1.key")"; return 1; }
	subject "$pki/clients/$1.crt" | grep -q "^CN=$1,OU=$2,O=sesame$" || { subject "$pki/clients/$1.crt"; return 1; }
	text "$pki/clients/$1.crt" | grep -q 'TLS Web Client Authentication' &&
		openssl verify -CAfile "$pki/ca.crt" "$pki/clients/$1.crt"
}
# The door front and the opener phone, which may open it; $T/door.out
# keeps what `sesame-certs door` printed (the bridge's set-up).
make_clients() {
	sc door front > "$T/door.out" && sc opener phone sesame/front > /dev/null
}
fixture:pki-clients() { check make_clients; }
clients_made() {
	client_ok front door && client_ok phone opener
}
case_def certs-door-and-opener "sesame-certs door and opener: client certificates (CN = the name, clientAuth), 0640 keys" \
	pki-ca pki-clients
certs-door-and-opener() { check clients_made; }

bad_clients() {
	local args
	for args in "door a/b" "door -x" "door x sesame/#" "door y /a" "door z a//b" \
		    "opener q" "opener r sesame/+" "door front"; do
		# shellcheck disable=SC2086 # split on purpose
		if sc $args 2> /dev/null; then say "accepted: $args"; return 1; fi
	done
	[ "$(ls "$pki/clients")" = "front.crt
front.key
phone.crt
phone.key" ] || { ls "$pki/clients"; return 1; }
}
case_def certs-clients-refuse-bad-names "sesame-certs refuses bad client names and topics, and an existing name, creating nothing" \
	pki-ca pki-clients
certs-clients-refuse-bad-names() { check bad_clients; }

many_doors() {
	local args
	sc doors -n 3 gate > /dev/null && client_ok gate01 door && client_ok gate03 door || return 1
	[ ! -e "$pki/clients/gate04.crt" ] || { say "gate04 was made"; return 1; }
	# One bad or taken name among good ones: none of them is issued.
	for args in "yard bad/name" "yard gate02"; do
		# shellcheck disable=SC2086 # split on purpose
		if sc doors $args 2> /dev/null; then say "accepted: doors $args"; return 1; fi
	done
	[ ! -e "$pki/clients/yard.crt" ] || { say "yard was issued"; return 1; }
	# The rules: templates, not an entry per door; one per opener.
	# shellcheck disable=SC2016 # EMQX's placeholder, literally
	sc rules mosquitto | grep -qx 'pattern read sesame/%u/set' &&
		! sc rules mosquitto | grep -q '^user gate' &&
		sc rules mosquitto | grep -qx 'topic write sesame/front/set' &&
		sc rules rabbitmq | grep -q '^for door in .*gate03' &&
		sc rules emqx | grep -qF '"sesame/${username}/set"'
}
case_def certs-many-doors "sesame-certs doors: many doors at once (or none, if a name is bad or taken); rules as templates" \
	pki-ca pki-clients
certs-many-doors() { check many_doors; }

# The broker as `sesame-certs mosquitto` says to set it up: its install
# commands run as printed, with /etc/mosquitto/conf.d/ moved into $broker,
# and Debian's mosquitto.conf reduced to what matters here.
# shellcheck disable=SC2034 # broker_start and broker_stop use it by name
broker_pid=
start_broker() {
	broker=$T/broker
	mkdir -p "$broker/certs" "$broker/conf.d"
	free_ports port
	sc mosquitto -p "$port" -c "$broker/certs" -a "$broker/sesame.acl" > "$T/mosq.out" || return 1
	grep '^  install ' "$T/mosq.out" | sed "s|/etc/mosquitto/conf.d/|$broker/conf.d/|" > "$T/mosq-install.sh"
	sh -e "$T/mosq-install.sh" || return 1
	cat > "$broker/mosquitto.conf" <<-EOF
	user $(id -un)
	persistence false
	log_dest stderr
	log_type all
	include_dir $broker/conf.d
	EOF
	: > "$broker/log"
	at_exit "broker_stop broker_pid"
	# The listener is in the file sesame-certs wrote, included from conf.d/.
	broker_start broker_pid "$broker/mosquitto.conf" "$broker/log" || { cat "$broker/log"; return 1; }
}
fixture:tls-broker() { check start_broker; }
tls_world="pki-ca pki-broker-cert pki-clients tls-broker"

listens_as_configured() {
	grep -q "Opening ipv4 listen socket on port $port" "$broker/log"
}
# shellcheck disable=SC2086 # the fixtures, split on purpose
case_def certs-mosquitto-starts "Debian's mosquitto starts with TLS from sesame-certs' mosquitto.conf, ACL and certificates" \
	$tls_world
certs-mosquitto-starts() { check listens_as_configured; }

# tls_as NAME: mosquitto_pub/sub's TLS options for NAME's client certificate.
tls_as() {
	local name=$1
	echo --cafile "$pki/ca.crt" --cert "$pki/clients/$name.crt" --key "$pki/clients/$name.key" -p "$port"
}

# command_arrives HOST: an "open" published by the opener, to HOST, reaches
# the door's subscription.
subs=0
command_arrives() {
	local sub
	subs=$((subs + 1))
	# shellcheck disable=SC2046 # the options, split on purpose
	mosquitto_sub -h "$1" $(tls_as front) -i "sub-$subs" -t sesame/front/set -C 1 -W 10 \
		> "$T/sub.out" 2> "$T/sub.err" &
	sub=$!
	wait_for "$broker/log" "Received SUBSCRIBE from sub-$subs\$" || { kill "$sub"; return 1; }
	# shellcheck disable=SC2046
	mosquitto_pub -h "$1" $(tls_as phone) -t sesame/front/set -m open || { kill "$sub"; return 1; }
	wait "$sub" || { cat "$T/sub.err"; return 1; }
	[ "$(cat "$T/sub.out")" = open ]
}
# shellcheck disable=SC2086
case_def certs-command-by-host-name "the opener's command reaches the door's subscription, by host name (localhost)" \
	$tls_world
certs-command-by-host-name() { check command_arrives localhost; }
# shellcheck disable=SC2086
case_def certs-command-by-ip "... and by the IP address in subjectAltName (127.0.0.1)" $tls_world
certs-command-by-ip() { check command_arrives 127.0.0.1; }

# refused OPTIONS...: mosquitto_pub fails, and the broker saw the TLS
# handshake fail (not some other error).
tls_errors() { grep -c 'OpenSSL Error' "$broker/log"; }
refused() {
	local before
	before=$(tls_errors)
	if mosquitto_pub "$@" -t sesame/front/set -m open > "$T/refused.err" 2>&1; then
		say "connected: mosquitto_pub $*"
		return 1
	fi
	wait_until [ "$(tls_errors)" -gt "$before" ] ||
		{ say "no TLS error in the broker's log"; cat "$T/refused.err"; return 1; }
}
# shellcheck disable=SC2086
case_def certs-unlisted-host-refused "a host name the certificate does not list (127.0.0.2) is refused" $tls_world
# shellcheck disable=SC2046
certs-unlisted-host-refused() { check refused -h 127.0.0.2 $(tls_as phone); }
# shellcheck disable=SC2086
case_def certs-no-client-cert-refused "a client without a certificate is refused" $tls_world
certs-no-client-cert-refused() { check refused -h localhost --cafile "$pki/ca.crt" -p "$port"; }

other_ca() {
	"$certs" -d "$T/pki2" ca > /dev/null && "$certs" -d "$T/pki2" opener phone sesame/front > /dev/null || return 1
	refused -h localhost --cafile "$pki/ca.crt" --cert "$T/pki2/clients/phone.crt" \
		--key "$T/pki2/clients/phone.key" -p "$port"
}
# shellcheck disable=SC2086
case_def certs-other-ca-refused "a client certificate from another sesame CA, with the same CN, is refused" $tls_world
certs-other-ca-refused() { check other_ca; }

# denied NAME TOPIC: MQTT 5 reports the ACL's refusal of a QoS 1 publish.
denied() {
	# shellcheck disable=SC2046
	mosquitto_pub -h localhost $(tls_as "$1") -V 5 -q 1 -t "$2" -m open > "$T/denied.out" 2>&1
	grep -q 'Not authorized' "$T/denied.out" || { cat "$T/denied.out"; return 1; }
}
acl_holds() {
	denied phone sesame/back/set && denied front sesame/front/set
}
# shellcheck disable=SC2086
case_def certs-acl-holds "the ACL keeps the opener to its own doors, and a door from commanding itself" $tls_world
certs-acl-holds() { check acl_holds; }

# The Let's Encrypt route (docs/broker.md): certbot's live/ directory holds
# fullchain.pem and privkey.pem; scripts/mosquitto-certbot-deploy copies them
# for mosquitto and reloads it. Two more sesame CAs stand in for Let's
# Encrypt, before and after a renewal; systemctl stands in for the broker's
# unit (its ExecReload= sends SIGHUP, as Debian's mosquitto.service does).
served() {
	openssl s_client -connect "127.0.0.1:$le_port" < /dev/null 2> /dev/null |
		openssl x509 -noout -fingerprint
}
fingerprint() { openssl x509 -in "$1" -noout -fingerprint; }
serves() { [ "$(served)" = "$(fingerprint "$1")" ]; }
le_lineage() {
	"$certs" -d "$le/$1" ca > /dev/null && "$certs" -d "$le/$1" broker localhost > /dev/null &&
		cp "$le/$1/broker.crt" "$le/live/localhost/fullchain.pem" &&
		cp "$le/$1/broker.key" "$le/live/localhost/privkey.pem"
}
le_hook() {
	PATH="$le/bin:$PATH" MOSQUITTO_CERTDIR="$le/certs" RENEWED_LINEAGE="$le/live/localhost" \
		"$top/scripts/mosquitto-certbot-deploy"
}
# The first certificate installed by the hook, and mosquitto serving it.
le_broker_pid=
le_first() {
	le=$T/le
	mkdir -p "$le/live/localhost" "$le/certs" "$le/bin"
	# try-reload-or-restart: SIGHUP to the broker if one runs.
	cat > "$le/bin/systemctl" <<-EOF
	#!/bin/sh
	[ "\$*" = "try-reload-or-restart mosquitto" ] || exit 1
	pid=\$(cat "$le/pid")
	[ -z "\$pid" ] || kill -HUP "\$pid"
	EOF
	chmod +x "$le/bin/systemctl"
	le_lineage issued || return 1
	# The first certificate: no broker runs yet.
	: > "$le/pid"
	le_hook || return 1
	free_ports le_port
	cat > "$le/mosquitto.conf" <<-EOF
	user $(id -un)
	persistence false
	log_dest stderr
	listener $le_port 127.0.0.1
	certfile $le/certs/broker-fullchain.pem
	keyfile $le/certs/broker-privkey.pem
	allow_anonymous true
	EOF
	at_exit "broker_stop le_broker_pid"
	broker_start le_broker_pid "$le/mosquitto.conf" "$le/log" || { cat "$le/log"; return 1; }
	echo "$le_broker_pid" > "$le/pid"
}
fixture:letsencrypt-broker() { check le_first; }

le_served() {
	if [ "$(stat -c '%a %G' "$le/certs/broker-privkey.pem")" != "640 mosquitto" ]; then
		ls -l "$le/certs"
		return 1
	fi
	serves "$le/issued/broker.crt"
}
case_def certs-letsencrypt-served "mosquitto serves a Let's Encrypt-style certificate that mosquitto-certbot-deploy installed (key 0640, group mosquitto)" \
	letsencrypt-broker
certs-letsencrypt-served() { check le_served; }

le_renewed() {
	le_lineage renewed && le_hook || return 1
	wait_until serves "$le/renewed/broker.crt" || { say "still served: $(served)"; return 1; }
}
case_def certs-letsencrypt-renewal "after a renewal, the hook's reload makes mosquitto serve the new certificate" \
	letsencrypt-broker
certs-letsencrypt-renewal() { check le_renewed; }

# ------------------------------------------------------------- sesame-bridge
#
# The bridge runs as its unit would run it, as far as that is possible
# without systemd: NOTIFY_SOCKET and WATCHDOG_USEC set (a Unix socket here
# records what it sends), and under strace, so that every system call it
# makes is checked against the unit's SystemCallFilter.

bridge_bin=build/bridge/sesame-bridge
fake=build/bridge/fake-sesame
# The device's stand-in and systemd's end of sd_notify(), once the bridge
# and fake-sesame are built; without FUSE they cannot be, and the bridge's
# cases skip.
fixture:bridge-stand-ins() {
	if [ ! -c /dev/fuse ] || ! command -v fusermount3 > /dev/null; then
		skip "no /dev/fuse or fusermount3 for the /dev/sesame stand-in"
		return
	fi
	make --no-print-directory "$bridge_bin" "$fake" > "$T/bridge-build.log" 2>&1 ||
		{ failed_with "$T/bridge-build.log" "make sesame-bridge and fake-sesame"; return; }

	# The stand-in device, as the bridge's own tests run it.
	mkdir -p "$T/dev" "$T/etc-sesame"
	: > "$T/device.log"
	at_exit "device_down '$T/mnt'"
	FAKE=$fake device_up "$T/mnt" "$T/device.log" ||
		{ failed_with "$T/fake.log" "fake-sesame did not mount"; return; }
	ln -s "$T/mnt/sesame" "$T/dev/sesame"

	# systemd's end of sd_notify(): a datagram socket whose messages are logged.
	: > "$T/notify.log"
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as log:
    while True:
        log.write(s.recv(4096).decode() + "\n")
' "$T/notify.sock" "$T/notify.log" &
	at_exit "kill $! 2>/dev/null || true"
	wait_until test -S "$T/notify.sock" || true
}

# online: what the bridge says on its availability topic, retained.
availability() {
	# shellcheck disable=SC2046
	mosquitto_sub -h localhost $(tls_as phone) -t sesame/front/availability -C 1 -W 1 2>/dev/null
}

# bridge.conf from the lines `sesame-certs door` printed, and its files
# installed as it said (in $T/etc-sesame, without -g sesame: the group may
# not exist here); the bridge started, and online.
tracer=''
bridge_pid=''
bridge_online() {
	local i
	grep '^  install ' "$T/door.out" | sed -e "s|/etc/sesame/|$T/etc-sesame/|" \
		-e 's/ -g sesame//' > "$T/door-install.sh"
	sh -e "$T/door-install.sh" || return 1
	{
		echo "host localhost"
		echo "port $port"
		echo "device $T/dev/sesame"
		sed -n '/^and put these lines in/,$p' "$T/door.out" | grep '^  [a-z]' |
			sed -e 's/^  //' -e "s|/etc/sesame/|$T/etc-sesame/|"
	} > "$T/bridge.conf"
	NOTIFY_SOCKET=$T/notify.sock WATCHDOG_USEC=2000000 \
		strace -f -qq -o "$T/bridge.strace" "$bridge_bin" -c "$T/bridge.conf" \
		> "$T/bridge.log" 2>&1 &
	tracer=$!
	at_exit "kill $tracer 2>/dev/null || true"
	wait_until pgrep -P "$tracer" > /dev/null || { say "sesame-bridge did not start"; return 1; }
	bridge_pid=$(pgrep -P "$tracer")
	at_exit "kill $bridge_pid 2>/dev/null || true"
	i=0
	while [ $i -lt 20 ]; do
		[ "$(availability)" = online ] && return 0
		sleep 0.5
		i=$((i + 1))
	done
	cat "$T/bridge.conf" "$T/bridge.log"
	return 1
}
fixture:bridge-online() { check bridge_online; }
bridge_online_world="$tls_world bridge-stand-ins bridge-online"

# shellcheck disable=SC2086
case_def certs-bridge-online "sesame-bridge connects with the door's certificate and the printed bridge.conf lines (online)" \
	$bridge_online_world
certs-bridge-online() { check [ "$(availability)" = online ]; }

door_opens() {
	# shellcheck disable=SC2046
	mosquitto_pub -h localhost $(tls_as phone) -q 1 -t sesame/front/set -m open || return 1
	wait_for "$T/device.log" '^open$' || { cat "$T/bridge.log"; return 1; }
}
# shellcheck disable=SC2086
case_def certs-bridge-opens-door "the opener's open reaches the device through sesame-bridge" $bridge_online_world
certs-bridge-opens-door() { check door_opens; }

notifies() {
	wait_for "$T/notify.log" '^READY=1' && wait_for "$T/notify.log" '^WATCHDOG=1$'
}
# shellcheck disable=SC2086
case_def certs-bridge-notifies-systemd "sesame-bridge tells systemd it is ready and feeds the watchdog (Type=notify, WatchdogSec=)" \
	$bridge_online_world
certs-bridge-notifies-systemd() { check notifies; }

# The bridge stopped as systemd stops it, its exit status in bridge_exit;
# what it did is then all in the broker's log and in strace's.
bridge_exit=
fixture:bridge-stopped() {
	if ! kill -TERM "$bridge_pid"; then
		bridge_exit="none: it was not running"
		return
	fi
	# strace exits with the status of the program it ran.
	wait "$tracer"
	bridge_exit=$?
}
bridge_stopped_world="$bridge_online_world bridge-stopped"

bridge_not_denied() {
	[ "$bridge_exit" = 0 ] || { say "sesame-bridge exited with $bridge_exit on SIGTERM"; return 1; }
	grep -q 'Received PUBLISH from front .*homeassistant/lock/front/config' "$broker/log" ||
		{ say "no discovery published"; return 1; }
	if grep 'Denied .* from front ' "$broker/log"; then return 1; fi
}
# shellcheck disable=SC2086
case_def certs-bridge-acl-covers-publishes "the door's ACL covers all sesame-bridge publishes, discovery included (nothing denied)" \
	$bridge_stopped_world
certs-bridge-acl-covers-publishes() { check bridge_not_denied; }

# The system calls of a systemd group, nested groups expanded.
syscalls_of() {
	local word
	systemd-analyze syscall-filter "$1" | tail -n +2 | while read -r word _; do
		case $word in
		'#'*|'') ;;
		@*) syscalls_of "$word" ;;
		*) echo "$word" ;;
		esac
	done
}
syscalls_allowed() {
	local outside
	syscalls_of @system-service | sort -u > "$T/service.calls"
	{ syscalls_of @privileged; syscalls_of @resources; } | sort -u > "$T/denied.calls"
	# ...and what the unit lets back in by name (adjtimex, which only
	# reads whether the clock is synchronised).
	{
		comm -23 "$T/service.calls" "$T/denied.calls"
		sed -n 's/^SystemCallFilter=\([a-z]\)/\1/p' systemd/sesame-bridge.service.in | tr ' ' '\n'
	} | sort -u > "$T/allowed.calls"
	sed -n 's/^[0-9][0-9]* *\([a-z0-9_]*\)(.*/\1/p' "$T/bridge.strace" | sort -u > "$T/bridge.calls"
	# So that this cannot pass by comparing nothing: the lists hold what
	# they must, and the filter really removes the groups it names.
	if ! grep -qx inotify_add_watch "$T/bridge.calls" || ! grep -qx connect "$T/bridge.calls" ||
	   ! grep -qx openat "$T/allowed.calls" || grep -qx setrlimit "$T/allowed.calls" ||
	   grep -qx reboot "$T/allowed.calls"; then
		say "the call lists are not what they must be"
		return 1
	fi
	outside=$(comm -23 "$T/bridge.calls" "$T/allowed.calls" | tr '\n' ' ')
	[ -z "$outside" ] || { say "not allowed: $outside"; return 1; }
	note "$(wc -l < "$T/bridge.calls") distinct calls, all allowed" >&3
}
# shellcheck disable=SC2086
case_def certs-bridge-syscalls-allowed "every system call sesame-bridge made is allowed by the unit's SystemCallFilter" \
	$bridge_stopped_world
certs-bridge-syscalls-allowed() { check syscalls_allowed; }

# RestrictAddressFamilies= and ProtectSystem=strict: what sockets it opens,
# and which files it opens for writing (all of / is read-only to it).
sandbox_fits() {
	local families f writes
	families=$(sed -n 's/^[0-9]* *socket(\(AF_[A-Z0-9]*\),.*/\1/p' "$T/bridge.strace" | sort -u | tr '\n' ' ')
	case $families in *AF_INET*) ;; *) say "no AF_INET socket seen: $families"; return 1 ;; esac
	for f in $families; do
		case $f in
		AF_INET|AF_INET6|AF_UNIX) ;;
		# glibc's getaddrinfo() asks the kernel for the local addresses
		# when a name has both IPv4 and IPv6 answers (Debian's /etc/hosts
		# gives localhost both), to sort them. The unit refuses that
		# socket, and glibc then sorts without it.
		AF_NETLINK)
			grep -Eq '^[0-9]+ +socket\(AF_NETLINK, [^,]*, NETLINK_ROUTE\)' "$T/bridge.strace" ||
				{ say "a netlink socket other than glibc's NETLINK_ROUTE"; return 1; }
			! grep -Eq '^RestrictAddressFamilies=.*AF_NETLINK' systemd/sesame-bridge.service.in ||
				{ say "the unit allows AF_NETLINK"; return 1; } ;;
		*) say "socket family $f"; return 1 ;;
		esac
	done
	writes=$(grep -E '^[0-9]+ +open(at)?\(.*O_(WRONLY|RDWR|CREAT)' "$T/bridge.strace" |
		grep -v "\"$T/dev/sesame\"")
	[ -z "$writes" ] || { say "$writes"; return 1; }
}
# shellcheck disable=SC2086
case_def certs-bridge-sandbox-fits "sesame-bridge opens only AF_INET, AF_INET6 and AF_UNIX sockets (and glibc's address-sorting netlink, which the unit refuses), and writes no file but the device" \
	$bridge_stopped_world
certs-bridge-sandbox-fits() { check sandbox_fits; }
