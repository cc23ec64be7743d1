package dev.sluice.xds;

import java.util.List;
import java.util.stream.Stream;

/**
 * The HTTP filter chain of a gateway listener: every {@link HttpFilterFeature}, in the order
 * requests pass them. A listener gets the filters it needs, in this order; docs/contributing.md
 * lists the same order with the reason for each slot, and a test holds the two together.
 */
final class HttpFilterChain {
  /**
   * CORS answers preflights before anything else runs (browsers send them without credentials).
   * Then who is calling, and may they: identity headers stripped before anything can set them,
   * the cheap local checks (JWT and the removal of its token, API key, password) before the remote
   * one (ext_authz), and access rules once every identity is known. Rate limits come after auth,
   * so buckets can be per consumer or claim, and the global limit after the local one, so a
   * request the local bucket refuses costs no round trip. gRPC-Web and the JSON transcoder turn
   * requests into gRPC just before the router; compression wraps whatever the router returns, and
   * the cache sits after it so that it keeps uncompressed bodies and compression applies per
   * client. The router is last.
   */
  static final List<HttpFilterFeature> FILTERS = List.of(
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
   * (unlike {@link #FILTERS}, where the order is the behaviour).
   */
  static final List<HttpFilterFeature> ROUTE_CONFIG_ORDER = rows(
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
        .map(c -> FILTERS.stream().filter(c::isInstance).findFirst()
            .orElseThrow(() -> new IllegalStateException(c.getSimpleName() + " has no row in FILTERS")))
        .toList();
  }
}
