package dev.sluice.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.discovery.Service;
import dev.sluice.discovery.ServiceCatalog;
import dev.sluice.discovery.ServiceInstance;
import dev.sluice.policy.PolicyLoader;
import dev.sluice.server.telemetry.Telemetry;
import dev.sluice.xds.ContentHash;
import dev.sluice.xds.XdsResources;
import dev.sluice.yaml.Diagnostics;
import dev.sluice.yaml.YamlFiles;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Rebuilds of the pipeline: what a registry change gives the publisher. */
class ConfigPipelineTest {
  /** Two gateways: edge routes to users and orders, internal to admin only. */
  private static final String POLICIES =
      """
      kind: Gateway
      name: edge
      port: 8080
      ---
      kind: Gateway
      name: internal
      port: 9090
      ---
      kind: Route
      name: users
      gateway: edge
      match: {prefix: /users}
      to: users
      ---
      kind: Route
      name: orders
      gateway: edge
      match: {prefix: /orders}
      to: orders
      ---
      kind: Route
      name: admin
      gateway: internal
      to: admin
      """;

  private final BlockingQueue<Map<String, XdsResources>> published = new LinkedBlockingQueue<>();
  private Telemetry telemetry;
  private ConfigPipeline pipeline;

  @BeforeEach
  void start() throws Exception {
    telemetry = Telemetry.withSpanExporter(InMemorySpanExporter.create());
    pipeline =
        new ConfigPipeline(
            (change, groups) -> published.add(groups),
            List.of(),
            telemetry.metrics(),
            telemetry.tracer(),
            table -> {});
    pipeline.policiesChanged(
        PolicyLoader.fromDocuments(
            YamlFiles.parse(Path.of("policies.yaml"), POLICIES), new Diagnostics()));
  }

  @AfterEach
  void stop() {
    pipeline.close();
    telemetry.close();
  }

  private static ServiceCatalog catalog(int usersPort, int adminPort) {
    return ServiceCatalog.of(
        List.of(
            new Service(
                "users",
                List.of(
                    ServiceInstance.of("10.0.0.1", usersPort),
                    ServiceInstance.of("10.0.0.2", usersPort))),
            new Service("orders", List.of(ServiceInstance.of("10.0.0.3", 8080))),
            new Service("admin", List.of(ServiceInstance.of("10.0.0.4", adminPort)))));
  }

  private Map<String, XdsResources> next() throws InterruptedException {
    Map<String, XdsResources> groups = published.poll(10, TimeUnit.SECONDS);
    assertThat(groups).as("a publish").isNotNull();
    return groups;
  }

  /**
   * Every resource of every group as group/type/name → content hash, as the server versions them.
   */
  private static Map<String, String> versions(Map<String, XdsResources> groups) {
    Map<String, String> out = new TreeMap<>();
    groups.forEach(
        (g, r) -> {
          r.listeners().forEach(m -> out.put(g + "/listener/" + m.getName(), ContentHash.of(m)));
          r.routes().forEach(m -> out.put(g + "/route/" + m.getName(), ContentHash.of(m)));
          r.clusters().forEach(m -> out.put(g + "/cluster/" + m.getName(), ContentHash.of(m)));
          r.endpoints()
              .forEach(m -> out.put(g + "/endpoint/" + m.getClusterName(), ContentHash.of(m)));
          r.secrets().forEach(m -> out.put(g + "/secret/" + m.getName(), ContentHash.of(m)));
        });
    return out;
  }

  @Test
  void aGroupTheRegistryChangeDoesNotTouchIsNotTranslatedAgain() throws Exception {
    pipeline.catalogChanged(catalog(8080, 9000));
    Map<String, XdsResources> before = next();

    pipeline.catalogChanged(catalog(8080, 9001));
    Map<String, XdsResources> after = next();

    // the very same objects: a new translation would have built new ones
    assertThat(after.get("edge")).isSameAs(before.get("edge"));
    assertThat(after.get("internal")).isNotEqualTo(before.get("internal"));
  }

  @Test
  void oneServicesEndpointChangeChangesExactlyOneResourcesVersion() throws Exception {
    pipeline.catalogChanged(catalog(8080, 9000));
    Map<String, String> before = versions(next());

    pipeline.catalogChanged(catalog(8081, 9000));
    Map<String, String> after = versions(next());

    assertThat(after.keySet()).isEqualTo(before.keySet());
    assertThat(after.keySet().stream().filter(k -> !after.get(k).equals(before.get(k))))
        .containsExactly("edge/endpoint/users");
  }

  @Test
  void anEqualCatalogRepublishesTheSameObjects() throws Exception {
    pipeline.catalogChanged(catalog(8080, 9000));
    Map<String, XdsResources> before = next();

    pipeline.catalogChanged(catalog(8080, 9000));
    Map<String, XdsResources> after = next();

    assertThat(after).allSatisfy((group, r) -> assertThat(r).isSameAs(before.get(group)));
  }

  /**
   * A broken watch of the policy folder: counted and shown as the policies' failure until the next
   * load replaces it.
   */
  @Test
  void aFailureOfThePolicySourceIsCountedAndShownUntilTheNextLoad() throws Exception {
    pipeline.catalogChanged(catalog(8080, 9000));
    next();
    Diagnostics d = new Diagnostics();
    d.fileError(
        Path.of("policies"),
        "watching the policies failed (java.lang.OutOfMemoryError); watching them again");
    pipeline.policySourceFailed(d.findings());
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                telemetry.metrics().get("sluice_config_rejected_total", "source", "policies") == 1);
    assertThat(pipeline.policyFindings())
        .singleElement()
        .satisfies(
            f ->
                assertThat(f.format())
                    .contains("watching the policies failed (java.lang.OutOfMemoryError)"));

    pipeline.policiesChanged(
        PolicyLoader.fromDocuments(
            YamlFiles.parse(Path.of("policies.yaml"), POLICIES), new Diagnostics()));
    next();
    assertThat(pipeline.policyFindings()).isEmpty();
  }
}
