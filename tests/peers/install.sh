#!/usr/bin/env bash
# Installs the reference servers the tests run against (tests/peers/package-lock.json)
# when they are missing or older than the lockfile. Called by the tests themselves
# (tests/common/peers.rs, once per test binary) and by .ci/run; safe to run again and
# from any directory. Two runs at once (two test binaries, two checkouts' CI) take
# turns on a lock, so npm ci never runs twice over the same node_modules.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "node ≥ 20 and npm are needed for the reference-server tests: apt-get install nodejs npm" >&2
  exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "node ≥ 20 is needed for the reference-server tests (found $(node --version)): apt-get install nodejs npm" >&2
  exit 1
fi

stamp=node_modules/.wsdeck-installed
fresh() {
  [ -f "$stamp" ] && [ "$stamp" -nt package-lock.json ] && [ "$stamp" -nt package.json ]
}
fresh && exit 0

# Not inside node_modules: npm ci deletes that directory first.
lock=.install.lock
if command -v flock >/dev/null 2>&1; then
  exec 9>"$lock"
  flock -w 600 9 || { echo "tests/peers/install.sh: another install held $lock for 10 minutes" >&2; exit 1; }
else
  waited=0
  until mkdir "$lock.d" 2>/dev/null; do
    waited=$((waited + 1))
    if [ "$waited" -gt 3000 ]; then
      echo "tests/peers/install.sh: $lock.d held for 10 minutes (remove it if no install is running)" >&2
      exit 1
    fi
    sleep 0.2
  done
  trap 'rmdir "$lock.d"' EXIT
fi
# Someone else may have installed while we waited.
fresh && exit 0
npm ci --no-audit --no-fund --loglevel=error
touch "$stamp"
