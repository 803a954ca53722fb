#!/bin/sh
# phone-deps.sh - the phone page's npm packages, from phone/package.json
# and its lock, into build/npm/ (never committed): mqtt.js for the page,
# and with "dev" also playwright-core for its browser test.
#
# Usage: scripts/phone-deps.sh BUILD_DIR [dev]
#
# npm ci installs exactly what the lock names; --ignore-scripts: nothing
# from the registry runs here. A second run with the same lock does
# nothing.
set -eu

build=$1
mode=${2:-page}
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$build/npm
stamp=$dir/.installed-$mode

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	echo "phone-deps.sh: node and npm are needed (apt install nodejs npm)" >&2
	exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 18 ] || { echo "phone-deps.sh: Node.js 18 or later is needed (Web Crypto), not $(node --version)" >&2; exit 1; }

if [ -f "$stamp" ] && cmp -s "$top/phone/package-lock.json" "$stamp"; then
	exit 0
fi
mkdir -p "$dir"
cp "$top/phone/package.json" "$top/phone/package-lock.json" "$dir/"
rm -f "$dir"/.installed-*
if [ "$mode" = dev ]; then
	omit=
else
	omit=--omit=dev
fi
# shellcheck disable=SC2086 # empty or one option
(cd "$dir" && npm ci $omit --no-audit --no-fund --ignore-scripts --loglevel=error)
cp "$top/phone/package-lock.json" "$stamp"
# A dev install holds the page's packages too.
[ "$mode" = dev ] && cp "$top/phone/package-lock.json" "$dir/.installed-page"
exit 0
