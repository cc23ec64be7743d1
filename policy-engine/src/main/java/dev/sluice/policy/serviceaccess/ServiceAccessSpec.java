package dev.sluice.policy.serviceaccess;

import dev.sluice.policy.PolicyResource;
import dev.sluice.policy.Source;
import dev.sluice.policy.access.AccessRule;
import java.util.List;

/**
 * "Services {@code from} may call service {@code to}", optionally only for some requests.
 *
 * @param when the request conditions (paths, methods, headers; an allow rule, empty = every
 *     request)
 */
public record ServiceAccessSpec(
    String name, Source source, List<String> from, String to, AccessRule when)
    implements PolicyResource {
  public static final String KIND = "ServiceAccess";

  @Override
  public String kind() {
    return KIND;
  }

  public ServiceAccessSpec {
    from = List.copyOf(from);
  }
}
