package dev.sluice.policy.route.redirect;

import java.util.Optional;

/** An HTTP redirect answered by Envoy itself; each part left empty keeps the request's own. */
public record RedirectSpec(
    Optional<String> scheme,
    Optional<String> host,
    Optional<Integer> port,
    Optional<String> path,
    Optional<String> prefix,
    int code) {

  /**
   * The redirect as Envoy must be told it: a new host without a port or scheme keeps the listener's
   * port (Gateway API's RequestRedirect rule), because Envoy replaces the whole authority, port
   * included, with {@code host_redirect}. The scheme's default port is left out, as browsers write
   * it.
   */
  public RedirectSpec keepingPort(int listenerPort, boolean tls) {
    if (host.isEmpty()
        || port.isPresent()
        || scheme.isPresent()
        || listenerPort == (tls ? 443 : 80)) {
      return this;
    }
    return new RedirectSpec(scheme, host, Optional.of(listenerPort), path, prefix, code);
  }
}
