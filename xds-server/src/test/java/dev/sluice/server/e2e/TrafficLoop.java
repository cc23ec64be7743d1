package dev.sluice.server.e2e;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Sends requests in a loop on its own thread while a test changes things, and counts what came
 * back: the proof behind every "0 failed requests during the change" claim.
 */
final class TrafficLoop implements AutoCloseable {
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicInteger sent = new AtomicInteger();
  private final List<String> failures = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
  private final Thread thread;

  /**
   * {@code request} returns the answer body, or a text starting with "HTTP " / "connection" on
   * failure.
   */
  TrafficLoop(Supplier<String> request, String expected) {
    this(request, expected::equals);
  }

  TrafficLoop(Supplier<String> request, Predicate<String> ok) {
    thread =
        new Thread(
            () -> {
              while (running.get()) {
                String a = request.get();
                sent.incrementAndGet();
                answers.computeIfAbsent(a, k -> new AtomicInteger()).incrementAndGet();
                if (!ok.test(a)) {
                  failures.add(a);
                }
                try {
                  Thread.sleep(2);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "traffic-loop");
    thread.start();
  }

  int sent() {
    return sent.get();
  }

  List<String> failures() {
    return List.copyOf(failures);
  }

  Map<String, AtomicInteger> answers() {
    return answers;
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    thread.join(10_000);
  }
}
