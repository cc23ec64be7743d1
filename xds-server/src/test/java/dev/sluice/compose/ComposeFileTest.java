package dev.sluice.compose;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.sluice.testing.ConsulAgent;
import dev.sluice.testing.EnvoyBinary;
import dev.sluice.testing.RepoPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * compose/docker-compose.yml can run where it is checked in: every file it mounts exists, every
 * image is pinned to a full version, and the versions are the ones the tests run (Envoy from
 * scripts/install-envoy, Consul from the tests' ConsulAgent). {@code ComposeFileIT} has
 * docker-compose itself validate the file.
 */
class ComposeFileTest {
  private static final YAMLMapper YAML = new YAMLMapper();
  /** A tag that names a full release: three numbers, like 1.16.1, v1.40.0 or 3.12.11-slim-bookworm. */
  static final String FULL_VERSION = ".*\\d+\\.\\d+\\.\\d+.*";

  private final ComposeFile compose = ComposeFile.load();

  @Test
  void hasTheQuickstartServices() {
    assertThat(compose.services().keySet()).containsExactlyInAnyOrderElementsOf(ComposeFile.SERVICES);
  }

  @Test
  void everyBindMountedPathExists() {
    List<ComposeFile.Mount> binds = compose.mounts().stream().filter(ComposeFile.Mount::bind).toList();
    assertThat(binds).as("bind mounts in %s", compose.file).isNotEmpty();
    for (ComposeFile.Mount m : binds) {
      assertThat(m.source()).as("service %s mounts %s: use a path relative to compose/", m.service(), m.source())
          .startsWith(".");
      Path host = compose.hostPath(m);
      assertThat(host).as("service %s mounts %s (%s), which does not exist: Docker would create an empty folder there",
          m.service(), m.source(), host).exists();
      // Envoy reads its bootstrap as a file; Sluice and the apps read the file or folder they expect.
      if (m.target().endsWith(".yaml") || m.target().endsWith(".py")) {
        assertThat(host).as("service %s mounts %s on the file %s", m.service(), m.source(), m.target()).isRegularFile();
      } else {
        assertThat(host).as("service %s mounts %s on the folder %s", m.service(), m.source(), m.target()).isDirectory();
      }
    }
  }

  @Test
  void everyNamedVolumeIsDeclared() {
    Set<String> declared = new HashSet<>();
    compose.root.path("volumes").fieldNames().forEachRemaining(declared::add);
    compose.mounts().stream().filter(m -> !m.bind())
        .forEach(m -> assertThat(declared).as("named volume %s of %s", m.source(), m.service()).contains(m.source()));
  }

  @Test
  void theBuildContextHasTheDockerfile() {
    JsonNode build = compose.service("sluice").path("build");
    Path context = compose.dir.resolve(build.path("context").asText()).normalize();
    assertThat(context).isEqualTo(RepoPaths.root());
    assertThat(context.resolve(build.path("dockerfile").asText("Dockerfile"))).isRegularFile();
  }

  @Test
  void everyImageIsPinnedToAFullVersion() {
    compose.services().forEach((name, s) -> {
      if (s.has("build")) {
        return; // built from the Dockerfile, whose base images DockerfileTest checks
      }
      String image = compose.image(name).orElseThrow(() -> new AssertionError("service " + name + " has neither image nor build"));
      String tag = ComposeFile.tag(image).orElseThrow(() -> new AssertionError("service " + name + ": image " + image + " has no tag"));
      assertThat(tag).as("service %s: image %s", name, image).doesNotContain("latest").matches(FULL_VERSION);
    });
  }

  @Test
  void envoyImagesAreTheVersionTheTestsRun() {
    String version = ComposeFile.scriptVersion("install-envoy");
    assertThat(version).as("scripts/install-envoy and EnvoyBinary.VERSION").isEqualTo(EnvoyBinary.VERSION);
    Map<String, String> envoys = imagesOf("envoyproxy/envoy");
    assertThat(envoys.keySet()).containsExactlyInAnyOrder("edge", "web-sidecar", "orders-sidecar", "users-sidecar");
    envoys.forEach((service, image) ->
        assertThat(image).as("service %s: the tests run Envoy %s (scripts/install-envoy)", service, version)
            .isEqualTo("envoyproxy/envoy:v" + version));
  }

  @Test
  void consulImageIsTheVersionTheTestsRun() {
    assertThat(ComposeFile.scriptVersion("install-consul")).as("scripts/install-consul and ConsulAgent.VERSION")
        .isEqualTo(ConsulAgent.VERSION);
    assertThat(compose.image("consul")).as("the tests run Consul %s (ConsulAgent.VERSION)", ConsulAgent.VERSION)
        .contains("hashicorp/consul:" + ConsulAgent.VERSION);
  }

  @Test
  void theSampleServicesAllRunOnePythonImage() {
    Set<String> images = new HashSet<>();
    for (String app : List.of("web", "orders", "users")) {
      images.add(compose.image(app).orElseThrow());
      assertThat(compose.command(app)).startsWith("python", "/app/echo.py");
      assertThat(compose.flag(app, "--name")).contains(app);
      assertThat(compose.flag(app, "--host")).as("%s listens on loopback only: its sidecar is the way in", app)
          .contains("127.0.0.1");
      assertThat(compose.flag(app, "--consul")).contains("http://consul:8500");
      assertThat(compose.flag(app, "--address")).as("%s registers its container's address", app).contains("auto");
      assertThat(compose.mountedFile(app, "/app/echo.py")).isEqualTo(RepoPaths.resolve("compose/samples/echo.py"));
    }
    assertThat(images).hasSize(1);
    assertThat(ComposeFile.repository(images.iterator().next())).isEqualTo("python");
  }

  @Test
  void eachSidecarSharesItsServicesNetworkAndIsNamedForIt() throws IOException {
    for (String app : List.of("web", "orders", "users")) {
      String sidecar = app + "-sidecar";
      assertThat(compose.service(sidecar).path("network_mode").asText()).isEqualTo("service:" + app);
      Path bootstrap = compose.mountedFile(sidecar, "/etc/envoy/envoy.yaml");
      assertThat(bootstrap).isEqualTo(RepoPaths.resolve("envoy-configs/compose/sidecar-" + app + ".yaml"));
      assertThat(compose.command(sidecar)).containsSubsequence("-c", "/etc/envoy/envoy.yaml");
      JsonNode node = YAML.readTree(bootstrap.toFile()).path("node");
      assertThat(node.at("/metadata/sluice.service").asText()).as("%s's bootstrap", sidecar).isEqualTo(app);
      assertThat(compose.service(sidecar).at("/depends_on/sluice/condition").asText()).isEqualTo("service_healthy");
    }
  }

  /**
   * The apps, their sidecars and compose/policies agree on ports: each app listens on its Sidecar's
   * appPort, web calls each upstream through its Sidecar's localPort for it, and the edge publishes
   * the Gateway's port.
   */
  @Test
  void portsMatchThePoliciesMeshAndGateway() throws IOException {
    Map<String, JsonNode> sidecars = new java.util.TreeMap<>();
    JsonNode gateway = null;
    for (JsonNode doc : policies()) {
      switch (doc.path("kind").asText()) {
        case "Sidecar" -> sidecars.put(doc.path("name").asText(), doc);
        case "Gateway" -> gateway = doc;
        default -> { }
      }
    }
    assertThat(sidecars.keySet()).as("Sidecar policies in compose/policies").containsExactlyInAnyOrder("web", "orders", "users");
    for (JsonNode sidecar : sidecars.values()) {
      String app = sidecar.path("name").asText();
      assertThat(compose.flag(app, "--port")).as("%s listens on its Sidecar's appPort", app)
          .contains(sidecar.at("/inbound/appPort").asText());
      for (JsonNode upstream : sidecar.path("upstreams")) {
        String url = "http://127.0.0.1:" + upstream.path("localPort").asInt() + "/";
        assertThat(compose.command(app)).as("%s calls %s through its sidecar's local port %s", app,
                upstream.path("service").asText(), url)
            .anyMatch(a -> a.startsWith("--call=") && a.contains("=" + url + upstream.path("service").asText()));
      }
    }
    assertThat(gateway).as("a Gateway in compose/policies").isNotNull();
    assertThat(gateway.path("name").asText()).as("node cluster of envoy-configs/compose/edge.yaml")
        .isEqualTo(YAML.readTree(RepoPaths.resolve("envoy-configs/compose/edge.yaml").toFile()).at("/node/cluster").asText());
    String port = gateway.path("port").asText();
    List<String> published = new java.util.ArrayList<>();
    compose.service("edge").path("ports").forEach(p -> published.add(p.asText()));
    assertThat(published).as("the edge publishes the Gateway's port %s", port).anyMatch(p -> p.endsWith(":" + port));
  }

  private static List<JsonNode> policies() throws IOException {
    List<JsonNode> docs = new java.util.ArrayList<>();
    try (Stream<Path> files = Files.list(RepoPaths.resolve("compose/policies"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(f.toFile())) {
          it.forEachRemaining(d -> {
            if (d != null && d.isObject()) {
              docs.add(d);
            }
          });
        }
      }
    }
    return docs;
  }

  @Test
  void theEdgeRunsTheComposeEdgeBootstrap() {
    assertThat(compose.mountedFile("edge", "/etc/envoy/envoy.yaml")).isEqualTo(RepoPaths.resolve("envoy-configs/compose/edge.yaml"));
    assertThat(compose.command("edge")).containsSubsequence("-c", "/etc/envoy/envoy.yaml");
    assertThat(compose.service("edge").at("/depends_on/sluice/condition").asText()).isEqualTo("service_healthy");
  }

  @Test
  void everyComposeBootstrapIsMounted() throws IOException {
    Set<Path> mounted = new HashSet<>();
    compose.mounts().stream().filter(ComposeFile.Mount::bind).forEach(m -> mounted.add(compose.hostPath(m)));
    try (Stream<Path> files = Files.list(RepoPaths.resolve("envoy-configs/compose"))) {
      files.filter(p -> p.toString().endsWith(".yaml"))
          .forEach(p -> assertThat(mounted).as("envoy-configs/compose/%s is mounted by no service", p.getFileName()).contains(p));
    }
  }

  @Test
  void sluiceServesWhereTheBootstrapsAndTheHealthCheckLook() throws IOException {
    JsonNode edge = YAML.readTree(RepoPaths.resolve("envoy-configs/compose/edge.yaml").toFile());
    int adsPort = clusterPort(edge, "sluice_xds");
    int rateLimitPort = clusterPort(edge, "sluice_ratelimit");
    assertThat(compose.flag("sluice", "--xds-port")).contains(String.valueOf(adsPort));
    // --ratelimit-port is left at its default, 18002
    assertThat(compose.flag("sluice", "--ratelimit-port")).isEmpty();
    assertThat(rateLimitPort).isEqualTo(18002);
    assertThat(compose.flag("sluice", "--registry")).contains("consul://consul:8500");
    assertThat(compose.flag("sluice", "--policies")).hasValue(targetOf("sluice", "./policies"));
    assertThat(compose.flag("sluice", "--mesh-ca-dir")).hasValue(targetOf("sluice", "sluice-ca"));
    // the Dockerfile's HEALTHCHECK asks 127.0.0.1:<admin port>/ready inside the container
    String adminPort = compose.flag("sluice", "--admin-port").orElseThrow();
    assertThat(Dockerfile.load().healthCheck()).contains("/dev/tcp/127.0.0.1/" + adminPort + " ").contains("/ready");
    assertThat(compose.flag("sluice", "--admin-address")).as("published to the host, so not loopback only").contains("0.0.0.0");
  }

  private String targetOf(String service, String source) {
    return compose.mounts().stream()
        .filter(m -> m.service().equals(service) && m.source().equals(source))
        .map(ComposeFile.Mount::target)
        .findFirst()
        .orElseThrow(() -> new AssertionError(service + " does not mount " + source));
  }

  private static int clusterPort(JsonNode bootstrap, String cluster) {
    for (JsonNode c : bootstrap.at("/static_resources/clusters")) {
      if (c.path("name").asText().equals(cluster)) {
        return c.findValue("socket_address").path("port_value").asInt();
      }
    }
    throw new AssertionError("no cluster " + cluster);
  }

  private Map<String, String> imagesOf(String repository) {
    Map<String, String> out = new java.util.TreeMap<>();
    compose.services().keySet().forEach(name -> compose.image(name)
        .filter(i -> ComposeFile.repository(i).equals(repository))
        .ifPresent(i -> out.put(name, i)));
    return out;
  }
}
