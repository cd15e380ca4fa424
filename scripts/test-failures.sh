#!/bin/sh
# Prints, from the output of `turbo run test`, every failed tap assertion with its diagnostics (the
# YAML block after it), and the packages turbo reported as failed: one digest at the end of a long log.
# usage: scripts/test-failures.sh <turbo output file>
set -eu
log=${1:?usage: scripts/test-failures.sh <turbo output file>}

printf '\n==> failures\n'
awk '
  # turbo prefixes each line with "<package>:test: "; tap indents subtests by four spaces
  { line = $0; sub(/^[^ ]*:test: /, "", line) }
  /not ok [0-9]+ - / && line !~ /# (TODO|SKIP)/ { print; shown++; inblock = 0; expect = 1; next }
  expect && line ~ /^ *---$/ { inblock = 1; expect = 0; kept = 0; print; next }
  expect { expect = 0 }
  inblock { if (line ~ /^ *\.\.\.$/) { inblock = 0; print; next } if (kept++ < 25) print; next }
  /ERROR +command .* exited/ || /^ *Failed: / { print }
  END { if (!shown) print "(no failed assertion in the output: see the log above for a crash or a time-out)" }
' "$log" | head -n 400
