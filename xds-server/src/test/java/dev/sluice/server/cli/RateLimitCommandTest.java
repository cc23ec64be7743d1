package dev.sluice.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.policy.PolicySet;
import dev.sluice.ratelimit.RateLimitTable;
import dev.sluice.ratelimit.RateLimitTable.Entry;
import dev.sluice.ratelimit.RateLimitTable.Limit;
import dev.sluice.ratelimit.RateLimitTable.Rule;
import dev.sluice.ratelimit.RateLimitTable.Unit;
import dev.sluice.server.ratelimit.FailureMode;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code sluice ratelimit}: the rate-limit service alone, its limits from a policy folder. */
class RateLimitCommandTest {
  private static final String ROUTE = "kind: Route\nname: %s\nmatch:\n  prefix: /%s\nto: %s\n";

  /** Until the policy engine builds the table: one rule whose limit is the number of routes. */
  private static final Function<PolicySet, RateLimitTable> ROUTES_AS_LIMIT =
      set ->
          new RateLimitTable(
              List.of(
                  new Rule(
                      "edge",
                      List.of(new Entry("consumer", Optional.empty())),
                      new Limit(set.routes().size(), Unit.MINUTE, false, false),
                      "test")));

  @Test
  void optionsAndHelp() {
    CliRun help = CliRun.of("ratelimit", "--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out())
        .contains(
            "--redis", "--ratelimit-failure-mode", "--ratelimit-store-timeout", "--ratelimit-port");
    CliRun wrong =
        CliRun.of("ratelimit", "--policies", "x", "--ratelimit-failure-mode", "sometimes");
    assertThat(wrong.exit()).isEqualTo(2);
    assertThat(wrong.err())
        .contains("invalid failure mode 'sometimes' (open, closed or unavailable)");

    RateLimitCommand command = new RateLimitCommand();
    new CommandLine(command)
        .parseArgs(
            "--policies",
            "p",
            "--redis",
            "redis://:secret@cache:6379",
            "--ratelimit-failure-mode",
            "closed",
            "--ratelimit-store-timeout",
            "250ms");
    assertThat(command.options().failureMode()).isEqualTo(FailureMode.CLOSED);
    assertThat(command.options().storeTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(command.options().redis()).contains("redis://:secret@cache:6379");
    assertThat(command.options().toString()).doesNotContain("secret");
    assertThat(command.options().maxBytes()).as("the default budget").isEqualTo(64L << 20);

    new CommandLine(command)
        .parseArgs("--policies", "p", "--ratelimit-max-counter-bytes", "512KiB");
    assertThat(command.options().maxBytes()).isEqualTo(512L * 1024);
    new CommandLine(command)
        .parseArgs("--policies", "p", "--ratelimit-max-counter-bytes", "1048576");
    assertThat(command.options().maxBytes()).isEqualTo(1L << 20);
    CliRun badSize =
        CliRun.of("ratelimit", "--policies", "x", "--ratelimit-max-counter-bytes", "lots");
    assertThat(badSize.exit()).isEqualTo(2);
    assertThat(badSize.err())
        .contains("invalid size 'lots' (bytes, or a number with KiB, MiB or GiB)");
    assertThat(CliRun.of("serve", "--help").out()).contains("--ratelimit-max-counter-bytes");
  }

  @Test
  void servesTheLimitsOfThePolicyFolderAndFollowsItsChanges(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("gateway.yaml"), "kind: Gateway\nname: edge\nport: 8080\n");
    Files.writeString(dir.resolve("routes.yaml"), ROUTE.formatted("users", "users", "users"));
    RateLimitCommand command = new RateLimitCommand(ROUTES_AS_LIMIT);
    new CommandLine(command)
        .parseArgs(
            "--policies",
            dir.toString(),
            "--ratelimit-address",
            "127.0.0.1",
            "--ratelimit-port",
            "0",
            "--admin-port",
            "0",
            "--debounce",
            "50ms");
    try (RateLimitCommand.Running running = command.start()) {
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", running.port()).usePlaintext().build();
      try {
        var stub = RateLimitServiceGrpc.newBlockingStub(channel);
        assertThat(limitOf(stub, "alice")).isEqualTo(1);

        Files.writeString(
            dir.resolve("routes.yaml"),
            ROUTE.formatted("users", "users", "users")
                + "---\n"
                + ROUTE.formatted("orders", "orders", "orders"));
        await().atMost(Duration.ofSeconds(10)).until(() -> limitOf(stub, "bob") == 2);

        Files.writeString(dir.resolve("broken.yaml"), "kind: Route\nname: [\n");
        Thread.sleep(500);
        assertThat(limitOf(stub, "carol")).as("errors keep the limits in force").isEqualTo(2);

        HttpResponse<String> metrics =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + running.adminPort() + "/metrics"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body()).contains("sluice_ratelimit_decisions_total");
      } finally {
        channel.shutdownNow();
      }
    }
  }

  private static int limitOf(
      RateLimitServiceGrpc.RateLimitServiceBlockingStub stub, String consumer) {
    RateLimitResponse r =
        stub.withDeadlineAfter(5, TimeUnit.SECONDS)
            .shouldRateLimit(
                RateLimitRequest.newBuilder()
                    .setDomain("edge")
                    .addDescriptors(
                        RateLimitDescriptor.newBuilder()
                            .addEntries(
                                RateLimitDescriptor.Entry.newBuilder()
                                    .setKey("consumer")
                                    .setValue(consumer)))
                    .build());
    return r.getStatuses(0).getCurrentLimit().getRequestsPerUnit();
  }
}
