package dev.sluice.ir;

import dev.sluice.policy.access.AccessRule;
import dev.sluice.policy.jwt.JwtProviderSpec;
import java.util.List;
import java.util.Optional;

/**
 * The authentication and access filters a listener needs for its routes, and what is gateway-wide.
 *
 * @param jwtProviders providers some route requires, by name
 * @param jwtRequirements every distinct requirement of the routes
 * @param basic present when some route uses basic auth
 * @param externals the distinct ext_authz checks
 * @param gatewayAccess the gateway's access rules in evaluation order (empty: none)
 * @param identityHeaders headers only the gateway may set (consumer, JWT claims): a client's own
 *     are removed before any check
 */
public record ListenerAuth(
    List<JwtProviderSpec> jwtProviders,
    List<JwtRequirement> jwtRequirements,
    Optional<BasicCheck> basic,
    List<ExternalCheck> externals,
    List<AccessRule> gatewayAccess,
    List<String> identityHeaders) {
  public ListenerAuth {
    jwtProviders = List.copyOf(jwtProviders);
    jwtRequirements = List.copyOf(jwtRequirements);
    externals = List.copyOf(externals);
    gatewayAccess = List.copyOf(gatewayAccess);
    identityHeaders = List.copyOf(identityHeaders);
  }

  /** The header carrying the authenticated consumer's name to the upstream. */
  public static final String CONSUMER_HEADER = "x-sluice-consumer";
}
