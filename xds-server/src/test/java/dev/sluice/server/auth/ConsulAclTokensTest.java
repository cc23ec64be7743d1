package dev.sluice.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.discovery.consul.ConsulClients;
import dev.sluice.discovery.consul.ConsulConfig;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Consul's answers turned into decisions, kept for a TTL, and what is never sent or shown. */
class ConsulAclTokensTest {
  static final String ORDERS = "0b8a1c7e-orders-token";
  static final String EDGE = "5d2f4e1a-edge-token";
  static final String SLUICE_OWN = "sluice-own-catalog-token";
  static final Claim SIDECAR = new Claim(Claim.Kind.SERVICE, "orders");
  static final Claim GATEWAY = new Claim(Claim.Kind.GATEWAY, "edge");
  final AtomicLong now = new AtomicLong();
  FakeAclConsul consul;
  ConsulAclTokens tokens;

  @BeforeEach
  void start() throws Exception {
    consul = new FakeAclConsul();
    consul.tokens.put(ORDERS, Set.of("orders"));
    consul.tokens.put(EDGE, Set.of("edge"));
    tokens =
        tokens(
            ConsulConfig.of(consul.registry()).withToken(Optional.of(SLUICE_OWN)),
            Duration.ofSeconds(2));
  }

  @AfterEach
  void stop() {
    consul.close();
  }

  ConsulAclTokens tokens(ConsulConfig config, Duration requestTimeout) {
    return new ConsulAclTokens(
        config,
        new ConsulAclTokens.Options(Duration.ofSeconds(30), Duration.ofMinutes(10)),
        ConsulClients.newClient(config),
        requestTimeout,
        now::get);
  }

  static Credential token(String t) {
    return new Credential(Optional.of(t), List.of(), "127.0.0.1:4000");
  }

  Decision decide(String token, Claim claim) throws Exception {
    return tokens.authorize(token(token), claim).get(10, TimeUnit.SECONDS);
  }

  @Test
  void aSidecarsTokenMustGrantServiceWriteOnItsService() throws Exception {
    assertThat(decide(ORDERS, SIDECAR)).isEqualTo(Decision.allow("Consul ACL token"));
    Decision d = decide(ORDERS, new Claim(Claim.Kind.SERVICE, "payments"));
    assertThat(d.allowed()).isFalse();
    assertThat(d.reason()).isEqualTo(Decision.NOT_GRANTED);
    assertThat(d.message()).isEqualTo("Consul token does not grant service:write on payments");
    FakeAclConsul.Request asked = consul.requests.get(0);
    assertThat(asked.token())
        .as("the proxy's token is asked about, never Sluice's own")
        .isEqualTo(ORDERS);
    assertThat(asked.rules().toString())
        .isEqualTo("[{\"Resource\":\"service\",\"Segment\":\"orders\",\"Access\":\"write\"}]");
  }

  @Test
  void aGatewaysTokenMustGrantServiceWriteOnTheGatewaysName() throws Exception {
    assertThat(decide(EDGE, GATEWAY).allowed()).isTrue();
    assertThat(consul.requests.get(0).rules().get(0).get("Segment").asText()).isEqualTo("edge");
    assertThat(decide(ORDERS, GATEWAY).message())
        .isEqualTo("Consul token does not grant service:write on edge");
    assertThat(decide(EDGE, SIDECAR).allowed()).isFalse();
  }

  @Test
  void aTokenConsulDoesNotKnowIsUnknownAndNeverShown() throws Exception {
    Decision d = decide("a1b2c3d4-deleted", SIDECAR);
    assertThat(d.reason()).isEqualTo(Decision.UNKNOWN_CREDENTIAL);
    assertThat(d.message()).contains("service orders").doesNotContain("a1b2c3d4");
    assertThat(d.credential()).doesNotContain("a1b2c3d4");
  }

  @Test
  void noTokenIsRefusedWithoutAskingConsul() throws Exception {
    Decision d = tokens.authorize(Credential.none("127.0.0.1:4000"), SIDECAR).get();
    assertThat(d.reason()).isEqualTo(Decision.NO_CREDENTIAL);
    assertThat(consul.requests).as("Consul's anonymous token must not decide").isEmpty();
  }

  @Test
  void whatCannotBeAHeaderIsNotSent() throws Exception {
    assertThat(decide("x\u0001y", SIDECAR).reason()).isEqualTo(Decision.UNKNOWN_CREDENTIAL);
    assertThat(decide("with space", SIDECAR).reason()).isEqualTo(Decision.UNKNOWN_CREDENTIAL);
    assertThat(consul.requests).isEmpty();
  }

  @Test
  void answersAreKeptForOneTtlFromWhenTheyWereAskedFor() throws Exception {
    decide(ORDERS, SIDECAR);
    now.addAndGet(Duration.ofSeconds(29).toNanos());
    decide(ORDERS, SIDECAR);
    assertThat(consul.requests).hasSize(1);
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    consul.tokens.remove(ORDERS);
    assertThat(decide(ORDERS, SIDECAR).reason())
        .as("asked again after the TTL: the token is gone")
        .isEqualTo(Decision.UNKNOWN_CREDENTIAL);
    assertThat(consul.requests).hasSize(2);
    assertThat(tokens.cached()).isEqualTo(1);
  }

  @Test
  void streamsAskingTheSameQuestionTogetherShareOneRequest() throws Exception {
    consul.hold = new CountDownLatch(1);
    List<CompletableFuture<Decision>> asked =
        List.of(
            tokens.authorize(token(ORDERS), SIDECAR),
            tokens.authorize(token(ORDERS), SIDECAR),
            tokens.authorize(token(ORDERS), SIDECAR));
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !consul.requests.isEmpty());
    consul.hold.countDown();
    for (CompletableFuture<Decision> d : asked) {
      assertThat(d.get(5, TimeUnit.SECONDS).allowed()).isTrue();
    }
    assertThat(consul.requests).hasSize(1);
  }

  @Test
  void consulWithoutAnAnswerIsUncheckedAndNotKept() throws Exception {
    consul.status = 500;
    Decision d = decide(ORDERS, SIDECAR);
    assertThat(d.reason()).isEqualTo(Decision.UNCHECKED);
    assertThat(d.message())
        .isEqualTo("the Consul token could not be checked (Consul answered 500); try again");
    consul.status = null;
    assertThat(decide(ORDERS, SIDECAR).allowed()).as("asked again at once").isTrue();
  }

  @Test
  void consulWithAclsOffProvesNothing() throws Exception {
    consul.status = 401;
    Decision d = decide(ORDERS, SIDECAR);
    assertThat(d.reason()).isEqualTo(Decision.UNCHECKED);
    assertThat(d.message()).contains("ACLs are disabled");
  }

  @Test
  void aConsulThatDoesNotAnswerInTimeIsUnchecked() throws Exception {
    consul.hold = new CountDownLatch(1);
    tokens = tokens(ConsulConfig.of(consul.registry()), Duration.ofMillis(200));
    Decision d = decide(ORDERS, SIDECAR);
    assertThat(d.reason()).isEqualTo(Decision.UNCHECKED);
    assertThat(d.message()).contains("HttpTimeoutException");
  }

  @Test
  void anUnreachableConsulIsUnchecked() throws Exception {
    String registry = consul.registry();
    consul.close();
    tokens = tokens(ConsulConfig.of(registry), Duration.ofSeconds(2));
    assertThat(decide(ORDERS, SIDECAR).reason()).isEqualTo(Decision.UNCHECKED);
  }

  @Test
  void theDatacenterIsAsked() throws Exception {
    tokens =
        tokens(ConsulConfig.of(consul.registry()).withDatacenter("eu-1"), Duration.ofSeconds(2));
    decide(ORDERS, SIDECAR);
    assertThat(consul.requests.get(0).query()).isEqualTo("dc=eu-1");
  }

  @Test
  void connectedStreamsAreCheckedAgainEveryTtl() {
    assertThat(tokens.recheckEvery()).hasValue(Duration.ofSeconds(30));
    assertThat(tokens.outageGrace()).isEqualTo(Duration.ofMinutes(10));
    assertThat(tokens.describe())
        .contains(consul.registry().replace("consul://", "http://"))
        .contains("30s")
        .contains("10m")
        .doesNotContain(SLUICE_OWN);
  }
}
