package dev.sluice.ir;

import java.util.List;

public record VirtualHost(String name, List<String> domains, List<HttpRoute> routes) {
  public VirtualHost {
    domains = List.copyOf(domains);
    routes = List.copyOf(routes);
  }
}
