package dev.sluice.server.auth;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Bounds the asynchronous calls made to a remote source at once, so that a reconnect storm or a
 * recheck of every stream does not open a connection per stream: at most {@code maxInFlight} run,
 * up to {@code maxWaiting} more wait their turn, and a call completes within {@code maxWait} of
 * being submitted (else with a {@link java.util.concurrent.TimeoutException}). Beyond that a call
 * fails at once; callers treat every failure as "could not check", never as a way in.
 */
final class CallLimiter {
  private record Call<T>(Supplier<CompletableFuture<T>> call, CompletableFuture<T> result) {}

  private final int maxInFlight;
  private final int maxWaiting;
  private final Duration maxWait;

  /** Starts waiting calls, so that one completing never runs the next on its own stack. */
  private final Executor executor;

  private final ArrayDeque<Call<?>> waiting = new ArrayDeque<>();
  private int inFlight;

  CallLimiter(int maxInFlight, int maxWaiting, Duration maxWait, Executor executor) {
    this.maxInFlight = maxInFlight;
    this.maxWaiting = maxWaiting;
    this.maxWait = maxWait;
    this.executor = executor;
  }

  <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> call) {
    Call<T> c = new Call<>(call, new CompletableFuture<T>());
    c.result().orTimeout(maxWait.toNanos(), TimeUnit.NANOSECONDS);
    synchronized (this) {
      if (inFlight >= maxInFlight) {
        if (waiting.size() >= maxWaiting) {
          return CompletableFuture.failedFuture(
              new RejectedExecutionException(maxWaiting + " calls are already waiting"));
        }
        waiting.add(c);
        return c.result();
      }
      inFlight++;
    }
    start(c);
    return c.result();
  }

  synchronized int inFlight() {
    return inFlight;
  }

  // the answer is handled in whenComplete
  @SuppressWarnings("FutureReturnValueIgnored")
  private <T> void start(Call<T> c) {
    CompletableFuture<T> f;
    try {
      f = c.call().get();
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete(
        (value, error) -> {
          finished();
          if (error != null) {
            c.result().completeExceptionally(error);
          } else {
            c.result().complete(value);
          }
        });
  }

  /** Hands the slot to the next waiting call that has not timed out meanwhile, or frees it. */
  private void finished() {
    Call<?> next;
    synchronized (this) {
      do {
        next = waiting.poll();
      } while (next != null && next.result().isDone());
      if (next == null) {
        inFlight--;
        return;
      }
    }
    Call<?> n = next;
    executor.execute(() -> start(n));
  }
}
