package dev.sluice.server.auth;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Client certificates as credentials (mutual TLS on the control channel). The TLS layer has already
 * verified the certificate against the client CA; its SPIFFE id says what it grants: {@code
 * spiffe://<trust-domain>/gateway/<name>} an Envoy of that gateway, {@code
 * spiffe://<trust-domain>/service/<name>} a sidecar of that service (the mesh's own workload
 * identities).
 */
final class ClientCertificates implements ProxyAuthenticator {
  private static final Pattern SPIFFE =
      Pattern.compile("^spiffe://[^/]+/(gateway|service)/([^/]+)$");

  @Override
  public CompletableFuture<Decision> authorize(Credential credential, Claim claim) {
    for (String uri : credential.certificateUris()) {
      Matcher m = SPIFFE.matcher(uri);
      if (m.matches()) {
        Grant grant =
            m.group(1).equals("gateway")
                ? new Grant(uri, Set.of(m.group(2)), Set.of())
                : new Grant(uri, Set.of(), Set.of(m.group(2)));
        return CompletableFuture.completedFuture(grant.decide(claim, "certificate " + uri));
      }
    }
    return CompletableFuture.completedFuture(
        Decision.deny(
            "",
            Decision.UNKNOWN_CREDENTIAL,
            "the client certificate names no spiffe://<trust-domain>/gateway/<name> or /service/<name>; it cannot claim "
                + claim));
  }

  @Override
  public String describe() {
    return "client certificates";
  }
}
