package dev.sluice.server.xds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.xds.RejectedRoutes;
import dev.sluice.xds.XdsResources;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A NACK is blamed on the policies behind what Envoy's error names, and says "one of" when it
 * cannot be narrowed.
 */
class NackOriginsTest {
  private static final String USERS = "Route/users (policies/routes.yaml:1:1)";
  private static final String ORDERS = "Route/orders (policies/routes.yaml:6:1)";
  private static final String WEB = "Route/web (policies/routes.yaml:11:1)";

  private static final HashedSnapshot SNAPSHOT =
      new HashedSnapshot(
          new XdsResources(
              List.of(),
              List.of(
                  RouteConfiguration.newBuilder()
                      .setName("http-8080")
                      .addVirtualHosts(
                          VirtualHost.newBuilder()
                              .setName("shop")
                              .addDomains("*")
                              .addRoutes(
                                  Route.newBuilder()
                                      .setName("users")
                                      .setMatch(RouteMatch.newBuilder().setPrefix("/users")))
                              .addRoutes(
                                  Route.newBuilder()
                                      .setName("orders")
                                      .setMatch(
                                          RouteMatch.newBuilder()
                                              .setPrefix("/orders")
                                              .addHeaders(
                                                  HeaderMatcher.newBuilder()
                                                      .setName("x-id")
                                                      .setStringMatch(
                                                          StringMatcher.newBuilder()
                                                              .setSafeRegex(
                                                                  RegexMatcher.newBuilder()
                                                                      .setRegex(
                                                                          "[0-9a-f-]{36}"))))))
                              .addRoutes(
                                  Route.newBuilder()
                                      .setName("web")
                                      .setMatch(RouteMatch.newBuilder().setPrefix("/"))))
                      .build()),
              List.of(
                  Cluster.newBuilder().setName("users").build(),
                  Cluster.newBuilder().setName("shared").build()),
              List.of(),
              List.of(),
              Map.of(
                  "route/http-8080",
                  List.of(USERS, ORDERS, WEB),
                  RejectedRoutes.key("http-8080", "users"),
                  List.of(USERS),
                  RejectedRoutes.key("http-8080", "orders"),
                  List.of(ORDERS),
                  RejectedRoutes.key("http-8080", "web"),
                  List.of(WEB),
                  "cluster/users",
                  List.of(USERS),
                  "cluster/shared",
                  List.of(ORDERS, WEB))));

  @Test
  void aRegexEnvoyQuotesBlamesOnlyTheRouteThatHoldsIt() {
    NackOrigins.Blame blame =
        NackOrigins.of(
            SNAPSHOT,
            "RouteConfiguration",
            "regex '[0-9a-f-]{36}' RE2 program size of 112 > max program size of 100 set for the error level threshold.");
    assertThat(blame.policies()).containsExactly(ORDERS);
    assertThat(blame.oneOf()).isFalse();
  }

  @Test
  void aRouteOrVirtualHostEnvoyNamesBlamesItsPolicies() {
    assertThat(NackOrigins.of(SNAPSHOT, "RouteConfiguration", "route web: bad thing").policies())
        .containsExactly(WEB);
    assertThat(
            NackOrigins.of(SNAPSHOT, "RouteConfiguration", "virtual host shop: bad thing")
                .policies())
        .containsExactly(USERS, ORDERS, WEB);
  }

  @Test
  void anErrorThatNamesNothingBlamesOneOfTheTablesPolicies() {
    NackOrigins.Blame blame =
        NackOrigins.of(SNAPSHOT, "RouteConfiguration", "Proto constraint validation failed");
    assertThat(blame.policies()).containsExactly(USERS, ORDERS, WEB);
    assertThat(blame.oneOf()).isTrue();
  }

  @Test
  void aClusterEnvoyNamesBlamesItsPoliciesAndOneOfThemWhenSeveralMadeIt() {
    NackOrigins.Blame users =
        NackOrigins.of(SNAPSHOT, "Cluster", "cluster users: Invalid duration");
    assertThat(users.policies()).containsExactly(USERS);
    assertThat(users.oneOf()).isFalse();
    NackOrigins.Blame shared =
        NackOrigins.of(SNAPSHOT, "Cluster", "cluster shared: Invalid duration");
    assertThat(shared.policies()).containsExactly(ORDERS, WEB);
    assertThat(shared.oneOf()).isTrue();
  }
}
