package dev.sluice.xds;

import java.util.List;
import java.util.stream.Stream;

/**
 * The HTTP filter chain of a gateway listener: every {@link HttpFilterFeature}, in order. A
 * listener gets the filters it needs ({@link HttpFilterFeature#needed}), in this order.
 */
final class HttpFilterChain {
  /**
   * In the order requests pass them, the router last. Why each filter is where it is, with the same
   * order, is in docs/contributing.md ("The filter chain"); HttpFilterChainTest holds the two
   * together.
   */
  static final List<HttpFilterFeature> FILTERS =
      List.of(
          new CorsFilter(),
          new IdentityHeaders(),
          new JwtAuthn(),
          new JwtTokens(),
          new ApiKeys(),
          new BasicAuthFilter(),
          new ExternalAuthz(),
          new GatewayAccessFilter(),
          new RouteAccessFilter(),
          new LocalRateLimits(),
          new GlobalRateLimitFilters(),
          new GrpcWebFilter(),
          new GrpcJsonFilter(),
          new CompressionFilters(),
          new CacheFilter(),
          new RouterFilter());

  /**
   * The filters whose config goes on virtual hosts and routes, in the order it is set there. Envoy
   * reads that config by filter name, so the order means nothing to it; but a route is printed,
   * hashed into its version and compared across replicas as written, so the order stays fixed
   * (unlike {@link #FILTERS}, where the order is the behaviour). A new filter's row goes last.
   */
  static final List<HttpFilterFeature> ROUTE_CONFIG_ORDER =
      rows(
          CorsFilter.class,
          CompressionFilters.class,
          CacheFilter.class,
          GrpcJsonFilter.class,
          LocalRateLimits.class,
          JwtAuthn.class,
          JwtTokens.class,
          ApiKeys.class,
          BasicAuthFilter.class,
          ExternalAuthz.class,
          RouteAccessFilter.class,
          GlobalRateLimitFilters.class);

  private HttpFilterChain() {}

  /** The rows of {@link #FILTERS} of the given classes, in the given order. */
  @SafeVarargs
  private static List<HttpFilterFeature> rows(Class<? extends HttpFilterFeature>... classes) {
    return Stream.of(classes)
        .map(
            c ->
                FILTERS.stream()
                    .filter(c::isInstance)
                    .findFirst()
                    .orElseThrow(
                        () ->
                            new IllegalStateException(
                                c.getSimpleName() + " has no row in FILTERS")))
        .toList();
  }
}
