#!/usr/bin/env bash
# The production-install test (run by .ci/run; `npm run test:prod-install`). The steps of the
# Dockerfile, on this machine: the built project (package.json, package-lock.json, dist/) copied
# to an empty directory, production dependencies alone (`npm ci --omit=dev`, from the npm cache
# when it can), then: no dev dependency present, every CLI --help with no configuration at all,
# migrations, the server started (start:prod's command, as the Dockerfile's CMD runs it), /health/ready
# 200, a CLI job, a clean stop: SIGTERM, the shutdown logged, exit 0 and the port closed within 15 s.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

step() { echo "--- production install: $*"; }
fail() { echo "production install FAILED: $*" >&2; exit 1; }

step "build"
npm run build --silent

DIR=$(mktemp -d "${TMPDIR:-/tmp}/attendance-prod-XXXXXX")
SERVER_PID=
STOP_SECONDS=15
# Waits up to STOP_SECONDS for the server process to end; 0 when it did.
gone() {
  for _ in $(seq 1 $((STOP_SECONDS * 10))); do
    kill -0 "$SERVER_PID" 2>/dev/null || return 0
    sleep 0.1
  done
  return 1
}
cleanup() {
  # A failure midway must not leave the server running: TERM, and KILL if it does not go.
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    gone || kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
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
# The commands are those the CLI lists (its "Commands:" block, up to the blank line): a new command
# is checked here without editing this script. test/integration/cli.test.ts holds the listing to
# the CLI's command table (src/cli-commands.ts).
mapfile -t commands < <(awk '/^Commands:/{on=1; next} on && /^$/{exit} on{print $1}' <<<"$out")
[ "${#commands[@]}" -ge 5 ] || fail "cli --help lists ${#commands[@]} commands: $out"
for cmd in "${commands[@]}"; do
  sub=$(bare npm run -s cli:prod -- "$cmd" --help) || fail "cli $cmd --help exited $?"
  grep -q "usage: npm run cli -- $cmd" <<<"$sub" || fail "cli $cmd --help: $sub"
done
echo "--help of ${#commands[@]} commands: ${commands[*]}"
set +e
bare npm run -s cli:prod -- no-such-command >/dev/null 2>&1
code=$?
set -e
[ "$code" = 64 ] || fail "an unknown command exited $code, not 64"

SECRET_A=$(node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))")
SECRET_B=$(node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))")
PORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
# The server's environment, one list for the migration, the server and the CLI job below.
SERVER_ENV=(NODE_ENV=production DATABASE_URL="sqlite:///$DIR/instance/attendance.db"
  JWT_SECRET_KEY="$SECRET_A" SECRET_KEY="$SECRET_B" HOST=127.0.0.1 PORT="$PORT" PUBLIC_URL="http://127.0.0.1:$PORT"
  BOOTSTRAP_ADMIN_PASSWORD='Prod-Install-Passw0rd')
run() { bare "${SERVER_ENV[@]}" LOG_LEVEL=warn "$@"; }

step "migrate"
run npm run -s migrate:prod || fail "migrate exited $?"

# start:prod's command itself, not `npm run start:prod`: npm would stand between this script and the
# server (npm, then `sh -c`, then node), so $! would not be the server and a SIGTERM to it would not
# be the server's shutdown. The Dockerfile's CMD runs the same command without npm too.
START=$(node -p "require('./package.json').scripts['start:prod']")
[[ "$START" =~ ^node\ [^\;\&\|\$\`]*dist/server\.js$ ]] || fail "start:prod is not one node command: $START"
grep -qF "CMD [\"$(sed 's/ /", "/g' <<<"$START")\"]" "$ROOT/Dockerfile" || fail "the Dockerfile's CMD is not start:prod ($START)"

step "start ($START) on port $PORT"
# A simple command in the background (no function, no subshell): $! is the process that execs env,
# then node — the server itself.
# shellcheck disable=SC2086 # START is split into its words on purpose
env -i PATH="$PATH" HOME="$HOME" "${SERVER_ENV[@]}" LOG_LEVEL=info $START >"$DIR/server.log" 2>&1 &
SERVER_PID=$!
if [ -d /proc ]; then
  for _ in $(seq 1 50); do
    cmdline=$(tr '\0' ' ' <"/proc/$SERVER_PID/cmdline" 2>/dev/null || true)
    [[ "$cmdline" == node* ]] && break
    sleep 0.05
  done
  [[ "$cmdline" == node*dist/server.js* ]] || fail "process $SERVER_PID is not the server: $cmdline"
fi
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

step "stop (SIGTERM to process $SERVER_PID)"
kill -TERM "$SERVER_PID"
gone || { cat "$DIR/server.log"; fail "the server was still running $STOP_SECONDS s after SIGTERM"; }
set +e
wait "$SERVER_PID"
code=$?
set -e
SERVER_PID=
[ "$code" = 0 ] || { cat "$DIR/server.log"; fail "the server exited $code after SIGTERM, not 0"; }
grep -q '"msg":"shut down cleanly' "$DIR/server.log" || { cat "$DIR/server.log"; fail "no clean shutdown in the log"; }
closed=$(node -e "require('net').connect($PORT,'127.0.0.1').on('connect',()=>{console.log('open');process.exit()}).on('error',()=>console.log('closed'))")
[ "$closed" = closed ] || fail "port $PORT still accepts connections after the stop"
echo "stopped: exit 0, shutdown logged, port $PORT closed"
# pino levels 50 (error) and 60 (fatal).
if grep -q '"level":[56]0' "$DIR/server.log"; then cat "$DIR/server.log"; fail "the server logged an error"; fi
cd "$ROOT"
echo "production install: OK"
