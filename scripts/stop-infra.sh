#!/usr/bin/env bash
# Stops the FerretDB, SeaweedFS and Keycloak this project started and the local RabbitMQ node.
cd "$(dirname "$0")/.."
[ -f .local/ferretdb.pid ] && kill "$(cat .local/ferretdb.pid)" 2>/dev/null && rm -f .local/ferretdb.pid
[ -f .local/seaweedfs.pid ] && kill "$(cat .local/seaweedfs.pid)" 2>/dev/null && rm -f .local/seaweedfs.pid
pkill -f "$PWD/.local/keycloak-" 2>/dev/null || true
PATH="$PATH:/usr/sbin" rabbitmqctl -q stop 2>/dev/null || true
echo "[stop] FerretDB, SeaweedFS, Keycloak and RabbitMQ stopped"
