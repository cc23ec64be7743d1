package dev.sluice.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class CallLimiterTest {
  final List<CompletableFuture<String>> started = new ArrayList<>();

  CompletableFuture<String> call() {
    CompletableFuture<String> f = new CompletableFuture<>();
    synchronized (started) {
      started.add(f);
    }
    return f;
  }

  @Test
  void atMostMaxInFlightRunAndAWaitingCallStartsWhenOneFinishes() throws Exception {
    CallLimiter limiter = new CallLimiter(2, 10, Duration.ofMinutes(1), Runnable::run);
    CompletableFuture<String> a = limiter.submit(this::call);
    limiter.submit(this::call);
    CompletableFuture<String> c = limiter.submit(this::call);
    assertThat(started).hasSize(2);
    started.get(0).complete("a");
    assertThat(a.get()).isEqualTo("a");
    assertThat(started).hasSize(3);
    started.get(2).complete("c");
    assertThat(c.get()).isEqualTo("c");
    assertThat(limiter.inFlight()).isEqualTo(1);
  }

  @Test
  void beyondMaxWaitingACallFailsAtOnce() {
    CallLimiter limiter = new CallLimiter(1, 1, Duration.ofMinutes(1), Runnable::run);
    limiter.submit(this::call);
    limiter.submit(this::call);
    assertThatThrownBy(() -> limiter.submit(this::call).get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(RejectedExecutionException.class);
  }

  @Test
  void aCallThatWaitsTooLongTimesOutAndIsNeverStarted() throws Exception {
    CallLimiter limiter = new CallLimiter(1, 10, Duration.ofMillis(50), Runnable::run);
    limiter.submit(this::call);
    CompletableFuture<String> waiting = limiter.submit(this::call);
    assertThatThrownBy(() -> waiting.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(TimeoutException.class);
    started.get(0).complete("a");
    assertThat(started).hasSize(1);
    assertThat(limiter.inFlight()).isZero();
  }

  @Test
  void aCallThatThrowsFreesItsSlot() {
    CallLimiter limiter = new CallLimiter(1, 10, Duration.ofMinutes(1), Runnable::run);
    CompletableFuture<String> failed =
        limiter.submit(
            () -> {
              throw new IllegalStateException("boom");
            });
    assertThat(failed).isCompletedExceptionally();
    assertThat(limiter.inFlight()).isZero();
  }
}
