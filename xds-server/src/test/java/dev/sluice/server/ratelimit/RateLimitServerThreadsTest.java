package dev.sluice.server.ratelimit;

import static dev.sluice.server.ratelimit.RateLimitFixtures.EPOCH;
import static dev.sluice.server.ratelimit.RateLimitFixtures.perUnit;
import static dev.sluice.server.ratelimit.RateLimitFixtures.request;
import static dev.sluice.server.ratelimit.RateLimitFixtures.rule;
import static dev.sluice.server.ratelimit.RateLimitFixtures.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.ratelimit.RateLimitTable.Unit;
import dev.sluice.server.telemetry.Telemetry;
import dev.sluice.server.xds.XdsServer;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Rate-limit work never runs on a thread the xDS server needs: with every thread the rate-limit
 * service calls its store on held up, the xDS server in the same process still answers.
 */
class RateLimitServerThreadsTest {
  /** A store that holds every call until released, and names the threads it was called on. */
  private static final class StuckStore implements CounterStore {
    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch entered = new CountDownLatch(1);
    final Set<String> threads = ConcurrentHashMap.newKeySet();

    @Override
    public CompletableFuture<SlidingWindow.Counts> hit(
        String key, long limit, long windowMillis, long hits, boolean enforce, long nowMillis) {
      threads.add(Thread.currentThread().getName());
      entered.countDown();
      try {
        release.await(
            60,
            TimeUnit
                .SECONDS); // released by the test; the bound only keeps a failed run from hanging
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return CompletableFuture.completedFuture(new SlidingWindow.Counts(1, 0, true));
    }

    @Override
    public String name() {
      return "stuck";
    }

    @Override
    public void close() {
      release.countDown();
    }
  }

  private static final MethodDescriptor<InputStream, InputStream> NO_SUCH_METHOD =
      MethodDescriptor.<InputStream, InputStream>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("sluice.test.Nothing/Here")
          .setRequestMarshaller(Raw.INSTANCE)
          .setResponseMarshaller(Raw.INSTANCE)
          .build();

  private enum Raw implements MethodDescriptor.Marshaller<InputStream> {
    INSTANCE;

    @Override
    public InputStream stream(InputStream value) {
      return value;
    }

    @Override
    public InputStream parse(InputStream stream) {
      return stream;
    }
  }

  @Test
  void theXdsServerAnswersWhileEveryRateLimitThreadIsHeldUp() throws Exception {
    // the test's own clients have their own event loops, so that they are not what gets stuck
    NioEventLoopGroup clientLoops = new NioEventLoopGroup(2);
    List<ManagedChannel> channels = new ArrayList<>();
    Telemetry telemetry = Telemetry.withSpanExporter(InMemorySpanExporter.create());
    StuckStore store = new StuckStore();
    XdsServer xds = new XdsServer("127.0.0.1", 0, telemetry.metrics(), telemetry.tracer()).start();
    RateLimitServer rls =
        new RateLimitServer(
                "127.0.0.1",
                0,
                store,
                RateLimitOptions.defaults().withStoreTimeout(Duration.ofSeconds(60)),
                telemetry.metrics(),
                new RateLimitFixtures.TestClock(EPOCH))
            .start();
    try {
      rls.table(table(rule("edge", perUnit(10, Unit.MINUTE), "consumer", null)));
      // more connections than any event loop group of this process has threads (Netty's default: 2
      // per core),
      // each with a call that the store holds
      int many = 4 * Runtime.getRuntime().availableProcessors() + 4;
      for (int i = 0; i < many; i++) {
        ManagedChannel channel = channel(clientLoops, rls.port());
        channels.add(channel);
        RateLimitServiceGrpc.newFutureStub(channel)
            .shouldRateLimit(request("edge", "consumer", "c" + i));
      }
      assertThat(store.entered.await(30, TimeUnit.SECONDS))
          .as("a rate-limit call reached the store")
          .isTrue();
      // as many new xDS connections: handed round robin to the event loops, they would meet every
      // stuck one
      for (int i = 0; i < many; i++) {
        ManagedChannel channel = channel(clientLoops, xds.port());
        channels.add(channel);
        assertThatThrownBy(
                () ->
                    ClientCalls.blockingUnaryCall(
                        channel,
                        NO_SUCH_METHOD,
                        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                        new ByteArrayInputStream(new byte[0])))
            .as("xDS connection %d is answered", i)
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
      }
      assertThat(store.threads)
          .allSatisfy(name -> assertThat(name).startsWith("sluice-ratelimit-"));
    } finally {
      store.release.countDown();
      channels.forEach(ManagedChannel::shutdownNow);
      rls.close();
      xds.close();
      telemetry.close();
      clientLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  private static ManagedChannel channel(NioEventLoopGroup loops, int port) {
    return NettyChannelBuilder.forAddress("127.0.0.1", port)
        .eventLoopGroup(loops)
        .channelType(NioSocketChannel.class)
        .usePlaintext()
        .build();
  }
}
