package dev.sluice.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.discovery.CatalogListener;
import dev.sluice.discovery.ServiceCatalog;
import dev.sluice.discovery.SourceStatus;
import dev.sluice.discovery.consul.ScriptedConsul.Reply;
import dev.sluice.yaml.Finding;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Consul answers that a real agent cannot be made to give, from {@link ScriptedConsul}: each is an
 * error of that request (the source reports itself stale with the reason, the last good catalog
 * stays in force), and no query loop dies of it (the same loops pick up the next good answer).
 */
class ConsulAnswersTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private ScriptedConsul consul;
  private ConsulSource source;
  private final AtomicReference<ServiceCatalog> latest = new AtomicReference<>();

  /** Each failed request as "endpoint/reason". */
  private final List<String> requestErrors = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    consul = new ScriptedConsul();
  }

  @AfterEach
  void stop() {
    if (source != null) {
      source.close();
    }
    consul.close();
  }

  private void startSource() {
    startSource(consul.config());
  }

  private void startSource(ConsulConfig config) {
    source =
        new ConsulSource(
            config,
            (endpoint, reason) -> requestErrors.add(endpoint.label() + "/" + reason.label()));
    source.start(
        new CatalogListener() {
          @Override
          public void onCatalog(ServiceCatalog catalog) {
            latest.set(catalog);
          }

          @Override
          public void onError(List<Finding> problems) {}
        });
  }

  private List<String> endpoints(String service) {
    ServiceCatalog c = latest.get();
    if (c == null || c.service(service).isEmpty()) {
      return List.of();
    }
    return c.service(service).get().instances().stream()
        .map(i -> i.address() + ":" + i.port())
        .toList();
  }

  /** users at 127.0.0.1:9001, read once. */
  private void usersServing() {
    usersServing(consul.config());
  }

  private void usersServing(ConsulConfig config) {
    consul
        .services("5", "users")
        .on(
            "/v1/health/service/users",
            Reply.ok("5", "[" + ScriptedConsul.instance("users", "u1", "127.0.0.1", 9001) + "]"));
    startSource(config);
    await().atMost(WAIT).until(() -> endpoints("users").equals(List.of("127.0.0.1:9001")));
    assertThat(source.status().stale()).isFalse();
  }

  /**
   * Both loops answer well again, with a new service: the same loops must still be running to see
   * it.
   */
  private void recovers() {
    consul
        .services("9", "users", "orders")
        .on(
            "/v1/health/service/users",
            Reply.ok("9", "[" + ScriptedConsul.instance("users", "u1", "127.0.0.1", 9001) + "]"))
        .on(
            "/v1/health/service/orders",
            Reply.ok("9", "[" + ScriptedConsul.instance("orders", "o1", "127.0.0.1", 9002) + "]"));
    await()
        .atMost(WAIT)
        .until(
            () ->
                endpoints("orders").equals(List.of("127.0.0.1:9002")) && !source.status().stale());
    assertThat(source.status().lastError()).isEmpty();
    assertThat(endpoints("users")).containsExactly("127.0.0.1:9001");
  }

  @Test
  void aNonNumericIndexIsAnErrorOfThatRequestAndNoLoopDies() {
    usersServing();
    // the service list's index goes bad: that loop reports it and keeps going
    consul.on("/v1/catalog/services", Reply.ok("not-a-number", "{\"consul\":[],\"users\":[]}"));
    await().atMost(WAIT).until(() -> source.status().stale());
    assertThat(source.status().lastError())
        .contains("X-Consul-Index")
        .contains("not-a-number")
        .contains("/v1/catalog/services");
    // and the health loop's too
    consul.services("6", "users").on("/v1/health/service/users", Reply.ok("-3", "[]"));
    await()
        .atMost(WAIT)
        .until(() -> source.status().lastError().contains("/v1/health/service/users"));
    SourceStatus s = source.status();
    assertThat(s.stale()).isTrue();
    assertThat(s.lastError()).contains("X-Consul-Index").contains("-3");
    assertThat(endpoints("users"))
        .as("the last good catalog stays")
        .containsExactly("127.0.0.1:9001");
    recovers();
  }

  @Test
  void aServiceListThatIsNotAJsonObjectIsAnErrorNotAnEmptyCatalog() {
    usersServing();
    // body → what the error must say about it
    Map<String, String> bodies = new LinkedHashMap<>();
    bodies.put("", "empty");
    bodies.put("[]", "an array");
    bodies.put("null", "null");
    bodies.put("\"users\"", "a string");
    bodies.put("42", "a number");
    bodies.put("{\"users\": [", "not JSON");
    for (var e : bodies.entrySet()) {
      consul.on("/v1/catalog/services", Reply.ok("7", e.getKey()));
      await()
          .atMost(WAIT)
          .until(
              () -> source.status().stale() && source.status().lastError().contains(e.getValue()));
      assertThat(source.status().lastError())
          .as("body %s", e.getKey())
          .contains("/v1/catalog/services");
      assertThat(endpoints("users"))
          .as("after body %s: the last good catalog stays", e.getKey())
          .containsExactly("127.0.0.1:9001");
    }
    recovers();
  }

  @Test
  void anInstanceListThatIsNotAJsonArrayIsAnErrorNotAnEmptyService() {
    usersServing();
    Map<String, String> bodies = new LinkedHashMap<>();
    bodies.put("", "empty");
    bodies.put("{}", "an object");
    bodies.put("null", "null");
    bodies.put("true", "a boolean");
    for (var e : bodies.entrySet()) {
      consul.on("/v1/health/service/users", Reply.ok("7", e.getKey()));
      await()
          .atMost(WAIT)
          .until(
              () -> source.status().stale() && source.status().lastError().contains(e.getValue()));
      assertThat(source.status().lastError())
          .as("body %s", e.getKey())
          .contains("/v1/health/service/users");
      assertThat(endpoints("users"))
          .as("after body %s: the last good catalog stays", e.getKey())
          .containsExactly("127.0.0.1:9001");
    }
    recovers();
  }

  @Test
  void aFailingInstanceListMarksTheSourceStaleWithItsReason() {
    usersServing();
    consul.on("/v1/health/service/users", new Reply(500, "5", "rpc error: no leader", 0));
    await().atMost(WAIT).until(() -> source.status().stale());
    assertThat(source.status().lastError())
        .contains("500")
        .contains("/v1/health/service/users")
        .contains("no leader");
    assertThat(endpoints("users")).containsExactly("127.0.0.1:9001");
    recovers();
  }

  @Test
  void whileOnlyTheServiceListFailsTheSourceStaysStaleThoughTheInstanceListsSucceed() {
    usersServing();
    consul.on("/v1/catalog/services", new Reply(500, "5", "rpc error: no leader", 0));
    await().atMost(WAIT).until(() -> source.status().stale());
    // the health loop keeps succeeding (the scripted agent answers at once): count 40 of its
    // answers
    long healthBefore = healthRequests();
    while (healthRequests() < healthBefore + 40) {
      SourceStatus s = source.status();
      assertThat(s.stale())
          .as("stale while the service list fails, whatever the other loops do")
          .isTrue();
      assertThat(s.lastError()).contains("/v1/catalog/services");
      Thread.onSpinWait();
    }
    recovers();
  }

  private long healthRequests() {
    return consul.rawPaths.stream().filter(p -> p.startsWith("/v1/health/")).count();
  }

  @Test
  void anAnswerOverTheSizeLimitIsAnErrorReadNoFurtherThanTheLimit() {
    usersServing();
    long limit = ConsulHttp.MAX_BODY_BYTES;
    // 100 MiB more than the limit, streamed: the reader must stop at the limit (read whole it was
    // an OutOfMemoryError)
    consul.on("/v1/health/service/users", new Reply(200, "8", null, limit + (100L << 20)));
    await().atMost(WAIT).until(() -> source.status().stale());
    assertThat(source.status().lastError())
        .isEqualTo(
            "Consul's answer to /v1/health/service/users is larger than the limit of 64 MiB");
    assertThat(requestErrors)
        .contains("health_service/too_large")
        .doesNotContain("health_service/malformed");
    assertThat(endpoints("users")).containsExactly("127.0.0.1:9001");
    recovers();
  }

  @Test
  void serviceNamesArePercentEncodedAsOnePathSegment() {
    assertThat(ConsulHttp.segment("users")).isEqualTo("users");
    assertThat(ConsulHttp.segment("a b")).isEqualTo("a%20b");
    assertThat(ConsulHttp.segment("c+d")).isEqualTo("c%2Bd");
    assertThat(ConsulHttp.segment("x/../y?z#")).isEqualTo("x%2F..%2Fy%3Fz%23");
    assertThat(ConsulHttp.segment("caf\u00e9-1.v2_~")).isEqualTo("caf%C3%A9-1.v2_~");
  }

  @Test
  void anAnswerWhoseBodyNeverEndsTimesOut() {
    // a 1 s blocking wait: requests time out after 1 s + 1/16 + 10 s, the whole answer 5 s later
    usersServing(consul.config().withBlockingWait(Duration.ofSeconds(1)));
    consul.on("/v1/health/service/users", new Reply(200, "8", null, -1));
    await().atMost(Duration.ofSeconds(40)).until(() -> source.status().stale());
    assertThat(source.status().lastError())
        .isEqualTo("Consul's answer to /v1/health/service/users did not arrive whole within 16s");
    assertThat(requestErrors).contains("health_service/timeout");
    assertThat(endpoints("users")).containsExactly("127.0.0.1:9001");
    recovers();
  }
}
