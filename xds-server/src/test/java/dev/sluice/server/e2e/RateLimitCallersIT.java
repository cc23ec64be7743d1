package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ratelimit.RateLimitTable;
import dev.sluice.server.auth.ControlPlaneTls;
import dev.sluice.server.auth.SecurityOptions;
import dev.sluice.server.ratelimit.RateLimitService;
import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.EnvoyProcess;
import dev.sluice.testing.HttpUpstream;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Sluice's rate-limit service on a secure control plane: only callers whose credential grants the
 * gateway may count against its limits, a caller may not add more than the documented hits at once,
 * and a real Envoy's ratelimit filter authenticates with the token Sluice gave its gateway.
 */
class RateLimitCallersIT {
  static final String EDGE_TOKEN = "edge-token-0123456789";

  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  @Test
  void onlyTheGatewaysCallersCountAndNoCallAddsMoreThanTheCap() throws Exception {
    try (HttpUpstream orders = HttpUpstream.start("orders");
        SluiceFixture sluice = new SluiceFixture()) {
      Path tokens = sluice.dir.resolve("proxy-tokens.yaml");
      sluice.write(
          tokens,
          "tokens:\n  - {name: edge, hash: \""
              + ControlChannelSecurityIT.hash(EDGE_TOKEN)
              + "\", gateways: [edge]}\n");
      sluice.writeRegistry("services:\n  orders: [\"" + orders.address() + "\"]\n");
      sluice.writePolicy(
          "routes.yaml",
          "kind: Route\nname: orders\nto: orders\nglobalRateLimit:\n  rules:\n    - {requests: 3, per: minute}\n");
      Path tlsDir = sluice.dir.resolve("xds-tls");
      sluice
          .security(
              SecurityOptions.none()
                  .withTls(
                      ControlPlaneTls.Options.builtIn(
                          tlsDir, ControlPlaneTls.Options.defaultNames()))
                  .withProxyTokens(tokens))
          .start();
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> sluice.admin("/ready").statusCode() == 200);
      RateLimitTable.Rule rule = sluice.server().rateLimits().orElseThrow().table().rules().get(0);
      RateLimitDescriptor.Builder descriptor = RateLimitDescriptor.newBuilder();
      rule.entries()
          .forEach(
              e ->
                  descriptor.addEntries(
                      RateLimitDescriptor.Entry.newBuilder()
                          .setKey(e.key())
                          .setValue(e.value().orElseThrow())));
      RateLimitRequest overTheCap =
          RateLimitRequest.newBuilder()
              .setDomain("edge")
              .addDescriptors(descriptor)
              .setHitsAddend((int) RateLimitService.MAX_HITS_ADDEND + 1)
              .build();

      assertThat(statusOf(() -> call(sluice, tlsDir, null, overTheCap)).getCode())
          .isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(statusOf(() -> call(sluice, tlsDir, "not-a-token", overTheCap)).getCode())
          .isEqualTo(Status.Code.PERMISSION_DENIED);
      Status capped = statusOf(() -> call(sluice, tlsDir, EDGE_TOKEN, overTheCap));
      assertThat(capped.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(capped.getDescription()).contains("nothing counted");
      assertThat(sluice.admin("/metrics").body())
          .containsPattern("sluice_ratelimit_denied_total\\{[^}]*reason=\"no_credential\"");

      // nothing was counted: the gateway's Envoy, calling with the token Sluice gave its
      // ratelimit filter over TLS, gets exactly the three requests of the limit
      envoys
          .start(
              EnvoyExtension.edgeBootstrap(),
              EnvoyProcess.Options.ads(sluice.xdsPort)
                  .node("edge-1", "edge")
                  .rateLimitPort(sluice.rateLimitPort)
                  .secure(tlsDir.resolve("ca.pem"), EDGE_TOKEN))
          .awaitReady(Duration.ofSeconds(30));
      List<Integer> codes = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        codes.add(sluice.get("/orders").statusCode());
      }
      assertThat(codes).containsExactly(200, 200, 200, 429, 429);
    }
  }

  private static void call(
      SluiceFixture sluice, Path tlsDir, String token, RateLimitRequest request) throws Exception {
    NettyChannelBuilder b =
        NettyChannelBuilder.forAddress(
            "localhost",
            sluice.rateLimitPort,
            TlsChannelCredentials.newBuilder()
                .trustManager(tlsDir.resolve("ca.pem").toFile())
                .build());
    if (token != null) {
      Metadata m = new Metadata();
      m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
      b.intercept(MetadataUtils.newAttachHeadersInterceptor(m));
    }
    ManagedChannel channel = b.build();
    try {
      RateLimitServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(20, TimeUnit.SECONDS)
          .shouldRateLimit(request);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  interface Call {
    void run() throws Exception;
  }

  private static Status statusOf(Call call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("the call succeeded");
  }
}
