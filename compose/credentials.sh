#!/usr/bin/env bash
# The control channel's credentials for compose/docker-compose.yml, made by its one-shot services
# (in the Envoy image, as root; bash and coreutils only). Every path comes from the environment
# that the compose file sets; ComposeCredentialsTest runs this script with those paths mapped onto
# temporary folders.
#
#   credentials.sh init             (service proxy-credentials, before Sluice starts)
#       One proxy token per Envoy: the edge may claim gateway edge, each sidecar its own service
#       only. Writes the hashes to $PROXY_TOKENS (for sluice serve --proxy-tokens, owned by
#       $SLUICE_USER) and each Envoy's bootstrap, its template from $BOOTSTRAP_SOURCES with its
#       token filled in, to $BOOTSTRAP_OUT/<envoy>/envoy.yaml (owned by $ENVOY_USER, mode 0600):
#       a folder per Envoy, each its own volume, so no Envoy can read another's token. An Envoy
#       whose bootstrap holds a token the file grants keeps it (its bootstrap is written again
#       from the current template): running it again changes nothing, so `docker compose up`
#       may run it every time.
#   credentials.sh rotate ENVOY...  (docker compose run --rm proxy-credentials rotate web-sidecar)
#       A new token for these Envoys; their old ones are withdrawn from $PROXY_TOKENS, which Sluice
#       re-reads at once, ending their streams. Restart them to load the new bootstrap.
#   credentials.sh publish-ca       (service xds-ca-bundle, once Sluice is healthy)
#       Copies Sluice's CA certificate, $XDS_TLS_DIR/ca.pem (which sluice serve --xds-tls-dir
#       creates beside its key, ca-key.pem), to $CA_BUNDLE_DIR/ca.pem: the only file of that folder
#       that the Envoys mount. The CA's key stays in Sluice's own volume.
set -euo pipefail

say() { echo "credentials: $*" >&2; }
fail() {
  say "$*"
  exit 1
}

# The Envoys of compose/docker-compose.yml: compose service, bootstrap template, what its token grants.
ENVOYS=(
  "edge            edge.yaml            gateways edge"
  "web-sidecar     sidecar-web.yaml     services web"
  "orders-sidecar  sidecar-orders.yaml  services orders"
  "users-sidecar   sidecar-users.yaml   services users"
)
# Where each Envoy finds Sluice's CA bundle (the templates' path already): the xds-ca volume.
CA_IN_ENVOY=/etc/sluice/xds/ca.pem

need() {
  [ -n "${!1:-}" ] || fail "$1 is not set (compose/docker-compose.yml sets it)"
}

# own OWNER FILE: chown FILE to OWNER (user:group) unless OWNER is empty
own() {
  if [ -n "$1" ]; then chown "$1" "$2"; fi
}

# credentials [ENVOY...]: a new token for each ENVOY named; every other Envoy keeps a token that
# still works, or gets a new one
credentials() {
  need CONTROL_PLANE_LIB
  need BOOTSTRAP_SOURCES
  need PROXY_TOKENS
  need BOOTSTRAP_OUT
  # shellcheck source=../scripts/lib/control-plane.sh
  . "$CONTROL_PLANE_LIB"
  local known=" " entry name source kind target
  for entry in "${ENVOYS[@]}"; do
    read -r name _ <<<"$entry"
    known+="$name "
  done
  for name in "$@"; do
    [[ "$known" == *" $name "* ]] || fail "no Envoy named $name: rotate one of$known"
  done
  local rotate=" $* "
  local next out token
  next="$(dirname "$PROXY_TOKENS")/.$(basename "$PROXY_TOKENS").new"
  new_proxy_tokens "$next"
  for entry in "${ENVOYS[@]}"; do
    read -r name source kind target <<<"$entry"
    [ -d "$BOOTSTRAP_OUT/$name" ] || fail "$BOOTSTRAP_OUT/$name is missing: the volume of $name's bootstrap goes there"
    out="$BOOTSTRAP_OUT/$name/envoy.yaml"
    token=""
    if [[ "$rotate" != *" $name "* ]] && [ -f "$out" ] && [ -f "$PROXY_TOKENS" ]; then
      token="$(sed -n 's/^ *value: Bearer \(pt_[A-Za-z0-9]*\) *$/\1/p' "$out" | head -n 1)"
      if [ -z "$token" ] || ! grep -qxF "$(token_entry "$name" "$kind" "$target" "$token")" "$PROXY_TOKENS"; then
        token=""
      fi
    fi
    if [ -z "$token" ]; then
      token="$(new_token)"
      say "$name: a new proxy token (granting $kind $target)"
    fi
    token_entry "$name" "$kind" "$target" "$token" >>"$next"
    envoy_bootstrap "$BOOTSTRAP_SOURCES/$source" "$out.new" "$token" "$CA_IN_ENVOY"
    own "${ENVOY_USER:-}" "$out.new"
    mv -f "$out.new" "$out"
  done
  # the token file last: Sluice re-reads it on every change, and then withdraws replaced tokens
  if [ -f "$PROXY_TOKENS" ] && cmp -s "$next" "$PROXY_TOKENS"; then
    rm -f "$next"
    own "${SLUICE_USER:-}" "$PROXY_TOKENS"
    say "every Envoy keeps its proxy token ($PROXY_TOKENS unchanged)"
  else
    own "${SLUICE_USER:-}" "$next"
    mv -f "$next" "$PROXY_TOKENS"
    say "proxy tokens written: $PROXY_TOKENS (hashes only), bootstraps in $BOOTSTRAP_OUT/<envoy>/envoy.yaml"
  fi
}

publish_ca() {
  need XDS_TLS_DIR
  need CA_BUNDLE_DIR
  local ca="$XDS_TLS_DIR/ca.pem"
  [ -s "$ca" ] || fail "$ca is missing: sluice serve --xds-tls-dir creates it when it starts"
  grep -q -e '-----BEGIN CERTIFICATE-----' "$ca" || fail "$ca holds no certificate"
  if grep -q -e 'PRIVATE KEY' "$ca"; then
    fail "$ca holds a private key: not handing it to the Envoys"
  fi
  cp "$ca" "$CA_BUNDLE_DIR/.ca.pem.new"
  chmod 0444 "$CA_BUNDLE_DIR/.ca.pem.new"
  mv -f "$CA_BUNDLE_DIR/.ca.pem.new" "$CA_BUNDLE_DIR/ca.pem"
  say "Sluice's CA certificate published for the Envoys: $CA_BUNDLE_DIR/ca.pem"
}

case "${1:-}" in
  init)
    [ $# -eq 1 ] || fail "usage: credentials.sh init"
    credentials
    ;;
  rotate)
    shift
    [ $# -gt 0 ] || fail "usage: credentials.sh rotate ENVOY... (edge, web-sidecar, orders-sidecar, users-sidecar)"
    credentials "$@"
    ;;
  publish-ca)
    [ $# -eq 1 ] || fail "usage: credentials.sh publish-ca"
    publish_ca
    ;;
  *)
    fail "usage: credentials.sh init | rotate ENVOY... | publish-ca"
    ;;
esac
