# Shared by scripts/demo and scripts/quickstart: the control channel's credentials. Sluice serves
# xDS over TLS from its own CA (sluice serve --xds-tls-dir) and every Envoy presents a proxy token
# (sluice serve --proxy-tokens); these functions make the tokens and write each Envoy's bootstrap
# with its token and the CA bundle. Source it after setting ROOT.

# new_proxy_tokens FILE: an empty token file, readable by its owner only (it holds hashes, but
# which proxies exist is nobody else's business either)
new_proxy_tokens() {
  (umask 077 && printf 'tokens:\n' >"$1")
}

# proxy_token FILE NAME gateways|services TARGET: adds a fresh random token granting TARGET to
# FILE (as its SHA-256, as sluice hash-key prints it) and prints the token itself
proxy_token() {
  local token hash
  token="pt_$(head -c 32 /dev/urandom | base64 | tr -d '/+=\n' | head -c 43)"
  hash="$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)"
  printf '  - {name: %s, hash: "sha256:%s", %s: [%s]}\n' "$2" "$hash" "$3" "$4" >>"$1"
  printf '%s' "$token"
}

# envoy_bootstrap SOURCE TARGET TOKEN CA [SED-EXPRESSION...]: SOURCE with the proxy token and the
# path of Sluice's CA bundle filled in, plus any more sed expressions; written owner-only, since it
# holds the token
envoy_bootstrap() {
  local source="$1" target="$2" token="$3" ca="$4"
  shift 4
  local args=(-e "s#REPLACE-WITH-THIS-ENVOYS-PROXY-TOKEN#$token#" -e "s#/etc/sluice/xds/ca.pem#$ca#")
  for expr in "$@"; do args+=(-e "$expr"); done
  (umask 077 && sed "${args[@]}" "$source" >"$target")
}
