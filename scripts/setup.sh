#!/usr/bin/env bash
# Idempotent set-up on a fresh machine: Python environment, the web portal's npm packages,
# RabbitMQ (Debian's package), FerretDB v1 and SeaweedFS (built with Go), Keycloak (Maven Central) and, with
# --browser (tests), Chromium and Helm (the chart's tests); then starts the servers on loopback if they are not running.
# A second run reuses whatever is installed and running.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
STATE=${LAPOR_STATE_DIR:-$ROOT/.local}
MONGO_PORT=${LAPOR_MONGO_PORT:-27017}
FERRETDB_DEBUG_PORT=${LAPOR_FERRETDB_DEBUG_PORT:-27080}
AMQP_PORT=5672
FERRETDB_VERSION=v1.24.2
S3_PORT=${LAPOR_S3_PORT:-8333}
SEAWEEDFS_RELEASE=4.53   # the module has no tags the proxy lists: its pseudo-version for 4.53
SEAWEEDFS_VERSION=v0.0.0-20261109003541-7506e5f91cd6
HELM_VERSION=v3.22.0     # the chart's tests (--browser, as make test runs it): helm lint and helm template
# the operators whose custom resources the chart renders: their CRDs, read from the module zips
CRD_MODULES="github.com/rabbitmq/cluster-operator/v2@v2.11.0 github.com/kedacore/keda/v2@v2.21.0 github.com/mongodb/mongodb-kubernetes-operator@v0.9.0"
mkdir -p "$STATE/logs" "$STATE/ferretdb"

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() {
  for _ in $(seq 1 "${2:-60}"); do port_open "$1" && return 0; sleep 1; done
  return 1
}

python_env() {
  command -v python3 >/dev/null || die "python3 (3.11) is needed"
  if [ ! -x .venv/bin/python ]; then
    say "creating .venv"
    python3 -m venv .venv || die "cannot create a virtual environment (is python3-venv installed?)"
  fi
  local want have
  want=$(cat requirements.txt requirements-dev.txt requirements.lock | sha256sum | cut -d' ' -f1)
  have=$(cat .venv/.requirements.sha 2>/dev/null || true)
  if [ "$want" != "$have" ]; then
    say "installing Python dependencies (pinned)"
    .venv/bin/python -m pip install -q --upgrade pip >/dev/null
    .venv/bin/python -m pip install -q -r requirements-dev.txt -c requirements.lock || die "pip could not install requirements-dev.txt"
    echo "$want" > .venv/.requirements.sha
  fi
}

rabbitmq() {
  if ! command -v rabbitmq-server >/dev/null 2>&1 && [ ! -x /usr/sbin/rabbitmq-server ]; then
    [ "$(id -u)" = 0 ] || die "RabbitMQ is missing; install it with: sudo apt-get install -y rabbitmq-server"
    say "installing RabbitMQ from Debian's packages"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server; } \
      >"$STATE/logs/apt.log" 2>&1 || die "apt-get install rabbitmq-server failed; see $STATE/logs/apt.log"
  fi
  export PATH="$PATH:/usr/sbin"
  if ! port_open "$AMQP_PORT"; then
    say "starting RabbitMQ on 127.0.0.1:$AMQP_PORT"
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 ERL_EPMD_ADDRESS=127.0.0.1 \
      rabbitmq-server -detached >"$STATE/logs/rabbitmq-start.log" 2>&1 || true
  fi
  # -detached returns before the Erlang node exists, and await_startup fails at once on a node
  # it cannot reach yet: ask again until it answers (bounded).
  local up=""
  for _ in $(seq 1 60); do
    if rabbitmqctl -q await_startup --timeout 30 >/dev/null 2>&1; then up=1; break; fi
    sleep 2
  done
  [ -n "$up" ] || die "RabbitMQ did not start; see /var/log/rabbitmq/ and $STATE/logs/rabbitmq-start.log"
  wait_port "$AMQP_PORT" 60 || die "RabbitMQ runs but port $AMQP_PORT is closed"
}

kannel() {
  # Kannel (bearerbox, smsbox, and fakesmsc from kannel-extras) for the SMS 1708 tests; the
  # tests start their own boxes, so the package's own service is kept from starting.
  [ -x /usr/sbin/bearerbox ] && [ -x /usr/lib/kannel/test/fakesmsc ] && return 0
  [ "$(id -u)" = 0 ] || die "Kannel is missing; install it with: sudo apt-get install -y kannel kannel-extras"
  say "installing Kannel from Debian's packages"
  local policy=/usr/sbin/policy-rc.d created=""
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && created=1; fi
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kannel kannel-extras; } \
    >"$STATE/logs/apt-kannel.log" 2>&1 || { [ -n "$created" ] && rm -f "$policy"; die "apt-get install kannel failed; see $STATE/logs/apt-kannel.log"; }
  [ -n "$created" ] && rm -f "$policy"
  return 0
}

module_source() {
  # a Go module's source folder in the module cache (downloaded from the module proxy once)
  (cd "$(mktemp -d)" && go mod download -json "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
}

ferretdb_bin() {
  local gopath
  gopath=$(go env GOPATH 2>/dev/null || echo "$HOME/go")
  # Named apart from a stock build, and by the patch it carries (scripts/ferretdb-v1-sqlite.patch):
  # a changed patch is a new build.
  local patch
  patch=$(sha256sum "$ROOT/scripts/ferretdb-v1-sqlite.patch" | cut -c1-10)
  echo "${FERRETDB_BIN:-$gopath/bin/ferretdb-$FERRETDB_VERSION-lapor-$patch}"
}

ferretdb() {
  local bin
  bin=$(ferretdb_bin)
  if ! [ -x "$bin" ] || ! "$bin" --version 2>/dev/null | grep -q "version: $FERRETDB_VERSION"; then
    command -v go >/dev/null || die "Go is needed to build FerretDB $FERRETDB_VERSION"
    say "building FerretDB $FERRETDB_VERSION with Go (once; a few minutes)"
    # 'go install ...@v1.24.2' fails here: it asks the module proxy for the version list
    # (deprecation check), which the proxy refuses; and the module zip lacks the generated
    # build/version/version.txt. So: download the module, add that file, build.
    # scripts/ferretdb-v1-sqlite.patch fixes two faults of the SQLite backend that the design
    # cannot live with: _id lookups never used the _id index (the query wrote ->'$._id', the
    # index ->"_id": every update scanned its table), and concurrent updates of one document
    # could lose one of them (read-modify-write without isolation). All writes are queued in
    # FerretDB instead of colliding in SQLite, whose busy handler sleeps up to 100 ms a time.
    # And $group computed only its first accumulator: every later one got an exhausted iterator.
    # And secondary indexes serve queries: filters ($eq, $in, $lt, $lte, $gt, $gte) on indexed
    # top-level fields, and their sorts and limits, are pushed down to SQLite (v1 pushed down
    # _id equality only and scanned every table for the rest); see lapor_pushdown.go in the patch.
    local src tmp
    src=$(module_source "github.com/FerretDB/FerretDB@$FERRETDB_VERSION") || die "cannot download FerretDB"
    tmp=$(mktemp -d)
    cp -r "$src/." "$tmp/" && chmod -R u+w "$tmp"
    echo "$FERRETDB_VERSION" > "$tmp/build/version/version.txt"
    (cd "$tmp" && patch -s -p1 < "$ROOT/scripts/ferretdb-v1-sqlite.patch") || die "FerretDB patch did not apply"
    mkdir -p "$(dirname "$bin")"
    (cd "$tmp" && go build -o "$bin" ./cmd/ferretdb) >"$STATE/logs/ferretdb-build.log" 2>&1 \
      || die "FerretDB build failed; see $STATE/logs/ferretdb-build.log"
    rm -rf "$tmp"
  fi
  if ! port_open "$MONGO_PORT"; then
    say "starting FerretDB (SQLite in $STATE/ferretdb) on 127.0.0.1:$MONGO_PORT"
    nohup "$bin" --handler=sqlite --sqlite-url="file:$STATE/ferretdb/" \
      --listen-addr="127.0.0.1:$MONGO_PORT" --debug-addr="127.0.0.1:$FERRETDB_DEBUG_PORT" \
      --telemetry=disable --log-level=warn >"$STATE/logs/ferretdb.log" 2>&1 &
    echo $! > "$STATE/ferretdb.pid"
    wait_port "$MONGO_PORT" 30 || die "FerretDB did not start; see $STATE/logs/ferretdb.log"
  fi
}

seaweedfs_bin() {
  local gopath
  gopath=$(go env GOPATH 2>/dev/null || echo "$HOME/go")
  echo "${SEAWEEDFS_BIN:-$gopath/bin/weed-$SEAWEEDFS_RELEASE}"
}

seaweedfs() {
  # S3-compatible object storage for attachments (LAPOR_ATTACHMENTS_BACKEND=s3, and the
  # tests' S3 run): SeaweedFS, a Go module, built once from its pinned version. Development
  # and test keys only (deploy/seaweedfs/s3.json), on loopback.
  local bin
  bin=$(seaweedfs_bin)
  if ! [ -x "$bin" ]; then
    command -v go >/dev/null || die "Go is needed to build SeaweedFS"
    say "building SeaweedFS $SEAWEEDFS_RELEASE with Go (once; a few minutes)"
    local src
    src=$(module_source "github.com/seaweedfs/seaweedfs@$SEAWEEDFS_VERSION") || die "cannot download SeaweedFS"
    mkdir -p "$(dirname "$bin")"
    (cd "$src" && go build -o "$bin" ./weed) >"$STATE/logs/seaweedfs-build.log" 2>&1 \
      || die "SeaweedFS build failed; see $STATE/logs/seaweedfs-build.log"
  fi
  if ! port_open "$S3_PORT"; then
    say "starting SeaweedFS (S3 on 127.0.0.1:$S3_PORT, data in $STATE/seaweedfs)"
    mkdir -p "$STATE/seaweedfs"
    nohup "$bin" server -dir="$STATE/seaweedfs" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
      -master.port=19333 -volume.port=18080 -filer -filer.port=18888 -s3 -s3.port="$S3_PORT" \
      -s3.config="$ROOT/deploy/seaweedfs/s3.json" -master.volumeSizeLimitMB=64 -volume.max=50 \
      -master.telemetry=false \
      >"$STATE/logs/seaweedfs.log" 2>&1 &
    echo $! > "$STATE/seaweedfs.pid"
    wait_port "$S3_PORT" 60 || die "SeaweedFS did not start; see $STATE/logs/seaweedfs.log"
  fi
}

helm_bin() {
  local gopath
  gopath=$(go env GOPATH 2>/dev/null || echo "$HOME/go")
  echo "$gopath/bin/helm-$HELM_VERSION"
}

helm_tool() {
  # Helm for the chart's tests (deploy/helm/lapor: helm lint, helm template; no cluster), built
  # once with Go beside FerretDB and SeaweedFS; tests/deploy finds it at the same path, or at
  # LAPOR_HELM when that names a Helm of one's own (then nothing is built).
  local bin
  bin=$(helm_bin)
  if [ -n "${LAPOR_HELM:-}" ]; then
    [ -x "$LAPOR_HELM" ] || die "LAPOR_HELM=$LAPOR_HELM is not an executable"
    bin=$LAPOR_HELM
  elif ! [ -x "$bin" ] || ! "$bin" version --short 2>/dev/null | grep -q "^$HELM_VERSION"; then
    command -v go >/dev/null || die "Go is needed to build Helm $HELM_VERSION"
    say "building Helm $HELM_VERSION with Go (once; a few minutes)"
    local gobin
    gobin=$(mktemp -d)
    # the version is stamped as its release build does; otherwise it reports only "v3.22"
    GOBIN=$gobin go install -ldflags "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
      "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >"$STATE/logs/helm-build.log" 2>&1 \
      || die "Helm build failed; see $STATE/logs/helm-build.log"
    mkdir -p "$(dirname "$bin")"
    mv "$gobin/helm" "$bin" && rm -rf "$gobin"
  fi
  # the CRDs that the chart's custom resources are validated against, offline
  local crds="$STATE/crds" module src
  mkdir -p "$crds"
  for module in $CRD_MODULES; do
    [ -f "$crds/${module//\//_}.ok" ] && continue
    src=$(module_source "$module") || die "cannot download $module"
    cp "$src"/config/crd/bases/*.yaml "$crds/" && chmod u+w "$crds"/*.yaml && touch "$crds/${module//\//_}.ok"
  done
  say "Helm $HELM_VERSION: $bin; CRDs in $crds"
}

browser() {
  # Debian's Chromium for the browser tests (Playwright drives it; its own download cannot work here)
  [ -x /usr/bin/chromium ] && return 0
  [ "$(id -u)" = 0 ] || die "Chromium is missing; install it with: sudo apt-get install -y chromium"
  say "installing Chromium from Debian's packages (browser tests)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core; } \
    >"$STATE/logs/apt-chromium.log" 2>&1 || die "apt-get install chromium failed; see $STATE/logs/apt-chromium.log"
}

pdf_libs() {
  # the portal renders the monthly recap's PDF with WeasyPrint, which draws text with Pango;
  # the tests read the PDF back with poppler's pdftoppm and pdftotext
  local want=()
  ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' || want+=(libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)
  [ "${1:-}" = "--browser" ] && ! command -v pdftoppm >/dev/null 2>&1 && want+=(poppler-utils)
  [ ${#want[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "missing: ${want[*]}; install with: sudo apt-get install -y ${want[*]}"
  say "installing ${want[*]} from Debian's packages"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${want[@]}"; } \
    >"$STATE/logs/apt-pdf.log" 2>&1 || die "apt-get install ${want[*]} failed; see $STATE/logs/apt-pdf.log"
}

python_env
scripts/web_assets.sh
pdf_libs "${1:-}"
[ "${1:-}" = "--browser" ] && browser
[ "${1:-}" = "--browser" ] && helm_tool
rabbitmq
kannel
ferretdb
seaweedfs
scripts/keycloak.sh
say "ready: RabbitMQ 127.0.0.1:$AMQP_PORT, FerretDB 127.0.0.1:$MONGO_PORT, SeaweedFS S3 127.0.0.1:$S3_PORT, Keycloak 127.0.0.1:${LAPOR_KEYCLOAK_PORT:-8180}"
