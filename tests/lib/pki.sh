#!/bin/sh
# pki.sh - the tests' PKI: made by scripts/sesame-certs, as a user makes
# theirs, plus the bad certificates only a test wants.
#
# Usage: tests/lib/pki.sh DIR
#        tests/lib/pki.sh DIR broker NAME HOST...
#   the second form adds a broker certificate NAME.crt, NAME.key for those
#   host names and addresses to DIR's PKI (a cluster's nodes each have one)
#
# What sesame-certs makes (its own layout: ca.*, broker.*, clients/):
#   ca.crt ca.key            the CA
#   broker.crt broker.key    the broker, for localhost and 127.0.0.1
#   clients/bridge.*         a door's client certificate, CN=bridge
#   clients/tester.*         an opener's, CN=tester: the tests' own clients
# and, for the tests' scripts, under the names they use:
#   server.*  -> broker.*,  bridge.* -> clients/bridge.*,  tester.* -> clients/tester.*
# The bad ones, each a reason the bridge must refuse a broker:
#   expired.*       signed by the CA, valid only in January 2020
#   wrong-host.*    signed by the CA, for wrong.example only
#   name-only.*     signed by the CA, for DNS:localhost only, not 127.0.0.1
#   cn-only.*       signed by the CA, no subjectAltName: the host only in
#                   the Common Name (sesame-certs never makes one)
#   fake-ca.*       another CA with exactly the real CA's subject but its
#                   own key; fake-server.* is signed by it
#
# Everything is made as if two days ago (faketime): a test may run the
# bridge with its clock set back, as a Raspberry Pi before NTP is, and a
# real broker's certificates are older than the test too.
set -eu

usage() { echo "usage: $0 DIR | $0 DIR broker NAME HOST..." >&2; exit 2; }
[ $# -eq 1 ] || { [ $# -ge 4 ] && [ "$2" = broker ]; } || usage
dir=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
command -v faketime > /dev/null ||
	{ echo "$0: faketime is missing (scripts/deps.sh bridge-test)" >&2; exit 1; }

certs() { faketime -f -2d "$top/scripts/sesame-certs" "$@" > /dev/null; }

# broker_cert NAME CA-DIR FAKETIME-SPEC [-D DAYS] broker HOST...: a broker
# certificate by sesame-certs in a scratch copy of CA-DIR's CA, kept as
# NAME.crt and NAME.key in DIR.
broker_cert() {
	name=$1 ca=$2 when=$3
	shift 3
	scratch=$(mktemp -d "$dir/.scratch.XXXXXX")
	cp -p "$ca/ca.crt" "$ca/ca.key" "$scratch/"
	faketime -f "$when" "$top/scripts/sesame-certs" -d "$scratch" "$@" > /dev/null
	mv "$scratch/broker.crt" "$dir/$name.crt"
	mv "$scratch/broker.key" "$dir/$name.key"
	rm -rf "$scratch"
}

if [ $# -gt 1 ]; then
	name=$3
	shift 3
	broker_cert "$name" "$dir" -2d broker "$@"
	exit
fi

certs -d "$dir" ca
certs -d "$dir" broker localhost 127.0.0.1
certs -d "$dir" door bridge
certs -d "$dir" opener tester sesame
dir=$(cd "$dir" && pwd)
cd "$dir"
for name in bridge tester; do
	ln -s "clients/$name.crt" "$name.crt"
	ln -s "clients/$name.key" "$name.key"
done
ln -s broker.crt server.crt
ln -s broker.key server.key

broker_cert expired . '@2020-01-01 00:00:00' -D 31 broker localhost 127.0.0.1
broker_cert wrong-host . -2d broker wrong.example
broker_cert name-only . -2d broker localhost

# The fake CA: the real one's subject, its own key.
subject=$(openssl x509 -in ca.crt -noout -subject -nameopt compat | sed 's/^subject=//')
mkdir -p fake
(umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out fake/ca.key 2> /dev/null)
faketime -f -2d openssl req -x509 -new -key fake/ca.key -subj "$subject" -days 3650 -sha256 \
	-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
	-out fake/ca.crt 2> /dev/null
broker_cert fake-server fake -2d broker localhost 127.0.0.1
mv fake/ca.crt fake-ca.crt
mv fake/ca.key fake-ca.key
rmdir fake

# No subjectAltName at all: openssl by hand, signed by the real CA.
(umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out cn-only.key 2> /dev/null)
printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
	"extendedKeyUsage=serverAuth" > cn-only.ext
faketime -f -2d openssl req -new -key cn-only.key -subj "/O=sesame/CN=localhost" 2> /dev/null |
	faketime -f -2d openssl x509 -req -CA ca.crt -CAkey ca.key -set_serial "0x$(openssl rand -hex 16)" \
		-days 3650 -sha256 -extfile cn-only.ext -out cn-only.crt 2> /dev/null
rm -f cn-only.ext
chmod 0644 ./*.crt
chmod 0640 ./*.key
