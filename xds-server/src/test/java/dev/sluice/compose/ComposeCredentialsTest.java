package dev.sluice.compose;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.util.JsonFormat;
import dev.sluice.server.auth.Claim;
import dev.sluice.server.auth.ControlPlaneTls;
import dev.sluice.server.auth.Credential;
import dev.sluice.server.auth.Decision;
import dev.sluice.server.auth.ProxyTokens;
import dev.sluice.server.telemetry.Telemetry;
import dev.sluice.server.xds.ProxyGroups;
import dev.sluice.testing.RepoPaths;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * compose/credentials.sh, run with bash as compose runs its one-shot services, on compose's volumes
 * as folders ({@link ComposeSandbox}): each Envoy's generated bootstrap, read where that Envoy's
 * {@code -c} finds it, holds a token that Sluice's own proxy-token code, reading the file where
 * {@code sluice serve --proxy-tokens} finds it, grants that Envoy's node and no other Envoy's;
 * tokens survive a second run; one can be rotated; and the CA bundle the Envoys mount is Sluice's
 * certificate without its key, and verifies the certificate Sluice serves for the name the
 * bootstraps check.
 */
class ComposeCredentialsTest {
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final String PLACEHOLDER = "REPLACE-WITH-THIS-ENVOYS-PROXY-TOKEN";

  /**
   * The one-shots run as root and hand files to the images' users; here, as whoever runs the tests,
   * they keep them.
   */
  private static final Map<String, String> NO_CHOWN = Map.of("SLUICE_USER", "", "ENVOY_USER", "");

  @TempDir Path tmp;
  private final ComposeFile compose = ComposeFile.load();
  private ComposeSandbox sandbox;
  private Telemetry telemetry;

  @BeforeEach
  void sandbox() {
    sandbox = new ComposeSandbox(compose, tmp);
    telemetry = Telemetry.withSpanExporter(InMemorySpanExporter.create());
  }

  @AfterEach
  void close() {
    telemetry.close();
  }

  @Test
  void everyEnvoysTokenIsGrantedItsOwnNodeAndNoOtherEnvoys() throws Exception {
    init();
    Map<String, String> tokens = tokens();
    assertThat(new HashSet<>(tokens.values()))
        .as("one token per Envoy, all different")
        .hasSize(ComposeFile.ENVOYS.size());
    try (ProxyTokens sluice = sluiceTokens()) {
      for (String envoy : ComposeFile.ENVOYS) {
        String token = tokens.get(envoy);
        assertThat(token)
            .as("%s's token", envoy)
            .startsWith("pt_")
            .hasSizeGreaterThanOrEqualTo(40)
            .isNotEqualTo(PLACEHOLDER);
        for (String other : ComposeFile.ENVOYS) {
          Decision d = decide(sluice, token, claim(other));
          assertThat(d.allowed())
              .as("%s's token claiming to be %s (%s): %s", envoy, other, claim(other), d.message())
              .isEqualTo(envoy.equals(other));
        }
      }
    }
  }

  @Test
  void eachBootstrapIsItsTemplateWithItsTokenFilledIn() throws IOException {
    init();
    for (String envoy : ComposeFile.ENVOYS) {
      String generated = Files.readString(bootstrap(envoy));
      assertThat(generated).as("%s's bootstrap", envoy).doesNotContain(PLACEHOLDER);
      assertThat(generated.replace(token(envoy), PLACEHOLDER))
          .as("%s's bootstrap, its token put back", envoy)
          .isEqualTo(Files.readString(template(envoy)));
    }
  }

  @Test
  void everyTemplateIsTheBootstrapOfOneEnvoy() throws IOException {
    try (var files = Files.list(RepoPaths.resolve("envoy-configs/compose"))) {
      assertThat(files.filter(f -> f.toString().endsWith(".yaml")).toList())
          .as(
              "envoy-configs/compose/*.yaml: a template without its Envoy in compose/credentials.sh and the compose file is dead")
          .containsExactlyInAnyOrderElementsOf(
              ComposeFile.ENVOYS.stream().map(ComposeCredentialsTest::template).toList());
    }
  }

  @Test
  void theTokenFileAndTheBootstrapsAreReadableByTheirOwnerOnly() throws IOException {
    init();
    List<Path> secrets = new ArrayList<>(List.of(tokenFile()));
    ComposeFile.ENVOYS.forEach(e -> secrets.add(bootstrap(e)));
    for (Path f : secrets) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
          .as("%s", f)
          .isEqualTo("rw-------");
    }
    assertThat(Files.readString(tokenFile()))
        .as("the token file holds hashes, never a token")
        .doesNotContain(tokens().values().toArray(String[]::new));
  }

  @Test
  void runningItAgainKeepsEveryToken() throws IOException {
    init();
    Map<String, String> before = files();
    ComposeSandbox.Result again = init();
    assertThat(again.output()).contains("every Envoy keeps its proxy token");
    assertThat(files()).isEqualTo(before);
  }

  @Test
  void rotateGivesOneEnvoyANewTokenAndWithdrawsItsOldOne() throws Exception {
    init();
    Map<String, String> before = tokens();
    ComposeSandbox.Result r = sandbox.run("proxy-credentials", NO_CHOWN, "rotate", "web-sidecar");
    assertThat(r.exit()).as(r.output()).isZero();
    Map<String, String> after = tokens();
    assertThat(after.get("web-sidecar")).isNotEqualTo(before.get("web-sidecar"));
    for (String other : List.of("edge", "orders-sidecar", "users-sidecar")) {
      assertThat(after.get(other)).as("%s keeps its token", other).isEqualTo(before.get(other));
    }
    try (ProxyTokens sluice = sluiceTokens()) {
      assertThat(decide(sluice, after.get("web-sidecar"), claim("web-sidecar")).allowed()).isTrue();
      Decision old = decide(sluice, before.get("web-sidecar"), claim("web-sidecar"));
      assertThat(old.allowed()).isFalse();
      assertThat(old.reason()).isEqualTo(Decision.UNKNOWN_CREDENTIAL);
    }
  }

  @Test
  void anEnvoyWhoseBootstrapWasLostGetsANewTokenAndTheOthersKeepTheirs() throws Exception {
    init();
    Map<String, String> before = tokens();
    Files.delete(bootstrap("orders-sidecar"));
    init();
    Map<String, String> after = tokens();
    assertThat(after.get("orders-sidecar")).isNotEqualTo(before.get("orders-sidecar"));
    assertThat(after)
        .containsEntry("edge", before.get("edge"))
        .containsEntry("web-sidecar", before.get("web-sidecar"));
    try (ProxyTokens sluice = sluiceTokens()) {
      assertThat(decide(sluice, after.get("orders-sidecar"), claim("orders-sidecar")).allowed())
          .isTrue();
      assertThat(decide(sluice, before.get("orders-sidecar"), claim("orders-sidecar")).allowed())
          .isFalse();
    }
  }

  @Test
  void rotatingAnUnknownEnvoyChangesNothing() throws IOException {
    init();
    Map<String, String> before = files();
    ComposeSandbox.Result r = sandbox.run("proxy-credentials", NO_CHOWN, "rotate", "web");
    assertThat(r.exit()).isNotZero();
    assertThat(r.output()).contains("no Envoy named web").contains("web-sidecar");
    assertThat(files()).isEqualTo(before);
  }

  /**
   * Sluice's control-plane CA made as {@code sluice serve} makes it from the compose flags, then
   * xds-ca-bundle run: every Envoy finds, where its bootstrap looks, the CA certificate that
   * verifies the certificate Sluice serves, for the name its bootstrap checks; and among all the
   * files an Envoy's mounts show it, no private key and no other Envoy's token.
   */
  @Test
  void theEnvoysGetSluicesCaCertificateAndNoKey() throws Exception {
    init();
    Path tlsDir =
        sandbox.hostPath(
            "sluice",
            compose
                .flag("sluice", "--xds-tls-dir")
                .orElseThrow(
                    () ->
                        new AssertionError(
                            "sluice serve has no --xds-tls-dir in " + compose.file)));
    List<String> names = new ArrayList<>(ControlPlaneTls.Options.defaultNames());
    names.addAll(compose.flags("sluice", "--xds-tls-name"));
    X509Certificate served;
    try (ControlPlaneTls tls =
        ControlPlaneTls.start(ControlPlaneTls.Options.builtIn(tlsDir, names), Clock.systemUTC())) {
      served = certificate(tls.current().orElseThrow().certificatePem());
    }
    assertThat(tlsDir.resolve("ca-key.pem"))
        .as("sluice serve --xds-tls-dir keeps its CA key there")
        .exists();

    ComposeSandbox.Result r = sandbox.run("xds-ca-bundle", Map.of());
    assertThat(r.exit()).as(r.output()).isZero();

    Map<String, String> tokens = tokens();
    for (String envoy : ComposeFile.ENVOYS) {
      JsonNode tree = YAML.readTree(bootstrap(envoy).toFile());
      for (JsonNode cluster : tree.at("/static_resources/clusters")) {
        JsonNode validation =
            cluster.at("/transport_socket/typed_config/common_tls_context/validation_context");
        if (validation.isMissingNode()) {
          continue;
        }
        Path ca = sandbox.hostPath(envoy, validation.at("/trusted_ca/filename").asText());
        assertThat(ca)
            .as("%s: the CA bundle of cluster %s", envoy, cluster.path("name").asText())
            .isRegularFile();
        assertThat(Files.readString(ca)).isEqualTo(Files.readString(tlsDir.resolve("ca.pem")));
        served.verify(certificate(Files.readString(ca)).getPublicKey());
        for (JsonNode san : validation.path("match_typed_subject_alt_names")) {
          assertThat(dnsNames(served))
              .as("%s checks Sluice's certificate for %s", envoy, san.at("/matcher/exact").asText())
              .contains(san.at("/matcher/exact").asText());
        }
      }
      for (Path f : sandbox.visibleFiles(envoy)) {
        String content = Files.readString(f);
        assertThat(f.getFileName().toString())
            .as("%s sees %s", envoy, f)
            .isNotEqualTo("ca-key.pem");
        assertThat(content).as("%s sees %s", envoy, f).doesNotContain("PRIVATE KEY");
        for (String other : ComposeFile.ENVOYS) {
          if (!other.equals(envoy)) {
            assertThat(content)
                .as("%s sees %s, which holds %s's token", envoy, f, other)
                .doesNotContain(tokens.get(other));
          }
        }
      }
    }
  }

  @Test
  void theCaBundleIsNotPublishedWhenItIsMissingOrHoldsAKey() throws IOException {
    Path tlsDir =
        sandbox.hostPath("xds-ca-bundle", compose.environment("xds-ca-bundle").get("XDS_TLS_DIR"));
    Path published =
        sandbox
            .hostPath("xds-ca-bundle", compose.environment("xds-ca-bundle").get("CA_BUNDLE_DIR"))
            .resolve("ca.pem");

    ComposeSandbox.Result missing = sandbox.run("xds-ca-bundle", Map.of());
    assertThat(missing.exit()).isNotZero();
    assertThat(missing.output()).contains("ca.pem is missing");

    Files.writeString(
        tlsDir.resolve("ca.pem"),
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
            + "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n");
    ComposeSandbox.Result withKey = sandbox.run("xds-ca-bundle", Map.of());
    assertThat(withKey.exit()).isNotZero();
    assertThat(withKey.output()).contains("holds a private key");
    assertThat(published).doesNotExist();
  }

  private ComposeSandbox.Result init() {
    ComposeSandbox.Result r = sandbox.run("proxy-credentials", NO_CHOWN);
    assertThat(r.exit()).as("proxy-credentials:%n%s", r.output()).isZero();
    return r;
  }

  /** The file {@code sluice serve --proxy-tokens} reads, where the sluice service sees it. */
  private Path tokenFile() {
    return sandbox.hostPath(
        "sluice",
        compose
            .flag("sluice", "--proxy-tokens")
            .orElseThrow(
                () -> new AssertionError("sluice serve has no --proxy-tokens in " + compose.file)));
  }

  private ProxyTokens sluiceTokens() {
    return ProxyTokens.watch(tokenFile(), Duration.ofMillis(10), telemetry.metrics());
  }

  private static Decision decide(ProxyTokens tokens, String token, Claim claim) throws Exception {
    return tokens.authorize(new Credential(Optional.of(token), List.of(), "test"), claim).get();
  }

  /** The bootstrap an Envoy service runs: its {@code -c} argument, where its mounts put it. */
  private Path bootstrap(String envoy) {
    List<String> cmd = compose.command(envoy);
    int c = cmd.indexOf("-c");
    assertThat(c).as("%s runs envoy -c <bootstrap>", envoy).isNotNegative();
    return sandbox.hostPath(envoy, cmd.get(c + 1));
  }

  private static Path template(String envoy) {
    String file =
        envoy.endsWith("-sidecar")
            ? "sidecar-" + envoy.substring(0, envoy.length() - "-sidecar".length()) + ".yaml"
            : envoy + ".yaml";
    return RepoPaths.resolve("envoy-configs/compose/" + file);
  }

  /**
   * What an Envoy claims to be: the node of the bootstrap it runs, as Sluice reads it ({@link
   * ProxyGroups}).
   */
  private Claim claim(String envoy) {
    try {
      JsonNode node = YAML.readTree(bootstrap(envoy).toFile()).path("node");
      Node.Builder proto = Node.newBuilder();
      JsonFormat.parser().merge(node.toString(), proto);
      return Claim.ofGroup(ProxyGroups.group(proto.build()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The token in an Envoy's bootstrap: its ADS {@code authorization: Bearer <token>}. */
  private String token(String envoy) {
    try {
      JsonNode ads =
          YAML.readTree(bootstrap(envoy).toFile())
              .at("/dynamic_resources/ads_config/grpc_services/0");
      for (JsonNode m : ads.path("initial_metadata")) {
        if (m.path("key").asText().equals("authorization")) {
          String value = m.path("value").asText();
          assertThat(value).as("%s's authorization", envoy).startsWith("Bearer ");
          return value.substring("Bearer ".length());
        }
      }
      throw new AssertionError(envoy + "'s bootstrap sends no authorization metadata");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Map<String, String> tokens() {
    Map<String, String> out = new HashMap<>();
    ComposeFile.ENVOYS.forEach(e -> out.put(e, token(e)));
    return out;
  }

  /** The token file and every bootstrap, by path. */
  private Map<String, String> files() throws IOException {
    Map<String, String> out = new HashMap<>();
    out.put(tokenFile().toString(), Files.readString(tokenFile()));
    for (String envoy : ComposeFile.ENVOYS) {
      out.put(bootstrap(envoy).toString(), Files.readString(bootstrap(envoy)));
    }
    return out;
  }

  private static X509Certificate certificate(String pem) throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
  }

  private static Set<String> dnsNames(X509Certificate c) throws Exception {
    Set<String> out = new HashSet<>();
    if (c.getSubjectAlternativeNames() != null) {
      for (List<?> san : c.getSubjectAlternativeNames()) {
        if (((Integer) san.get(0)) == 2) {
          out.add((String) san.get(1));
        }
      }
    }
    return out;
  }
}
