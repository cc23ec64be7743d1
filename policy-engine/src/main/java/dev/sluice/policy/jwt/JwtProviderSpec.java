package dev.sluice.policy.jwt;

import dev.sluice.policy.PolicyResource;
import dev.sluice.policy.Source;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * An issuer of JSON Web Tokens that routes may require (Envoy's jwt_authn provider).
 *
 * @param audiences accepted {@code aud} values; empty accepts any
 * @param clockSkew how far {@code exp} and {@code nbf} may be off
 * @param tokenFrom where to look for the token, in order
 * @param claimsToHeaders claim → request header the upstream receives (only from a valid token)
 */
public record JwtProviderSpec(
    String name,
    Source source,
    String issuer,
    List<String> audiences,
    Jwks jwks,
    Duration clockSkew,
    List<TokenSource> tokenFrom,
    Map<String, String> claimsToHeaders)
    implements PolicyResource {
  public static final String KIND = "JwtProvider";

  @Override
  public String kind() {
    return KIND;
  }

  public JwtProviderSpec {
    audiences = List.copyOf(audiences);
    tokenFrom = List.copyOf(tokenFrom);
    claimsToHeaders = Map.copyOf(claimsToHeaders);
  }

  /** Where the public keys come from. */
  public sealed interface Jwks {}

  /** Keys read from a file by Sluice and sent inline, so Envoy needs no access to the file. */
  public record LocalJwks(String json) implements Jwks {}

  /** Keys that Envoy fetches itself (through a cluster Sluice adds) and caches. */
  public record RemoteJwks(URI uri, Duration cacheFor) implements Jwks {}

  /**
   * Where a token may be: a header (with a value prefix such as {@code Bearer }), a query parameter
   * or a cookie.
   */
  public record TokenSource(Type type, String name, String prefix) {
    public enum Type {
      HEADER,
      QUERY,
      COOKIE
    }
  }
}
