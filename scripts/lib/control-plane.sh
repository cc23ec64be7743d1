# Shared by scripts/demo, scripts/quickstart and compose/credentials.sh: the control channel's
# credentials. Sluice serves xDS over TLS from its own CA (sluice serve --xds-tls-dir) and every
# Envoy presents a proxy token (sluice serve --proxy-tokens); these functions make the tokens and
# write each Envoy's bootstrap with its token and the CA bundle. Needs bash and coreutils only.

# new_proxy_tokens FILE: an empty token file, readable by its owner only (it holds hashes, but
# which proxies exist is nobody else's business either)
new_proxy_tokens() {
  (umask 077 && printf 'tokens:\n' >"$1")
}

# new_token: prints a fresh random proxy token (256 random bits)
new_token() {
  printf 'pt_%s' "$(head -c 32 /dev/urandom | base64 | tr -d '/+=\n' | head -c 43)"
}

# token_entry NAME gateways|services TARGET TOKEN: the line of a token file that grants TARGET to
# TOKEN, which holds the token's SHA-256 (as sluice hash-key prints it), never the token
token_entry() {
  local hash
  hash="$(printf '%s' "$4" | sha256sum | cut -d' ' -f1)"
  printf '  - {name: %s, hash: "sha256:%s", %s: [%s]}\n' "$1" "$hash" "$2" "$3"
}

# proxy_token FILE NAME gateways|services TARGET: adds a fresh random token granting TARGET to
# FILE and prints the token itself
proxy_token() {
  local token
  token="$(new_token)"
  token_entry "$2" "$3" "$4" "$token" >>"$1"
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
