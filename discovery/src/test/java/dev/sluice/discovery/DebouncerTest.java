package dev.sluice.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DebouncerTest {
  @Test
  void aBurstOfTriggersRunsTheActionOnceAfterItGoesQuiet() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    // a quiet time far longer than the burst takes, even on a machine whose cores are all busy
    try (Debouncer d =
        new Debouncer(
            "test", Duration.ofSeconds(1), Duration.ofSeconds(60), runs::incrementAndGet, "test")) {
      for (int i = 0; i < 5; i++) {
        d.trigger();
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> runs.get() == 1);
      await()
          .during(Duration.ofMillis(1500))
          .atMost(Duration.ofSeconds(30))
          .until(() -> runs.get() == 1);
    }
  }

  @Test
  void triggersThatNeverStopStillRunTheActionEveryMaximumDelay() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    // never quiet for the minute a quiet-only debounce would wait: only the maximum delay runs it
    try (Debouncer d =
        new Debouncer(
            "test",
            Duration.ofSeconds(60),
            Duration.ofMillis(300),
            runs::incrementAndGet,
            "test")) {
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(20))
          .until(
              () -> {
                d.trigger();
                return runs.get() >= 2;
              });
    }
  }

  @Test
  void anErrorInTheActionIsLoggedAndTheNextTriggerStillRunsIt() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    Runnable action =
        () -> {
          if (runs.incrementAndGet() == 1) {
            throw new OutOfMemoryError("Java heap space (thrown by the test)");
          }
        };
    PrintStream err = System.err;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    System.setErr(new PrintStream(log, true));
    try (Debouncer d = new Debouncer("test", Duration.ofMillis(10), action, "reloading the test")) {
      d.trigger();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> log.toString().contains("reloading the test failed"));
      d.trigger();
      await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() == 2);
    } finally {
      System.setErr(err);
    }
    assertThat(log.toString())
        .contains("ERROR")
        .contains("java.lang.OutOfMemoryError: Java heap space (thrown by the test)");
  }
}
