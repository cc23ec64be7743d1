package dev.sluice.ir;

import dev.sluice.policy.auth.AuthSpec.ExternalAuth.Protocol;
import java.time.Duration;
import java.util.List;

/**
 * One ext_authz filter of a listener: routes that use this service with these settings share it.
 *
 * @param filterName the HTTP filter's name, which routes enable it by
 * @param cluster the authorization service's cluster
 */
public record ExternalCheck(
    String filterName,
    String cluster,
    Protocol protocol,
    String pathPrefix,
    Duration timeout,
    boolean failOpen,
    List<String> headersToUpstream) {
  public ExternalCheck {
    headersToUpstream = List.copyOf(headersToUpstream);
  }
}
