#!/usr/bin/env bash
# make test: the same set-up as make run, then the whole suite. Each run gets its own
# database and RabbitMQ vhost (tests/conftest.py), so runs do not see each other's data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --browser
exec .venv/bin/python -m pytest "$@"
