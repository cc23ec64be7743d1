package dev.sluice.policy.auth;

import dev.sluice.policy.Source;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Who may call a route. Every method given must pass (they are ANDed); a Route's {@code auth}
 * replaces its Gateway's, and {@code auth: none} turns the Gateway's off for that route.
 */
public record AuthSpec(
    Optional<JwtAuth> jwt,
    Optional<ApiKeyAuth> apiKey,
    boolean basic,
    Optional<ExternalAuth> external) {
  public static final AuthSpec NONE =
      new AuthSpec(Optional.empty(), Optional.empty(), false, Optional.empty());

  public boolean isNone() {
    return jwt.isEmpty() && apiKey.isEmpty() && !basic && external.isEmpty();
  }

  /** Whether requests that pass carry a consumer name (API key or basic auth). */
  public boolean identifiesConsumers() {
    return apiKey.isPresent() || basic;
  }

  /** How a JWT is required. */
  public enum JwtMode {
    /** A valid token from one of the providers, else 401. */
    REQUIRED,
    /** No token passes; a token that is there must be valid. */
    ALLOW_MISSING,
    /** Anything passes; claims are forwarded only from a valid token. */
    OPTIONAL
  }

  /**
   * @param at where {@code providers} was written, for errors about unknown providers
   */
  public record JwtAuth(List<String> providers, JwtMode mode, Source at) {
    public JwtAuth {
      providers = List.copyOf(providers);
    }
  }

  /** The API key is read from a header or a query parameter (exactly one is non-empty). */
  public record ApiKeyAuth(String header, String query) {}

  /** Envoy asks an external service (ext_authz) about every request. */
  public record ExternalAuth(
      String service,
      Protocol protocol,
      String pathPrefix,
      Duration timeout,
      boolean failOpen,
      List<String> headersToUpstream,
      Source at) {
    public ExternalAuth {
      headersToUpstream = List.copyOf(headersToUpstream);
    }

    public enum Protocol {
      HTTP,
      GRPC
    }
  }
}
