package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.discovery.consul.ConsulConfig;
import dev.sluice.server.auth.ConsulAclTokens;
import dev.sluice.server.auth.ControlPlaneTls;
import dev.sluice.server.auth.SecurityOptions;
import dev.sluice.testing.AdsClient;
import dev.sluice.testing.ConsulAgent;
import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.EnvoyProcess;
import dev.sluice.testing.FreePorts;
import dev.sluice.testing.HttpUpstream;
import dev.sluice.testing.RepoPaths;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Consul ACL tokens as proxy credentials ({@code --proxy-auth consul}), checked by a real Consul
 * with ACLs on (default deny): a proxy's token must grant service:write on the service or gateway
 * it claims; a token deleted in Consul ends its streams within the TTL; while Consul is down,
 * connected proxies stay for the outage grace and new ones are refused.
 */
class ConsulProxyAuthIT {
  static final String MANAGEMENT = "7e3b9a40-5c2d-4f18-8b6e-0d1a2c3f4e5b";

  /** Short, so that rechecks (every TTL) happen within a test. */
  static final Duration TTL = Duration.ofSeconds(1);

  static ConsulAgent consul;
  static HttpUpstream upstream;
  static SluiceFixture sluice;
  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  @BeforeAll
  static void start() {
    consul = ConsulAgent.withAcls(MANAGEMENT);
    upstream = HttpUpstream.start("orders");
    sluice = started(consul, Duration.ofMinutes(10));
  }

  @AfterAll
  static void stop() {
    sluice.close();
    upstream.close();
    consul.close();
  }

  /**
   * Sluice reading this Consul with a read token, serving xDS over TLS to proxies with Consul
   * tokens.
   */
  static SluiceFixture started(ConsulAgent consul, Duration outageGrace) {
    consul.register("orders-1", "orders", upstream.port(), List.of());
    consul.register("web-1", "web", upstream.port(), List.of());
    SluiceFixture s =
        new SluiceFixture()
            .consul(
                ConsulConfig.of(consul.registry())
                    .withToken(Optional.of(consul.createReadToken())));
    s.writePolicy(
        "mesh.yaml",
        "kind: Mesh\nname: mesh\ntrustDomain: sluice.test\n"
            + "---\nkind: Sidecar\nname: web\ninbound: {port: "
            + FreePorts.next()
            + ", appPort: 9001}\n"
            + "---\nkind: Sidecar\nname: orders\ninbound: {port: "
            + FreePorts.next()
            + ", appPort: 9002}\n");
    s.meshCa(Duration.ofHours(1))
        .security(
            SecurityOptions.none()
                .withTls(
                    ControlPlaneTls.Options.builtIn(
                        s.dir.resolve("xds-tls"), ControlPlaneTls.Options.defaultNames()))
                .withConsulTokens(new ConsulAclTokens.Options(TTL, outageGrace)))
        .start();
    await().atMost(Duration.ofSeconds(30)).until(() -> s.admin("/ready").statusCode() == 200);
    return s;
  }

  static AdsClient client(SluiceFixture s, String token) {
    return AdsClient.tls(s.xdsPort, s.dir.resolve("xds-tls").resolve("ca.pem"), token);
  }

  static List<String> identities(DiscoveryResponse r) throws Exception {
    assertThat(r.getTypeUrl()).isEqualTo(AdsClient.SECRET_TYPE);
    List<String> identities = new ArrayList<>();
    for (var any : r.getResourcesList()) {
      Secret secret = any.unpack(Secret.class);
      if (secret.hasTlsCertificate()) {
        identities.add(
            ControlChannelSecurityIT.uriSan(
                secret.getTlsCertificate().getCertificateChain().getInlineString()));
      }
    }
    return identities;
  }

  @Test
  void aSidecarWhoseTokenLacksServiceWriteOnItsServiceIsRefusedAndGetsNoSecret() throws Exception {
    ConsulAgent.AclToken web = consul.createServiceToken("web");
    try (AdsClient c = client(sluice, web.secretId())) {
      Status s = c.sidecar("orders").awaitRefusal();
      assertThat(s.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(s.getDescription())
          .isEqualTo("Consul token does not grant service:write on orders");
    }
    try (AdsClient c = client(sluice, "0f6c1a2b-3d4e-4f50-8a9b-abcdefabcdef")) {
      Status s = c.sidecar("orders").awaitRefusal();
      assertThat(s.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(s.getDescription())
          .contains("not a Consul ACL token that Consul knows")
          .doesNotContain("0f6c1a2b");
    }
    try (AdsClient c = client(sluice, null)) {
      assertThat(c.sidecar("orders").awaitRefusal().getCode())
          .isEqualTo(Status.Code.PERMISSION_DENIED);
    }
    assertThat(sluice.adminJson("/proxies").path("controlChannel").toString())
        .contains("service:write on orders")
        .doesNotContain(web.secretId());
    assertThat(sluice.server().metrics().prometheus()).doesNotContain(web.secretId());
  }

  @Test
  void aSidecarWhoseTokenGrantsServiceWriteOnItsServiceGetsItsOwnSecret() throws Exception {
    ConsulAgent.AclToken orders = consul.createServiceToken("orders");
    try (AdsClient c = client(sluice, orders.secretId())) {
      assertThat(identities(c.sidecar("orders").next()))
          .containsExactly("spiffe://sluice.test/service/orders");
    }
  }

  @Test
  void aGatewayEnvoysTokenMustGrantServiceWriteOnTheGatewaysName() throws Exception {
    ConsulAgent.AclToken edge = consul.createServiceToken("edge");
    try (AdsClient c = client(sluice, edge.secretId())) {
      assertThat(c.gateway("edge-1", "edge").next().getTypeUrl()).isEqualTo(AdsClient.CLUSTER_TYPE);
    }
    ConsulAgent.AclToken orders = consul.createServiceToken("orders");
    try (AdsClient c = client(sluice, orders.secretId())) {
      Status s = c.gateway("edge-1", "edge").awaitRefusal();
      assertThat(s.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(s.getDescription()).isEqualTo("Consul token does not grant service:write on edge");
    }
  }

  @Test
  void deletingAConnectedSidecarsTokenEndsItsStreamWithinTheTtlAndItGetsNoNewCertificate()
      throws Exception {
    ConsulAgent.AclToken orders = consul.createServiceToken("orders");
    try (AdsClient c = client(sluice, orders.secretId())) {
      AdsClient.Sotw stream = c.sidecar("orders");
      assertThat(identities(stream.next())).containsExactly("spiffe://sluice.test/service/orders");
      consul.deleteToken(orders);
      Status s = stream.awaitEnd();
      assertThat(s.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(s.getDescription())
          .startsWith(
              "credential withdrawn: the token is not a Consul ACL token that Consul knows");
    }
    try (AdsClient again = client(sluice, orders.secretId())) {
      // no new certificate for a revoked token
      assertThat(again.sidecar("orders").awaitRefusal().getCode())
          .isEqualTo(Status.Code.PERMISSION_DENIED);
    }
  }

  @Test
  void anEnvoyWithItsConsulTokenGetsItsCertificate() throws Exception {
    ConsulAgent.AclToken orders = consul.createServiceToken("orders");
    Path ca = sluice.dir.resolve("xds-tls").resolve("ca.pem");
    EnvoyProcess envoy =
        envoys.start(
            RepoPaths.resolve("envoy-configs/sidecar.yaml"),
            EnvoyProcess.Options.ads(sluice.xdsPort)
                .node("orders-envoy", "orders")
                .secure(ca, orders.secretId()));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(envoy.admin("/config_dump?resource=dynamic_active_secrets").body())
                    .contains("\"mesh-cert\""));
  }

  @Test
  void whileConsulIsDownAConnectedSidecarStaysForTheGraceAndNewOnesAreRefused() throws Exception {
    Duration grace = Duration.ofSeconds(8);
    try (ConsulAgent own = ConsulAgent.withAcls(MANAGEMENT);
        SluiceFixture s = started(own, grace)) {
      ConsulAgent.AclToken orders = own.createServiceToken("orders");
      try (AdsClient client = client(s, orders.secretId())) {
        AdsClient.Sotw connected = client.sidecar("orders");
        connected.next();
        own.stop();
        // kept through a recheck that could not reach Consul
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> s.server().metrics().get("sluice_xds_unchecked_kept_total") > 0);
        assertThat(connected.ended).isNotDone();
        try (AdsClient fresh = client(s, orders.secretId())) {
          Status refused = fresh.sidecar("orders").awaitRefusal();
          assertThat(refused.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
          assertThat(refused.getDescription())
              .startsWith("the Consul token could not be checked (");
        }
        Status ended = connected.awaitEnd();
        assertThat(ended.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(ended.getDescription())
            .startsWith(
                "credential unconfirmed for longer than 8s: the Consul token could not be checked");
      }
    }
  }
}
