#!/bin/sh
# Entry point of `npm start`, `npm test` and `npm run bench` on a fresh machine:
# bootstrap pnpm, install dependencies, bring the local stack up, then hand over.
set -eu
cd "$(dirname "$0")/.."

PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")
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

command=${1:-}
ensure_pnpm
install_dependencies
# Ctrl-C on `npm start` stops what this run started: Kafka and the registry when they were not
# up before (STOP_STACK_ON_EXIT=0 keeps them). PostgreSQL and Redis are machine services and stay.
if [ "$command" = start ] && [ -z "${STOP_STACK_ON_EXIT:-}" ]; then
  if pnpm --silent stack status >/dev/null 2>&1; then STOP_STACK_ON_EXIT=0; else STOP_STACK_ON_EXIT=1; fi
  export STOP_STACK_ON_EXIT
fi
step "starting the local stack (Kafka, Schema Registry, PostgreSQL, Redis)"
pnpm stack up

case "$command" in
  test)
    step "build and typecheck"
    pnpm turbo run build typecheck
    step "lint"
    pnpm lint
    step "tests"
    pnpm turbo run test --concurrency=1
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
    # exec: the launcher receives Ctrl-C/SIGTERM itself and stops its children in order.
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
