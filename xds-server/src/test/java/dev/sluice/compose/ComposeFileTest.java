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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * compose/docker-compose.yml can run where it is checked in: every file it mounts exists, every
 * image is pinned to a full version, and the versions are the ones the tests run (Envoy from
 * scripts/install-envoy, Consul from the tests' ConsulAgent). {@code ComposeFileIT} has
 * docker-compose itself validate the file.
 */
class ComposeFileTest {
  private static final YAMLMapper YAML = new YAMLMapper();

  /**
   * A tag that names a full release: three numbers, like 1.16.1, v1.40.0 or 3.12.11-slim-bookworm.
   */
  static final String FULL_VERSION = ".*\\d+\\.\\d+\\.\\d+.*";

  private final ComposeFile compose = ComposeFile.load();

  @Test
  void hasTheQuickstartServices() {
    assertThat(compose.services().keySet())
        .containsExactlyInAnyOrderElementsOf(ComposeFile.SERVICES);
  }

  @Test
  void everyBindMountedPathExists() {
    List<ComposeFile.Mount> binds =
        compose.mounts().stream().filter(ComposeFile.Mount::bind).toList();
    assertThat(binds).as("bind mounts in %s", compose.file).isNotEmpty();
    for (ComposeFile.Mount m : binds) {
      assertThat(m.source())
          .as("service %s mounts %s: use a path relative to compose/", m.service(), m.source())
          .startsWith(".");
      Path host = compose.hostPath(m);
      assertThat(host)
          .as(
              "service %s mounts %s (%s), which does not exist: Docker would create an empty folder there",
              m.service(), m.source(), host)
          .exists();
      // Envoy reads its bootstrap as a file; Sluice and the apps read the file or folder they
      // expect.
      if (m.target().endsWith(".yaml")
          || m.target().endsWith(".py")
          || m.target().endsWith(".sh")) {
        assertThat(host)
            .as("service %s mounts %s on the file %s", m.service(), m.source(), m.target())
            .isRegularFile();
      } else {
        assertThat(host)
            .as("service %s mounts %s on the folder %s", m.service(), m.source(), m.target())
            .isDirectory();
      }
    }
  }

  @Test
  void everyNamedVolumeIsDeclared() {
    Set<String> declared = new HashSet<>();
    compose.root.path("volumes").fieldNames().forEachRemaining(declared::add);
    compose.mounts().stream()
        .filter(m -> !m.bind())
        .forEach(
            m ->
                assertThat(declared)
                    .as("named volume %s of %s", m.source(), m.service())
                    .contains(m.source()));
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
    compose
        .services()
        .forEach(
            (name, s) -> {
              if (s.has("build")) {
                return; // built from the Dockerfile, whose base images DockerfileTest checks
              }
              String image =
                  compose
                      .image(name)
                      .orElseThrow(
                          () ->
                              new AssertionError(
                                  "service " + name + " has neither image nor build"));
              String tag =
                  ComposeFile.tag(image)
                      .orElseThrow(
                          () ->
                              new AssertionError(
                                  "service " + name + ": image " + image + " has no tag"));
              assertThat(tag)
                  .as("service %s: image %s", name, image)
                  .doesNotContain("latest")
                  .matches(FULL_VERSION);
            });
  }

  @Test
  void envoyImagesAreTheVersionTheTestsRun() {
    String version = ComposeFile.scriptVersion("install-envoy");
    assertThat(version)
        .as("scripts/install-envoy and EnvoyBinary.VERSION")
        .isEqualTo(EnvoyBinary.VERSION);
    Map<String, String> envoys = imagesOf("envoyproxy/envoy");
    // the four Envoys, and the one-shots that write their credentials (bash, and its user envoy)
    assertThat(envoys.keySet())
        .containsExactlyInAnyOrder(
            "edge",
            "web-sidecar",
            "orders-sidecar",
            "users-sidecar",
            "proxy-credentials",
            "xds-ca-bundle");
    envoys.forEach(
        (service, image) ->
            assertThat(image)
                .as("service %s: the tests run Envoy %s (scripts/install-envoy)", service, version)
                .isEqualTo("envoyproxy/envoy:v" + version));
  }

  @Test
  void consulImageIsTheVersionTheTestsRun() {
    assertThat(ComposeFile.scriptVersion("install-consul"))
        .as("scripts/install-consul and ConsulAgent.VERSION")
        .isEqualTo(ConsulAgent.VERSION);
    assertThat(compose.image("consul"))
        .as("the tests run Consul %s (ConsulAgent.VERSION)", ConsulAgent.VERSION)
        .contains("hashicorp/consul:" + ConsulAgent.VERSION);
  }

  @Test
  void theSampleServicesAllRunOnePythonImage() {
    Set<String> images = new HashSet<>();
    for (String app : List.of("web", "orders", "users")) {
      images.add(compose.image(app).orElseThrow());
      assertThat(compose.command(app)).startsWith("python", "/app/echo.py");
      assertThat(compose.flag(app, "--name")).contains(app);
      assertThat(compose.flag(app, "--host"))
          .as("%s listens on loopback only: its sidecar is the way in", app)
          .contains("127.0.0.1");
      assertThat(compose.flag(app, "--consul")).contains("http://consul:8500");
      assertThat(compose.flag(app, "--address"))
          .as("%s registers its container's address", app)
          .contains("auto");
      assertThat(compose.mountedFile(app, "/app/echo.py"))
          .isEqualTo(RepoPaths.resolve("compose/samples/echo.py"));
    }
    assertThat(images).hasSize(1);
    assertThat(ComposeFile.repository(images.iterator().next())).isEqualTo("python");
  }

  @Test
  void eachSidecarSharesItsServicesNetworkAndIsNamedForIt() {
    for (String app : List.of("web", "orders", "users")) {
      String sidecar = app + "-sidecar";
      assertThat(compose.service(sidecar).path("network_mode").asText())
          .isEqualTo("service:" + app);
      // its bootstrap is envoy-configs/compose/sidecar-<app>.yaml with its token
      // (ComposeCredentialsTest)
      assertThat(compose.dependsOn(sidecar, "sluice")).contains("service_healthy");
    }
  }

  /**
   * The apps, their sidecars and compose/policies agree on ports: each app listens on its Sidecar's
   * appPort, web calls each upstream through its Sidecar's localPort for it, and the edge publishes
   * the Gateway's port.
   */
  @Test
  void portsMatchThePoliciesMeshAndGateway() throws IOException {
    Map<String, JsonNode> sidecars = new TreeMap<>();
    JsonNode gateway = null;
    for (JsonNode doc : policies()) {
      switch (doc.path("kind").asText()) {
        case "Sidecar" -> sidecars.put(doc.path("name").asText(), doc);
        case "Gateway" -> gateway = doc;
        default -> {}
      }
    }
    assertThat(sidecars.keySet())
        .as("Sidecar policies in compose/policies")
        .containsExactlyInAnyOrder("web", "orders", "users");
    for (JsonNode sidecar : sidecars.values()) {
      String app = sidecar.path("name").asText();
      assertThat(compose.flag(app, "--port"))
          .as("%s listens on its Sidecar's appPort", app)
          .contains(sidecar.at("/inbound/appPort").asText());
      for (JsonNode upstream : sidecar.path("upstreams")) {
        String url = "http://127.0.0.1:" + upstream.path("localPort").asInt() + "/";
        assertThat(compose.command(app))
            .as(
                "%s calls %s through its sidecar's local port %s",
                app, upstream.path("service").asText(), url)
            .anyMatch(
                a ->
                    a.startsWith("--call=")
                        && a.contains("=" + url + upstream.path("service").asText()));
      }
    }
    assertThat(gateway).as("a Gateway in compose/policies").isNotNull();
    assertThat(gateway.path("name").asText())
        .as("node cluster of envoy-configs/compose/edge.yaml")
        .isEqualTo(
            YAML.readTree(RepoPaths.resolve("envoy-configs/compose/edge.yaml").toFile())
                .at("/node/cluster")
                .asText());
    String port = gateway.path("port").asText();
    List<String> published = new ArrayList<>();
    compose.service("edge").path("ports").forEach(p -> published.add(p.asText()));
    assertThat(published)
        .as("the edge publishes the Gateway's port %s", port)
        .anyMatch(p -> p.endsWith(":" + port));
  }

  private static List<JsonNode> policies() throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    try (Stream<Path> files = Files.list(RepoPaths.resolve("compose/policies"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(f.toFile())) {
          it.forEachRemaining(
              d -> {
                if (d != null && d.isObject()) {
                  docs.add(d);
                }
              });
        }
      }
    }
    return docs;
  }

  /**
   * Every Envoy runs the bootstrap proxy-credentials wrote for it (its template with its token,
   * never a template itself, whose placeholder token Sluice refuses), from a volume that only it
   * and proxy-credentials mount, and mounts Sluice's CA certificate from the volume xds-ca-bundle
   * writes, read-only; and starts only once both exist.
   */
  @Test
  void everyEnvoyRunsItsGeneratedBootstrapAndMountsTheCaBundle(@TempDir Path tmp) {
    ComposeSandbox sandbox = new ComposeSandbox(compose, tmp);
    Map<String, String> credentials = compose.environment("proxy-credentials");
    Map<String, String> bundle = compose.environment("xds-ca-bundle");
    assertThat(
            compose.services().keySet().stream()
                .filter(s -> compose.command(s).stream().findFirst().orElse("").equals("envoy")))
        .as("services that run Envoy")
        .containsExactlyInAnyOrderElementsOf(ComposeFile.ENVOYS);
    for (String envoy : ComposeFile.ENVOYS) {
      List<String> cmd = compose.command(envoy);
      assertThat(cmd).as("%s", envoy).contains("-c");
      String bootstrap = cmd.get(cmd.indexOf("-c") + 1);
      ComposeFile.Mount holding = compose.mountHolding(envoy, bootstrap).orElseThrow();
      assertThat(holding.bind())
          .as(
              "%s's bootstrap %s comes from a volume proxy-credentials writes, not from the repository",
              envoy, bootstrap)
          .isFalse();
      assertThat(holding.readOnly()).as("%s mounts its bootstrap read-only", envoy).isTrue();
      assertThat(sandbox.hostPath(envoy, bootstrap))
          .as("%s's bootstrap is the one proxy-credentials writes for it", envoy)
          .isEqualTo(
              sandbox.hostPath(
                  "proxy-credentials",
                  credentials.get("BOOTSTRAP_OUT") + "/" + envoy + "/envoy.yaml"));
      assertThat(
              compose.mounts().stream()
                  .filter(m -> m.source().equals(holding.source()))
                  .map(ComposeFile.Mount::service))
          .as("who mounts %s's bootstrap volume %s, which holds its token", envoy, holding.source())
          .containsExactlyInAnyOrder(envoy, "proxy-credentials");

      ComposeFile.Mount ca =
          compose
              .mountHolding(envoy, "/etc/sluice/xds/ca.pem")
              .orElseThrow(
                  () ->
                      new AssertionError(
                          envoy
                              + " does not mount Sluice's CA bundle at /etc/sluice/xds, where its bootstrap looks"));
      assertThat(ca.bind()).isFalse();
      assertThat(ca.readOnly()).as("%s mounts the CA bundle read-only", envoy).isTrue();
      assertThat(sandbox.hostPath(envoy, "/etc/sluice/xds/ca.pem"))
          .as("%s's CA bundle is the one xds-ca-bundle publishes", envoy)
          .isEqualTo(sandbox.hostPath("xds-ca-bundle", bundle.get("CA_BUNDLE_DIR") + "/ca.pem"));

      assertThat(compose.mounts(envoy))
          .as("%s mounts its bootstrap and the CA bundle, nothing else", envoy)
          .hasSize(2);
      assertThat(compose.dependsOn(envoy, "sluice"))
          .as("%s waits for Sluice", envoy)
          .contains("service_healthy");
      assertThat(compose.dependsOn(envoy, "xds-ca-bundle"))
          .as("%s waits for the CA bundle", envoy)
          .contains("service_completed_successfully");
    }
    assertThat(compose.command("edge"))
        .as("the edge")
        .containsSubsequence("-c", "/etc/sluice/envoy/envoy.yaml");
  }

  /**
   * Sluice serves TLS from its own CA in a volume of its own, for the host name the bootstraps
   * connect to and check, and requires the proxy tokens proxy-credentials writes; it starts after
   * them, and xds-ca-bundle after it (its CA exists once it is healthy).
   */
  @Test
  void sluiceServesTlsForTheNameTheEnvoysCheckAndRequiresTheGeneratedTokens(@TempDir Path tmp)
      throws IOException {
    ComposeSandbox sandbox = new ComposeSandbox(compose, tmp);
    String tlsDir =
        compose
            .flag("sluice", "--xds-tls-dir")
            .orElseThrow(() -> new AssertionError("sluice serves xDS without TLS"));
    ComposeFile.Mount tls = compose.mountHolding("sluice", tlsDir).orElseThrow();
    assertThat(tls.bind()).isFalse();
    assertThat(tls.readOnly()).as("Sluice creates its CA there on first start").isFalse();
    assertThat(tls.target()).as("the volume is the CA folder itself").isEqualTo(tlsDir);

    JsonNode edge = YAML.readTree(RepoPaths.resolve("envoy-configs/compose/edge.yaml").toFile());
    String host =
        edge.at(
                "/static_resources/clusters/0/load_assignment/endpoints/0/lb_endpoints/0/endpoint/address/socket_address/address")
            .asText();
    assertThat(host).isEqualTo("sluice");
    assertThat(compose.flags("sluice", "--xds-tls-name"))
        .as("Sluice's certificate names the host the Envoys connect to")
        .containsExactly(host);
    for (JsonNode san : edge.findValues("match_typed_subject_alt_names")) {
      assertThat(san.findValuesAsText("exact")).containsOnly(host);
    }

    String tokens =
        compose
            .flag("sluice", "--proxy-tokens")
            .orElseThrow(() -> new AssertionError("sluice admits Envoys without tokens"));
    assertThat(compose.mountHolding("sluice", tokens).orElseThrow().readOnly())
        .as("Sluice only reads the token file")
        .isTrue();
    assertThat(sandbox.hostPath("sluice", tokens))
        .as("Sluice reads the token file proxy-credentials writes")
        .isEqualTo(
            sandbox.hostPath(
                "proxy-credentials", compose.environment("proxy-credentials").get("PROXY_TOKENS")));
    assertThat(compose.command("sluice")).doesNotContain("--insecure-xds");

    assertThat(compose.dependsOn("sluice", "proxy-credentials"))
        .contains("service_completed_successfully");
    assertThat(compose.dependsOn("xds-ca-bundle", "sluice")).contains("service_healthy");
    assertThat(
            sandbox.hostPath(
                "xds-ca-bundle", compose.environment("xds-ca-bundle").get("XDS_TLS_DIR")))
        .as("xds-ca-bundle reads Sluice's CA folder")
        .isEqualTo(sandbox.hostPath("sluice", tlsDir));
    assertThat(
            compose
                .mountHolding(
                    "xds-ca-bundle", compose.environment("xds-ca-bundle").get("XDS_TLS_DIR"))
                .orElseThrow()
                .readOnly())
        .as("xds-ca-bundle only reads Sluice's CA folder")
        .isTrue();
  }

  /**
   * The CA keys (the control plane's, in --xds-tls-dir, and the mesh's, in --mesh-ca-dir) are in
   * volumes that only Sluice mounts, and xds-ca-bundle read-only to copy the certificate out: no
   * Envoy container has them. (ComposeCredentialsTest checks the files an Envoy sees.)
   */
  @Test
  void noCaKeyReachesAnEnvoy() {
    for (String flag : List.of("--xds-tls-dir", "--mesh-ca-dir")) {
      String dir = compose.flag("sluice", flag).orElseThrow();
      String volume = compose.mountHolding("sluice", dir).orElseThrow().source();
      List<ComposeFile.Mount> mounts =
          compose.mounts().stream().filter(m -> m.source().equals(volume)).toList();
      for (ComposeFile.Mount m : mounts) {
        assertThat(m.service())
            .as(
                "%s (sluice %s %s, which holds a CA key) is mounted by %s",
                volume, flag, dir, m.service())
            .isIn("sluice", "xds-ca-bundle");
        if (m.service().equals("xds-ca-bundle")) {
          assertThat(flag).isEqualTo("--xds-tls-dir");
          assertThat(m.readOnly()).isTrue();
        }
      }
    }
    for (String envoy : ComposeFile.ENVOYS) {
      assertThat(compose.mounts(envoy))
          .as("%s mounts only named volumes: nothing of the repository or host", envoy)
          .noneMatch(ComposeFile.Mount::bind);
    }
  }

  /**
   * The one-shots hand each file to its reader: the token file to the Sluice image's user (the
   * Dockerfile's USER), each bootstrap to the Envoy image's user envoy, which the Envoy image's
   * entrypoint runs Envoy as unless ENVOY_UID says otherwise. So they run as root with their own
   * entrypoint (the image's would drop to envoy), in the Envoys' image, and no Envoy sets ENVOY_UID
   * or ENVOY_GID. They run once per start: no restart policy.
   */
  @Test
  void theOneShotsHandEachFileToTheUserThatReadsIt() {
    String sluiceUser =
        Dockerfile.load().all("USER").get(Dockerfile.load().all("USER").size() - 1).arguments();
    Map<String, String> env = compose.environment("proxy-credentials");
    assertThat(env.get("SLUICE_USER"))
        .as("the owner of the token file: the Sluice image's USER")
        .isEqualTo(sluiceUser);
    assertThat(env.get("ENVOY_USER")).isEqualTo("envoy:envoy");
    for (String oneShot : List.of("proxy-credentials", "xds-ca-bundle")) {
      assertThat(compose.image(oneShot))
          .as("%s runs in the Envoys' image", oneShot)
          .isEqualTo(compose.image("edge"));
      assertThat(compose.service(oneShot).path("user").asText())
          .as("%s runs as root", oneShot)
          .isIn("0", "0:0", "root");
      assertThat(compose.entrypoint(oneShot))
          .as("%s runs compose/credentials.sh with bash", oneShot)
          .containsExactly("bash", "/sluice/credentials.sh");
      assertThat(compose.mountedFile(oneShot, "/sluice/credentials.sh"))
          .isEqualTo(RepoPaths.resolve("compose/credentials.sh"));
      assertThat(compose.service(oneShot).path("restart").asText("no"))
          .as("%s runs once", oneShot)
          .isEqualTo("no");
    }
    assertThat(compose.command("proxy-credentials")).containsExactly("init");
    assertThat(compose.command("xds-ca-bundle")).containsExactly("publish-ca");
    assertThat(compose.mountedFile("proxy-credentials", env.get("CONTROL_PLANE_LIB")))
        .as("the token and bootstrap functions scripts/quickstart uses")
        .isEqualTo(RepoPaths.resolve("scripts/lib/control-plane.sh"));
    assertThat(compose.mountedFile("proxy-credentials", env.get("BOOTSTRAP_SOURCES")))
        .as("the bootstrap templates")
        .isEqualTo(RepoPaths.resolve("envoy-configs/compose"));
    for (String envoy : ComposeFile.ENVOYS) {
      assertThat(compose.environment(envoy))
          .as("%s", envoy)
          .doesNotContainKeys("ENVOY_UID", "ENVOY_GID");
    }
  }

  /**
   * A new named volume takes over the owner and mode of the folder it is mounted on in the image;
   * Sluice (not root) must be able to write its CA folders, so the image has them, owned by its
   * user.
   */
  @Test
  void sluicesWritableVolumesAreFoldersOfItsUserInTheImage() {
    String run =
        Dockerfile.load().all("RUN").stream()
            .map(Dockerfile.Instruction::arguments)
            .filter(a -> a.contains("useradd"))
            .findFirst()
            .orElseThrow();
    for (ComposeFile.Mount m : compose.mounts("sluice")) {
      if (!m.bind() && !m.readOnly()) {
        assertThat(run)
            .as(
                "the Sluice image makes %s (volume %s) and gives it to its user",
                m.target(), m.source())
            .containsPattern("mkdir -p [^&]*" + Pattern.quote(m.target()) + "(\\s|$)")
            .contains("chown -R sluice:sluice /var/lib/sluice");
        assertThat(m.target()).startsWith("/var/lib/sluice/");
      }
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
    assertThat(Dockerfile.load().healthCheck())
        .contains("/dev/tcp/127.0.0.1/" + adminPort + " ")
        .contains("/ready");
    assertThat(compose.flag("sluice", "--admin-address"))
        .as("published to the host, so not loopback only")
        .contains("0.0.0.0");
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
    Map<String, String> out = new TreeMap<>();
    compose
        .services()
        .keySet()
        .forEach(
            name ->
                compose
                    .image(name)
                    .filter(i -> ComposeFile.repository(i).equals(repository))
                    .ifPresent(i -> out.put(name, i)));
    return out;
  }
}
