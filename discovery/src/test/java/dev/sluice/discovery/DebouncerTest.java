package dev.sluice.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DebouncerTest {
  @Test
  void aBurstOfTriggersRunsTheActionOnceAfterItGoesQuiet() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    try (Debouncer d = new Debouncer("test", Duration.ofMillis(100), Duration.ofSeconds(10), runs::incrementAndGet, "test")) {
      for (int i = 0; i < 5; i++) {
        d.trigger();
        Thread.sleep(10);
      }
      await().atMost(Duration.ofSeconds(2)).until(() -> runs.get() == 1);
      Thread.sleep(300);
      assertThat(runs.get()).isEqualTo(1);
    }
  }

  @Test
  void triggersThatNeverStopStillRunTheActionEveryMaximumDelay() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    try (Debouncer d = new Debouncer("test", Duration.ofMillis(100), Duration.ofMillis(300), runs::incrementAndGet, "test")) {
      long end = System.nanoTime() + Duration.ofMillis(1500).toNanos();
      while (System.nanoTime() < end) {
        d.trigger(); // more often than the quiet time: without a maximum, never quiet
        Thread.sleep(20);
      }
      // 1.5 s of triggers with a 300 ms maximum: about 5 runs; a quiet-only debounce would give 0
      assertThat(runs.get()).isGreaterThanOrEqualTo(3);
    }
  }

  @Test
  void anErrorInTheActionIsLoggedAndTheNextTriggerStillRunsIt() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    Runnable action = () -> {
      if (runs.incrementAndGet() == 1) {
        throw new OutOfMemoryError("Java heap space (thrown by the test)");
      }
    };
    java.io.PrintStream err = System.err;
    java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(log, true));
    try (Debouncer d = new Debouncer("test", Duration.ofMillis(10), action, "reloading the test")) {
      d.trigger();
      await().atMost(Duration.ofSeconds(5)).until(() -> log.toString().contains("reloading the test failed"));
      d.trigger();
      await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() == 2);
    } finally {
      System.setErr(err);
    }
    assertThat(log.toString()).contains("ERROR").contains("java.lang.OutOfMemoryError: Java heap space (thrown by the test)");
  }
}
