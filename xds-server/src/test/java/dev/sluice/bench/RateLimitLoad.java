package dev.sluice.bench;

import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load generator of {@code scripts/bench-ratelimit}, in a process of its own: keeps {@code
 * concurrency} ShouldRateLimit calls in flight on one gRPC channel (as Envoy's ratelimit filter
 * does over HTTP/2), each for one of 1,000 consumers in turn, for a warm-up and then the measured
 * seconds. Prints one Markdown table row: decisions per second, p50, p99, max latency (from sending
 * the request to its answer), the share answered OVER_LIMIT, and errors.
 *
 * <pre>
 * RateLimitLoad &lt;label&gt; &lt;port&gt; &lt;concurrency&gt; &lt;seconds&gt; &lt;warm-up seconds&gt;
 * </pre>
 */
public final class RateLimitLoad {
  private static final int CONSUMERS = 1_000;

  public static void main(String[] args) throws Exception {
    String label = args[0];
    int port = Integer.parseInt(args[1]);
    int concurrency = Integer.parseInt(args[2]);
    int seconds = Integer.parseInt(args[3]);
    int warmup = Integer.parseInt(args[4]);
    RateLimitRequest[] requests = new RateLimitRequest[CONSUMERS];
    for (int i = 0; i < CONSUMERS; i++) {
      requests[i] =
          RateLimitRequest.newBuilder()
              .setDomain("bench")
              .addDescriptors(
                  RateLimitDescriptor.newBuilder()
                      .addEntries(
                          RateLimitDescriptor.Entry.newBuilder()
                              .setKey("consumer")
                              .setValue("consumer-" + i)))
              .build();
    }
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().directExecutor().build();
    RateLimitServiceGrpc.RateLimitServiceStub stub = RateLimitServiceGrpc.newStub(channel);
    long start = System.nanoTime();
    long measureFrom = start + TimeUnit.SECONDS.toNanos(warmup);
    long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
    Recorder recorder = new Recorder(measureFrom, end);
    CountDownLatch done = new CountDownLatch(concurrency);
    AtomicLong next = new AtomicLong();
    for (int c = 0; c < concurrency; c++) {
      new Caller(stub, requests, next, recorder, end, done).call();
    }
    done.await();
    channel.shutdownNow();
    System.out.println(recorder.row(label, concurrency, seconds));
    System.exit(0);
  }

  /** One in-flight slot: sends the next call when the previous one is answered, until the end. */
  private record Caller(
      RateLimitServiceGrpc.RateLimitServiceStub stub,
      RateLimitRequest[] requests,
      AtomicLong next,
      Recorder recorder,
      long end,
      CountDownLatch done) {
    void call() {
      long sent = System.nanoTime();
      if (sent >= end) {
        done.countDown();
        return;
      }
      RateLimitRequest request = requests[(int) (next.getAndIncrement() % requests.length)];
      stub.withDeadlineAfter(5, TimeUnit.SECONDS)
          .shouldRateLimit(
              request,
              new StreamObserver<>() {
                private RateLimitResponse response;

                @Override
                public void onNext(RateLimitResponse value) {
                  response = value;
                }

                @Override
                public void onError(Throwable t) {
                  recorder.record(sent, System.nanoTime(), false, true);
                  call();
                }

                @Override
                public void onCompleted() {
                  recorder.record(
                      sent,
                      System.nanoTime(),
                      response.getOverallCode() == RateLimitResponse.Code.OVER_LIMIT,
                      false);
                  call();
                }
              });
    }
  }

  /** Latencies of the calls sent within the measured interval. */
  private static final class Recorder {
    private final long from;
    private final long to;
    private long[] nanos = new long[1 << 20];
    private int count;
    private long over;
    private long errors;

    Recorder(long from, long to) {
      this.from = from;
      this.to = to;
    }

    synchronized void record(long sent, long answered, boolean overLimit, boolean error) {
      if (sent < from || sent >= to) {
        return;
      }
      if (error) {
        errors++;
        return;
      }
      if (count == nanos.length) {
        nanos = Arrays.copyOf(nanos, count * 2);
      }
      nanos[count++] = answered - sent;
      over += overLimit ? 1 : 0;
    }

    synchronized String row(String label, int concurrency, int seconds) {
      long[] sorted = Arrays.copyOf(nanos, count);
      Arrays.sort(sorted);
      return String.format(
          Locale.ROOT,
          "| %s | %d | %,d | %.2f ms | %.2f ms | %.2f ms | %.0f %% | %d |",
          label,
          concurrency,
          count / seconds,
          pct(sorted, 50),
          pct(sorted, 99),
          count == 0 ? 0 : sorted[count - 1] / 1e6,
          100.0 * over / Math.max(1, count),
          errors);
    }

    private static double pct(long[] sorted, double p) {
      if (sorted.length == 0) {
        return 0;
      }
      int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }
  }
}
