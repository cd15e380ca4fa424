#!/bin/sh
# Soak test of `npm start` from a fresh clone, the way a newcomer runs it:
#   scripts/start-soak.sh N
# N times in a row: clone this checkout's HEAD into a temporary folder, run `npm start` there in
# the background, wait until the API's /ready answers 200 and the banner printed the sign-in
# link, then Ctrl-C it (SIGINT to its process group) and wait for it to exit. Prints `K of N ready`
# and exits 0 only if every run was. A failed run's log is kept and its path printed.
# START_SOAK_TIMEOUT_S (default 600) bounds one run's wait; API_PORT (default 3000) is the API's.
set -u
N=${1:?usage: scripts/start-soak.sh N}
REPO=$(cd "$(dirname "$0")/.." && pwd)
HEAD=$(git -C "$REPO" rev-parse HEAD)
API_PORT=${API_PORT:-3000}
TIMEOUT_S=${START_SOAK_TIMEOUT_S:-600}

ready=0
run=1
while [ "$run" -le "$N" ]; do
  dir=$(mktemp -d "${TMPDIR:-/tmp}/start-soak.XXXXXX")
  log="$dir/npm-start.log"
  echo "run $run of $N: cloning $HEAD into $dir"
  git clone --quiet "$REPO" "$dir/repo" && git -C "$dir/repo" checkout --quiet --detach "$HEAD" || {
    echo "run $run: clone failed" >&2
    exit 1
  }
  # A session (so a process group) of its own, as in a terminal: SIGINT to that group is what a
  # Ctrl-C sends. setsid execs in place here (a background job is no group leader), so $! is it.
  (cd "$dir/repo" && exec setsid npm start) >"$log" 2>&1 &
  pid=$!
  started=$(date +%s)
  outcome=timeout
  # Polls until the state holds (or the run died, or the bound passed): not a retry.
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      outcome=exited
      break
    fi
    if grep -q '/auth/login?code=' "$log" && curl -fsS -o /dev/null "http://127.0.0.1:$API_PORT/ready" 2>/dev/null; then
      outcome=ready
      break
    fi
    [ $(($(date +%s) - started)) -ge "$TIMEOUT_S" ] && break
    sleep 2
  done
  echo "run $run: $outcome after $(($(date +%s) - started)) s"
  kill -INT "-$pid"
  wait "$pid"
  code=$?
  echo "run $run: npm start exited ($code)"
  if [ "$outcome" = ready ]; then
    ready=$((ready + 1))
    rm -rf "$dir"
  else
    echo "run $run: log kept at $log" >&2
    tail -n 20 "$log" >&2
  fi
  run=$((run + 1))
done
echo "$ready of $N ready"
[ "$ready" -eq "$N" ]
