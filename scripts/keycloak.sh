#!/usr/bin/env bash
# Keycloak for staff sign-in in development and tests: Maven Central's keycloak-quarkus-dist
# (fetched once with mvn), run in dev mode on 127.0.0.1 with the demo realm
# (deploy/keycloak/lapor-realm.json) imported. Idempotent: a running Keycloak is reused; a
# changed realm file is imported afresh. Production points LAPOR_OIDC_* at its own provider.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
STATE=${LAPOR_STATE_DIR:-$ROOT/.local}
KC_VERSION=26.7.3
KC_PORT=${LAPOR_KEYCLOAK_PORT:-8180}
KC_MGMT_PORT=${LAPOR_KEYCLOAK_MANAGEMENT_PORT:-9180}
KC_DIR="$STATE/keycloak-$KC_VERSION"
REALM=deploy/keycloak/lapor-realm.json
say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
mkdir -p "$STATE/logs" "$STATE/downloads"

if [ ! -x "$KC_DIR/bin/kc.sh" ]; then
  command -v java >/dev/null || die "Java (17 or newer) is needed for Keycloak"
  zip="$STATE/downloads/keycloak-quarkus-dist-$KC_VERSION.zip"
  if [ ! -s "$zip" ]; then
    command -v mvn >/dev/null || die "Maven is needed to fetch Keycloak from Maven Central"
    say "fetching Keycloak $KC_VERSION from Maven Central (once; ~170 MB)"
    mvn -q -B dependency:copy "-Dartifact=org.keycloak:keycloak-quarkus-dist:$KC_VERSION:zip" \
      "-DoutputDirectory=$STATE/downloads" >"$STATE/logs/keycloak-fetch.log" 2>&1 \
      || die "could not fetch Keycloak; see $STATE/logs/keycloak-fetch.log"
  fi
  (cd "$STATE" && unzip -q -o "$zip") || die "could not unpack $zip"
fi

want=$(sha256sum "$REALM" | cut -d' ' -f1)
have=$(cat "$KC_DIR/data/.lapor-realm.sha" 2>/dev/null || true)
if [ "$want" != "$have" ]; then
  if port_open "$KC_PORT"; then
    say "realm file changed: restarting Keycloak to import it"
    pkill -f "$KC_DIR" || true
    for _ in $(seq 1 30); do port_open "$KC_PORT" || break; sleep 1; done
  fi
  rm -rf "$KC_DIR/data/h2" "$KC_DIR/data/import"
  mkdir -p "$KC_DIR/data/import"
  cp "$REALM" "$KC_DIR/data/import/"
  echo "$want" > "$KC_DIR/data/.lapor-realm.sha"
fi

if ! port_open "$KC_PORT"; then
  say "starting Keycloak $KC_VERSION on 127.0.0.1:$KC_PORT (demo realm 'lapor')"
  # development admin only; this instance binds loopback and holds demo users
  KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD=admin-dev-only \
  JAVA_OPTS_KC_HEAP="-Xms64m -Xmx512m" \
    nohup "$KC_DIR/bin/kc.sh" start-dev --http-host=127.0.0.1 --http-port="$KC_PORT" \
      --http-management-port="$KC_MGMT_PORT" --import-realm --health-enabled=true \
      >"$STATE/logs/keycloak.log" 2>&1 &
fi
for _ in $(seq 1 180); do
  curl -fs "http://127.0.0.1:$KC_PORT/realms/lapor/.well-known/openid-configuration" >/dev/null 2>&1 && exit 0
  sleep 1
done
die "Keycloak did not answer within 180 s; see $STATE/logs/keycloak.log"
