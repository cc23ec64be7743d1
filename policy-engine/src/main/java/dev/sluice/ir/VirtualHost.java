package dev.sluice.ir;

import java.util.List;

/**
 * Routes answering to some host names, in match order; the gateway-wide settings are the
 * listener's.
 */
public record VirtualHost(String name, List<String> domains, List<HttpRoute> routes) {
  public VirtualHost {
    domains = List.copyOf(domains);
    routes = List.copyOf(routes);
  }
}
