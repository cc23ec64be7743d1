package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.discovery.CatalogListener;
import dev.sluice.discovery.ServiceCatalog;
import dev.sluice.discovery.ServiceInstance;
import dev.sluice.discovery.consul.ConsulConfig;
import dev.sluice.discovery.consul.ConsulSource;
import dev.sluice.testing.ConsulAgent;
import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.EnvoyProcess;
import dev.sluice.testing.HttpUpstream;
import dev.sluice.yaml.Finding;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a real Consul accepts but Envoy cannot use, or what only a careful client reads right: a
 * real agent takes hostnames as addresses, ports above 65535 and service names with spaces.
 */
class ConsulAnswersIT {
  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  private ConsulAgent consul;
  private SluiceFixture sluice;
  private HttpUpstream u1;
  private HttpUpstream u2;

  @BeforeEach
  void start() {
    consul = ConsulAgent.start();
    u1 = HttpUpstream.start("u1");
    u2 = HttpUpstream.start("u2");
  }

  @AfterEach
  void stop() {
    if (sluice != null) {
      sluice.close();
    }
    u1.close();
    u2.close();
    consul.close();
  }

  private Set<String> answering(int n) {
    Set<String> seen = new TreeSet<>();
    for (int i = 0; i < n; i++) {
      seen.add(sluice.answer("/users"));
    }
    return seen;
  }

  @Test
  void instancesEnvoyCannotUseAreDroppedAndTheServiceKeepsUpdating() {
    consul.register("u1", "users", u1.port(), List.of());
    consul.register("host", "users", 9001, List.of(), Map.of("Address", "users.example.internal"));
    consul.register("big", "users", 70000, List.of());
    consul.register("negative", "users", -5, List.of());
    sluice = new SluiceFixture().consul(ConsulConfig.of(consul.registry()));
    sluice.writePolicy(
        "routes.yaml", "kind: Route\nname: users\nmatch: {prefix: /users}\nto: users\n");
    sluice.start();
    EnvoyProcess envoy = envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(30));
    await().atMost(Duration.ofSeconds(10)).until(() -> answering(10).equals(Set.of("u1")));
    String clusters = envoy.admin("/clusters").body();
    assertThat(clusters)
        .contains("users::127.0.0.1:" + u1.port() + "::")
        .doesNotContain("users.example.internal")
        .doesNotContain(":70000::")
        .doesNotContain(":-5::");
    assertThat(sluice.status().get("registry").get("stale").asBoolean())
        .as("a dropped instance is not an outage")
        .isFalse();

    // Had the dropped instances reached Envoy, it would reject every later update of users
    consul.register("u2", "users", u2.port(), List.of());
    await().atMost(Duration.ofSeconds(10)).until(() -> answering(20).equals(Set.of("u1", "u2")));
    assertThat(envoy.admin("/stats?filter=update_rejected").body())
        .doesNotContainPattern("update_rejected: [1-9]");
    // and a policy change still reaches Envoy
    sluice.writePolicy("more.yaml", "kind: Route\nname: more\nmatch: {prefix: /more}\nto: users\n");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> List.of("u1", "u2").contains(sluice.answer("/more")));
  }

  @Test
  void aServiceNameIsPercentEncodedInThePath() {
    consul.register("s1", "a b", u1.port(), List.of());
    consul.register("s2", "c+d", u2.port(), List.of());
    AtomicReference<ServiceCatalog> latest = new AtomicReference<>();
    try (ConsulSource source = new ConsulSource(ConsulConfig.of(consul.registry()))) {
      source.start(
          new CatalogListener() {
            @Override
            public void onCatalog(ServiceCatalog catalog) {
              latest.set(catalog);
            }

            @Override
            public void onError(List<Finding> problems) {}
          });
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  latest.get() != null
                      && ports(latest.get(), "a b").equals(List.of(u1.port()))
                      && ports(latest.get(), "c+d").equals(List.of(u2.port())));
    }
  }

  private static List<Integer> ports(ServiceCatalog c, String service) {
    return c.service(service)
        .map(s -> s.instances().stream().map(ServiceInstance::port).toList())
        .orElse(List.of());
  }
}
