#!/usr/bin/env bash
# make run: set up, load the demo directory, start the four services and the web portal with
# readable logs, submit a few demo reports, and stop everything cleanly on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export LAPOR_ENVIRONMENT=${LAPOR_ENVIRONMENT:-development}
# a developer's own webhook receiver runs on this machine; elsewhere only public addresses are reached
export LAPOR_WEBHOOK_ALLOW_NETWORKS=${LAPOR_WEBHOOK_ALLOW_NETWORKS:-'["127.0.0.0/8"]'}
# staff tokens come from the demo Keycloak that setup started (sign in on the portal's /staff)
KEYCLOAK_REALM=http://127.0.0.1:${LAPOR_KEYCLOAK_PORT:-8180}/realms/lapor
export LAPOR_JWT_ISSUER=${LAPOR_JWT_ISSUER:-$KEYCLOAK_REALM}
export LAPOR_JWT_JWKS_URL=${LAPOR_JWT_JWKS_URL:-$KEYCLOAK_REALM/protocol/openid-connect/certs}
export LAPOR_JWT_ALGORITHMS=${LAPOR_JWT_ALGORITHMS:-'["RS256"]'}
export LAPOR_OIDC_ISSUER=${LAPOR_OIDC_ISSUER:-$KEYCLOAK_REALM}
# the routing models are fitted once (about ten seconds) and read back on the next start
export LAPOR_CLASSIFIER_CACHE_DIR=${LAPOR_CLASSIFIER_CACHE_DIR:-.local/cache/classifier}
PY=.venv/bin/python

$PY -m services.routing.cli load-directory data/directory/demo.yaml

pids=()
stop() {
  trap - INT TERM EXIT
  printf '\n[run] stopping services...\n'
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  printf '[run] stopped (RabbitMQ and FerretDB keep running; scripts/stop-infra.sh stops them)\n'
}
trap stop INT TERM EXIT

for svc in intake routing notifier sla; do
  $PY -m "services.$svc" > >(sed -u "s/^/[$svc] /") 2>&1 &
  pids+=($!)
done

$PY -m services.web > >(sed -u "s/^/[web] /") 2>&1 &
pids+=($!)

for port in 8000 8001 8002 8003 8004; do
  for _ in $(seq 1 60); do
    curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break
    sleep 1
  done
  curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null || { echo "[run] service on $port is not ready"; exit 1; }
done

$PY -m scripts.demo_reports || echo "[run] demo reports could not be submitted"

cat <<TXT

  lapor is running (Ctrl-C stops it)
    web portal http://127.0.0.1:8000/       citizens: report, receipt, tracking (Indonesian; English in the header)
    command centre http://127.0.0.1:8000/command-centre   oversight: /oversight   recap: /recap/63.71/YYYY-MM
    staff      http://127.0.0.1:8000/staff  demo users (password demo-password): koordinator.nasional, koordinator.kalsel,
                                            petugas.pupr, petugas.dinkes, kepala.pupr, pengawas.ombudsman
    intake    http://127.0.0.1:8001/docs   POST /v1/reports, GET /v1/reports/{tracking_id}
    routing   http://127.0.0.1:8002/docs   GET /v1/agencies
    notifier  http://127.0.0.1:8003/docs   GET /v1/notifications?tracking_id=...
    sla       http://127.0.0.1:8004/docs   GET /v1/sla/reports/{tracking_id}, /v1/sla/overdue
  demo operator token (development only): Authorization: Bearer dev-operator-token
  parked messages: .venv/bin/python -m shared.cli parked list notifier

TXT
wait
