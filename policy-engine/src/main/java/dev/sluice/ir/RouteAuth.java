package dev.sluice.ir;

import dev.sluice.policy.access.AccessRule;
import java.util.List;
import java.util.Optional;

/**
 * What a route checks before it forwards: authentication (all given methods must pass) and its own
 * access rules, already in evaluation order.
 *
 * @param jwt the requirement, by name in the listener's {@link ListenerAuth#jwtRequirements()}
 * @param basic basic auth against every Consumer with a password
 * @param external the filter name of the listener's ext_authz check this route uses
 */
public record RouteAuth(
    Optional<JwtRequirement> jwt,
    Optional<ApiKeyCheck> apiKey,
    Optional<BasicCheck> basic,
    Optional<String> external,
    List<AccessRule> access) {
  public static final RouteAuth NONE =
      new RouteAuth(
          Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), List.of());

  public RouteAuth {
    access = List.copyOf(access);
  }
}
