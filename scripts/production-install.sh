#!/usr/bin/env bash
# The production-install test (run by .ci/run; `npm run test:prod-install`). The steps of the
# Dockerfile, on this machine: the built project (package.json, package-lock.json, dist/) copied
# to an empty directory, production dependencies alone (`npm ci --omit=dev`, from the npm cache
# when it can), then: no dev dependency present, every CLI --help with no configuration at all,
# migrations, the server started (`npm run start:prod`), /health/ready 200, a CLI job, a clean stop.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

step() { echo "--- production install: $*"; }
fail() { echo "production install FAILED: $*" >&2; exit 1; }

step "build"
npm run build --silent

DIR=$(mktemp -d "${TMPDIR:-/tmp}/attendance-prod-XXXXXX")
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then kill -TERM "$SERVER_PID" || true; fi
  rm -rf "$DIR"
}
trap cleanup EXIT

step "copy the built project to $DIR"
cp package.json package-lock.json "$DIR/"
cp -R dist "$DIR/dist"
[ -f .env.example ] && cp .env.example "$DIR/"

step "npm ci --omit=dev"
(cd "$DIR" && npm ci --omit=dev --prefer-offline --no-audit --no-fund)

for dev in tsx typescript vitest @biomejs/biome; do
  [ ! -e "$DIR/node_modules/$dev" ] || fail "dev dependency $dev was installed"
done

cd "$DIR"
# No configuration at all: an empty environment but PATH and HOME, no .env file.
bare() { env -i PATH="$PATH" HOME="$HOME" "$@"; }

step "CLI --help without configuration"
out=$(bare npm run -s cli:prod -- --help) || fail "cli --help exited $?"
for cmd in close-ended cleanup-sessions deactivate-inactive; do
  grep -q "$cmd" <<<"$out" || fail "cli --help does not list $cmd"
  sub=$(bare npm run -s cli:prod -- "$cmd" --help) || fail "cli $cmd --help exited $?"
  grep -q "usage: npm run cli -- $cmd" <<<"$sub" || fail "cli $cmd --help: $sub"
done
set +e
bare npm run -s cli:prod -- no-such-command >/dev/null 2>&1
code=$?
set -e
[ "$code" = 64 ] || fail "an unknown command exited $code, not 64"

SECRET_A=$(node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))")
SECRET_B=$(node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))")
PORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
run() {
  bare NODE_ENV=production DATABASE_URL="sqlite:///$DIR/instance/attendance.db" \
    JWT_SECRET_KEY="$SECRET_A" SECRET_KEY="$SECRET_B" HOST=127.0.0.1 PORT="$PORT" PUBLIC_URL="http://127.0.0.1:$PORT" \
    BOOTSTRAP_ADMIN_PASSWORD='Prod-Install-Passw0rd' LOG_LEVEL=warn "$@"
}

step "migrate"
run npm run -s migrate:prod || fail "migrate exited $?"

step "start (npm run start:prod) on port $PORT"
run npm run -s start:prod >"$DIR/server.log" 2>&1 &
SERVER_PID=$!
ready=
for _ in $(seq 1 120); do
  status=$(node -e "fetch('http://127.0.0.1:$PORT/health/ready').then(r=>console.log(r.status),()=>console.log(0))")
  if [ "$status" = 200 ]; then ready=1; break; fi
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$DIR/server.log"; fail "the server exited"; }
  sleep 0.5
done
[ -n "$ready" ] || { cat "$DIR/server.log"; fail "/health/ready did not answer 200 in 60 s"; }
echo "/health/ready 200"
# The web app's page, served from dist/web with the page policy.
page=$(node -e "fetch('http://127.0.0.1:$PORT/').then(r=>console.log(r.status, r.headers.get('content-type'), '|', r.headers.get('content-security-policy')))")
case "$page" in
  "200 text/html"*"script-src 'self'"*"frame-ancestors 'none'"*) echo "/ serves the web app under its CSP" ;;
  *) fail "/ answered: $page" ;;
esac

step "a CLI job against the running server's database"
line=$(run npm run -s cli:prod -- close-ended) || fail "close-ended exited $?"
[ "$(wc -l <<<"$line")" = 1 ] || fail "close-ended printed more than one line on stdout: $line"
node -e "const o=JSON.parse(process.argv[1]); if(o.command!=='close-ended'||typeof o.closed!=='number') process.exit(1)" "$line" \
  || fail "close-ended output: $line"
echo "$line"

step "stop"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || true
SERVER_PID=
# pino levels 50 (error) and 60 (fatal).
if grep -q '"level":[56]0' "$DIR/server.log"; then cat "$DIR/server.log"; fail "the server logged an error"; fi
cd "$ROOT"
echo "production install: OK"
