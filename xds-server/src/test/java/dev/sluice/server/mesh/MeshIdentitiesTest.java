package dev.sluice.server.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.ir.Endpoint;
import dev.sluice.ir.MeshClient;
import dev.sluice.ir.ProxyConfig;
import dev.sluice.ir.SidecarConfig;
import dev.sluice.ir.UpstreamCluster;
import dev.sluice.xds.ConsistencyCheck;
import dev.sluice.xds.Translator;
import dev.sluice.xds.XdsResources;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeshIdentitiesTest {
  @TempDir Path dir;

  /** A clock the test moves. */
  static final class MovingClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  static ProxyConfig sidecar(String service, String trustDomain) {
    SidecarConfig s =
        new SidecarConfig(
            service,
            trustDomain,
            "spiffe://" + trustDomain + "/service/" + service,
            new SidecarConfig.Inbound(
                "inbound", 21000, 8080, new SidecarConfig.Access(true, List.of())),
            List.of());
    var app =
        new UpstreamCluster(
            SidecarConfig.APP_CLUSTER,
            service,
            Duration.ofSeconds(5),
            List.of(new Endpoint("127.0.0.1", 8080, 1, "", "", Endpoint.Status.HEALTHY, 0)),
            Optional.empty());
    return new ProxyConfig(
        "sidecar~" + service,
        List.of(),
        List.of(app),
        List.of(),
        Optional.of(s),
        Optional.of(new MeshClient(service, trustDomain, s.spiffeId(), List.of())));
  }

  static String certPem(XdsResources r) {
    return r.secrets().stream()
        .filter(s -> s.getName().equals(SidecarConfig.CERT_SECRET))
        .findFirst()
        .map(Secret::getTlsCertificate)
        .orElseThrow()
        .getCertificateChain()
        .getInlineString();
  }

  @Test
  void aSidecarGroupGetsItsCertificateAndTheRootAndIsThenConsistent() {
    MovingClock clock = new MovingClock();
    MeshIdentities ids = new MeshIdentities(dir, Duration.ofHours(1), clock);
    ProxyConfig config = sidecar("orders", "example.org");
    XdsResources translated = Translator.translate(config);
    assertThat(ConsistencyCheck.problems(translated))
        .isNotEmpty(); // the secrets are missing until attached
    XdsResources r = ids.attach(config, translated);
    assertThat(ConsistencyCheck.problems(r)).isEmpty();
    assertThat(r.secrets())
        .extracting(Secret::getName)
        .containsExactly(SidecarConfig.CERT_SECRET, SidecarConfig.TRUST_SECRET);
    assertThat(ids.current("orders"))
        .get()
        .extracting(WorkloadCertificate::spiffeId)
        .isEqualTo("spiffe://example.org/service/orders");
    assertThat(r.origins()).containsKey("secret/" + SidecarConfig.CERT_SECRET);
  }

  @Test
  void theCertificateIsReusedUntilTwoThirdsOfItsLifetime() {
    MovingClock clock = new MovingClock();
    MeshIdentities ids = new MeshIdentities(dir, Duration.ofHours(1), clock);
    ProxyConfig config = sidecar("orders", "example.org");
    String first = certPem(ids.attach(config, Translator.translate(config)));
    clock.now = clock.now.plus(Duration.ofMinutes(30));
    assertThat(certPem(ids.attach(config, Translator.translate(config)))).isEqualTo(first);
    assertThat(ids.nextRotation()).isPresent();
    clock.now = ids.nextRotation().get();
    assertThat(certPem(ids.attach(config, Translator.translate(config)))).isNotEqualTo(first);
    assertThat(ids.nextRotation().get()).isAfter(clock.now);
  }

  @Test
  void aShortLivedCertificateIsRotatedAtTwoThirdsCountedFromIssue() {
    MovingClock clock = new MovingClock();
    MeshIdentities ids = new MeshIdentities(dir, Duration.ofSeconds(15), clock);
    ProxyConfig config = sidecar("orders", "example.org");
    Instant issued = clock.now;
    String first = certPem(ids.attach(config, Translator.translate(config)));
    // not at once, although notBefore is backdated a minute: 10 s after issue
    assertThat(ids.nextRotation()).contains(issued.plusSeconds(10));
    clock.now = issued.plusSeconds(9);
    assertThat(certPem(ids.attach(config, Translator.translate(config)))).isEqualTo(first);
    clock.now = issued.plusSeconds(10);
    assertThat(certPem(ids.attach(config, Translator.translate(config)))).isNotEqualTo(first);
  }

  @Test
  void aGatewayThatRoutesIntoTheMeshGetsACertificateInItsOwnName() {
    MeshIdentities ids = new MeshIdentities(dir, Duration.ofHours(1), new MovingClock());
    ProxyConfig gateway =
        new ProxyConfig(
            "edge",
            List.of(),
            List.of(),
            List.of(),
            Optional.empty(),
            Optional.of(
                new MeshClient(
                    "edge", "example.org", "spiffe://example.org/service/edge", List.of())));
    XdsResources r = ids.attach(gateway, Translator.translate(gateway));
    assertThat(r.secrets())
        .extracting(Secret::getName)
        .containsExactly(SidecarConfig.CERT_SECRET, SidecarConfig.TRUST_SECRET);
    assertThat(ids.current("edge"))
        .get()
        .extracting(WorkloadCertificate::spiffeId)
        .isEqualTo("spiffe://example.org/service/edge");
  }

  @Test
  void replicasSharingTheCaDirectoryServeTheSameCertificate() {
    MovingClock clock = new MovingClock();
    MeshIdentities a = new MeshIdentities(dir, Duration.ofHours(1), clock);
    MeshIdentities b = new MeshIdentities(dir, Duration.ofHours(1), clock);
    ProxyConfig config = sidecar("orders", "example.org");

    XdsResources fromA = a.attach(config, Translator.translate(config));
    XdsResources fromB = b.attach(config, Translator.translate(config));

    assertThat(b.current("orders").get().serial()).isEqualTo(a.current("orders").get().serial());
    assertThat(fromB.secrets()).isEqualTo(fromA.secrets()); // same bytes, so the same content hash
  }

  @Test
  void aRestartedServerServesTheCertificateItServedBefore() {
    MovingClock clock = new MovingClock();
    ProxyConfig config = sidecar("orders", "example.org");
    MeshIdentities before = new MeshIdentities(dir, Duration.ofHours(1), clock);
    String pem = certPem(before.attach(config, Translator.translate(config)));
    clock.now = clock.now.plus(Duration.ofMinutes(10));

    MeshIdentities restarted = new MeshIdentities(dir, Duration.ofHours(1), clock);

    assertThat(certPem(restarted.attach(config, Translator.translate(config)))).isEqualTo(pem);
    assertThat(restarted.current("orders")).isEqualTo(before.current("orders"));
    assertThat(restarted.nextRotation()).isEqualTo(before.nextRotation());
  }

  @Test
  void atRotationOneReplicaIssuesAndTheOtherTakesThatCertificateFromDisk() {
    MovingClock clock = new MovingClock();
    MeshIdentities a = new MeshIdentities(dir, Duration.ofHours(1), clock);
    MeshIdentities b = new MeshIdentities(dir, Duration.ofHours(1), clock);
    ProxyConfig config = sidecar("orders", "example.org");
    a.attach(config, Translator.translate(config));
    b.attach(config, Translator.translate(config));
    WorkloadCertificate old = a.current("orders").orElseThrow();

    clock.now = a.nextRotation().orElseThrow();
    String rotated = certPem(a.attach(config, Translator.translate(config)));
    String taken = certPem(b.attach(config, Translator.translate(config)));

    assertThat(a.current("orders").get().serial()).isNotEqualTo(old.serial());
    assertThat(b.current("orders").get().serial()).isEqualTo(a.current("orders").get().serial());
    assertThat(taken).isEqualTo(rotated);
    assertThat(b.current("orders").get().privateKeyPem())
        .isEqualTo(a.current("orders").get().privateKeyPem());
  }

  @Test
  void aValidCertificateInMemoryIsServedWithoutReadingTheDirectoryAgain() throws Exception {
    MovingClock clock = new MovingClock();
    MeshIdentities ids = new MeshIdentities(dir, Duration.ofHours(1), clock);
    ProxyConfig config = sidecar("orders", "example.org");
    String first = certPem(ids.attach(config, Translator.translate(config)));
    Path stored = dir.resolve("issued/orders.pem");
    Files.writeString(stored, "overwritten");

    assertThat(certPem(ids.attach(config, Translator.translate(config)))).isEqualTo(first);
    assertThat(Files.readString(stored)).isEqualTo("overwritten");
  }

  @Test
  void aGatewayIsLeftAlone() {
    MeshIdentities ids = new MeshIdentities(dir, Duration.ofHours(1), new MovingClock());
    ProxyConfig gateway = new ProxyConfig("edge", List.of(), List.of(), List.of());
    assertThat(ids.attach(gateway, XdsResources.EMPTY)).isEqualTo(XdsResources.EMPTY);
    assertThat(ids.nextRotation()).isEmpty();
  }

  @Test
  void aMeshWithAnotherTrustDomainThanTheRootIsRefused() {
    MovingClock clock = new MovingClock();
    new MeshIdentities(dir, Duration.ofHours(1), clock)
        .attach(sidecar("orders", "example.org"), XdsResources.EMPTY);
    MeshIdentities restarted = new MeshIdentities(dir, Duration.ofHours(1), clock);
    assertThatThrownBy(() -> restarted.attach(sidecar("orders", "other.org"), XdsResources.EMPTY))
        .isInstanceOf(CaException.class);
  }

  @Test
  void servicesWithoutASidecarAnyMoreAreForgotten() {
    MeshIdentities ids = new MeshIdentities(dir, Duration.ofHours(1), new MovingClock());
    ids.attach(sidecar("orders", "example.org"), XdsResources.EMPTY);
    ids.attach(sidecar("users", "example.org"), XdsResources.EMPTY);
    ids.retain(Set.of("users"));
    assertThat(ids.current("orders")).isEmpty();
    assertThat(ids.current("users")).isPresent();
  }
}
