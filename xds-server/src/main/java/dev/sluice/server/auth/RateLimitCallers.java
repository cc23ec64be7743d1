package dev.sluice.server.auth;

import java.util.concurrent.CompletableFuture;

/**
 * Who may ask the rate-limit service about a domain (a gateway's counters): the gateway's Envoys
 * with the token Sluice minted for that gateway ({@link RateLimitCallTokens}), or any client whose
 * proxy credential grants the gateway (a proxy token, a client certificate). A server whose xDS is
 * open (no credentials configured) lets every caller in.
 */
public final class RateLimitCallers {
  public static final RateLimitCallers OPEN =
      new RateLimitCallers(ProxyAuthenticator.OPEN, RateLimitCallTokens.ephemeral());
  private final ProxyAuthenticator proxies;
  private final RateLimitCallTokens tokens;

  public RateLimitCallers(ProxyAuthenticator proxies, RateLimitCallTokens tokens) {
    this.proxies = proxies;
    this.tokens = tokens;
  }

  public CompletableFuture<Decision> check(Credential credential, String domain) {
    if (!proxies.authenticates()) {
      return CompletableFuture.completedFuture(Decision.allow("none"));
    }
    if (credential.token().isPresent() && tokens.grants(credential.token().get(), domain)) {
      return CompletableFuture.completedFuture(
          Decision.allow("rate-limit token of gateway " + domain));
    }
    return proxies.authorize(credential, new Claim(Claim.Kind.GATEWAY, domain));
  }

  public RateLimitCallTokens tokens() {
    return tokens;
  }
}
