#!/usr/bin/env bash
# Front-end packages of the web portal: npm ci from services/web/package-lock.json (exact
# versions, integrity-checked), then copy what the pages use into static/vendor/, which is
# served by the web service itself (nothing is fetched from outside the platform at run time).
# Idempotent: skipped while the lock file is unchanged and the copies exist.
set -euo pipefail
cd "$(dirname "$0")/../services/web"
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.lapor-lock.sha 2>/dev/null || true)" != "$want" ] || [ ! -f static/vendor/htmx.min.js ]; then
  command -v npm >/dev/null || { echo "[setup] ERROR: npm (Node.js) is needed for the web portal's packages" >&2; exit 1; }
  npm ci --silent --no-audit --no-fund >/dev/null
  mkdir -p static/vendor
  cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
  echo "$want" > node_modules/.lapor-lock.sha
fi
