package dev.sluice.loadtest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * The xDS fan-out load client: {@code java -jar xds-loadtest.jar --target 127.0.0.1:18000 --streams 1000 ...}
 * (see {@link Options#USAGE}). Prints one {@code key=value} line per phase for scripts to read:
 *
 * <pre>
 * initial protocol=sotw streams=1000 channels=20 ok=1000 failed=0 first_ms=.. p50_ms=.. p99_ms=.. max_ms=..
 * ready
 * change protocol=sotw streams=1000 ok=1000 failed=0 first_ms=.. p50_ms=.. p99_ms=.. max_ms=..
 * received ClusterLoadAssignment: 1000 responses, 1000 resources
 * done
 * </pre>
 *
 * With {@code --wait-for-go} it waits for a line on stdin after "ready" (before the trigger) and
 * after "done" (before closing the streams).
 *
 * Exits 0 when every stream reached every phase, 1 otherwise.
 */
public final class FanoutLoadTest {
  private FanoutLoadTest() {}

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    System.exit(run(options) ? 0 : 1);
  }

  static boolean run(Options o) throws InterruptedException {
    String label = o.protocol().name().toLowerCase(Locale.ROOT);
    try (Fanout fanout = new Fanout(o).open()) {
      Fanout.Phase initial = fanout.awaitInitial();
      print("initial", label, o, initial);
      boolean ok = initial.ok() == o.streams();
      if (o.change().isEmpty() || !ok) {
        return ok;
      }
      if (o.waitForGo()) {
        System.out.println("ready");
        System.out.flush();
        readLine();
      }
      Options.Change change = o.change().get();
      Fanout.Phase changed = fanout.change(() -> {
        try {
          Files.move(change.from(), change.to(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot move " + change.from() + " onto " + change.to(), e);
        }
      });
      print("change", label, o, changed);
      System.out.println("received " + fanout.receivedSinceTrigger());
      if (fanout.changedBeforeTrigger() > 0) {
        System.out.println("warning: " + fanout.changedBeforeTrigger() + " streams had " + change.endpoint()
            + " before the trigger: the change is not a change");
      }
      if (o.waitForGo()) {
        // the streams stay open until told, so the caller can sample the server after the change
        System.out.println("done");
        System.out.flush();
        readLine();
      }
      return changed.ok() == o.streams();
    }
  }

  private static void print(String phase, String label, Options o, Fanout.Phase p) {
    System.out.printf(Locale.ROOT, "%s protocol=%s streams=%d channels=%d ok=%d failed=%d %s%n", phase, label, o.streams(),
        o.channels(), p.ok(), p.failed(), p.stats().format());
    p.failures().forEach((why, n) -> System.out.printf(Locale.ROOT, "failure %d streams: %s%n", n, why));
    System.out.flush();
  }

  private static void readLine() {
    try {
      new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
