#!/usr/bin/env bash
# Installs the reference servers the tests run against (tests/peers/package-lock.json)
# when they are missing or older than the lockfile. Called by the tests themselves and
# by .ci/run; safe to run again.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "node >= 20 and npm are needed for the reference-server tests: apt-get install nodejs npm" >&2
  exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "node >= 20 is needed for the reference-server tests (found $(node --version))" >&2
  exit 1
fi
stamp=node_modules/.wsdeck-installed
if [ -f "$stamp" ] && [ "$stamp" -nt package-lock.json ] && [ "$stamp" -nt package.json ]; then
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
touch "$stamp"
