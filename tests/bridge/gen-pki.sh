#!/bin/sh
# gen-pki.sh - a throwaway PKI for the bridge's integration tests.
#
# Usage: tests/bridge/gen-pki.sh DIR
#
# Writes to DIR (EC P-256 keys, PEM):
#   ca.crt ca.key            the test CA ("O=sesame test, CN=sesame test CA")
#   fake-ca.crt fake-ca.key  another CA with exactly the same subject but its
#                            own key: a certificate it signs must not verify
#                            against ca.crt, even though the issuer names match
#   server.crt/.key          the broker: CN=localhost, subjectAltName
#                            DNS:localhost and IP:127.0.0.1, serverAuth
#   expired.crt/.key         as server, but valid only in January 2020
#   wrong-host.crt/.key      as server, but for wrong.example only
#   fake-server.crt/.key     as server, but signed by fake-ca
#   cn-only.crt/.key         as server, but with no subjectAltName: the
#                            host name only in the Common Name
#   name-only.crt/.key       as server, but for DNS:localhost only, not for
#                            the address 127.0.0.1
#   bridge.crt/.key          client certificate CN=bridge
#   tester.crt/.key          client certificate CN=tester (the tests' own
#                            mosquitto_pub/sub)
# Private keys are mode 0600.
set -eu

[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
dir=$1
mkdir -p "$dir"
cd "$dir"
umask 077

ca_subject="/O=sesame test/CN=sesame test CA"

newkey() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
}

# Valid from two days ago: a test may run the bridge with its clock an
# hour behind (a Raspberry Pi before NTP), and a real broker's
# certificates are older than that too.
since=$(date -u -d '2 days ago' +%Y%m%d%H%M%SZ)

# A self-signed CA: name, subject.
make_ca() {
	newkey "$1.key"
	mkdir -p "$1.db"
	: > "$1.db/index.txt"
	# Serial numbers must differ between the two CAs' certificates too.
	od -An -N8 -tx1 /dev/urandom | tr -d ' \n' > "$1.db/serial"
	cat > "$1.db/ca.cnf" <<EOF
[ ca ]
default_ca = test_ca
[ test_ca ]
database = $dir/$1.db/index.txt
new_certs_dir = $dir/$1.db
serial = $dir/$1.db/serial
default_md = sha256
policy = any
unique_subject = no
[ any ]
commonName = supplied
EOF
	openssl req -new -key "$1.key" -subj "$2" -out "$1.csr" 2>/dev/null
	printf '%s\n' "basicConstraints=critical,CA:TRUE" "keyUsage=critical,keyCertSign,cRLSign" \
		"subjectKeyIdentifier=hash" > "$1.ext"
	openssl ca -batch -notext -selfsign -preserveDN -config "$1.db/ca.cnf" -keyfile "$1.key" \
		-in "$1.csr" -out "$1.crt" -extfile "$1.ext" -startdate "$since" -days 3650 \
		2>/dev/null
	rm -f "$1.csr" "$1.ext"
}

# A leaf certificate: name, signing CA, CN, extensions, validity options...
issue() {
	name=$1 ca=$2 cn=$3 ext=$4
	shift 4
	newkey "$name.key"
	openssl req -new -key "$name.key" -subj "/O=sesame test/CN=$cn" \
		-out "$name.csr" 2>/dev/null
	printf '%s\n' "$ext" | tr ';' '\n' > "$name.ext"
	openssl ca -batch -notext -config "$ca.db/ca.cnf" -cert "$ca.crt" \
		-keyfile "$ca.key" -in "$name.csr" -out "$name.crt" \
		-extfile "$name.ext" "$@" 2>/dev/null
	rm -f "$name.csr" "$name.ext"
}

server_ext="basicConstraints=CA:FALSE;keyUsage=digitalSignature;extendedKeyUsage=serverAuth"
client_ext="basicConstraints=CA:FALSE;keyUsage=digitalSignature;extendedKeyUsage=clientAuth"
dir=$(pwd)

make_ca ca "$ca_subject"
make_ca fake-ca "$ca_subject"

issue server ca localhost "$server_ext;subjectAltName=DNS:localhost,IP:127.0.0.1" -startdate "$since" -days 3650
issue expired ca localhost "$server_ext;subjectAltName=DNS:localhost,IP:127.0.0.1" \
	-startdate 20200101000000Z -enddate 20200201000000Z
issue wrong-host ca wrong.example "$server_ext;subjectAltName=DNS:wrong.example" -startdate "$since" -days 3650
issue fake-server fake-ca localhost "$server_ext;subjectAltName=DNS:localhost,IP:127.0.0.1" -startdate "$since" -days 3650
issue cn-only ca localhost "$server_ext" -startdate "$since" -days 3650
issue name-only ca localhost "$server_ext;subjectAltName=DNS:localhost" -startdate "$since" -days 3650
issue bridge ca bridge "$client_ext" -startdate "$since" -days 3650
issue tester ca tester "$client_ext" -startdate "$since" -days 3650

chmod 0644 ./*.crt
