package dev.sluice.loadtest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The xDS fan-out load client: {@code java -jar xds-loadtest.jar --target 127.0.0.1:18000 --streams
 * 1000 ...} (see {@link Options#USAGE}). Prints {@code key=value} lines for scripts to read:
 *
 * <pre>
 * connect protocol=sotw variant=tls+token streams=1000 channels=20 ok=20 failed=0 first_ms=.. p50_ms=.. p99_ms=.. max_ms=..
 * initial protocol=sotw variant=tls+token streams=1000 channels=20 ok=1000 failed=0 first_ms=.. p50_ms=.. p99_ms=.. max_ms=..
 * ready                       (with --wait-for-go; then waits for a line on stdin)
 * change 1 protocol=sotw variant=tls+token streams=1000 channels=20 ok=1000 failed=0 first_ms=.. p50_ms=.. p99_ms=.. max_ms=..
 * received ClusterLoadAssignment: 1000 responses, 1000 resources
 * done                        (with --wait-for-go; then waits for a line on stdin)
 * ...                         (ready, change, received, done for each further --change)
 * </pre>
 *
 * With {@code --never-read} it attacks instead (see {@link NeverReading}) and prints {@code
 * holding}, then, after a line on stdin, {@code never-read open=.. opened=.. ended_by_server=..}.
 *
 * <p>({@code connect} counts connections, not streams: how long each took from its first stream's
 * start until it was ready.) Exits 0 when every stream reached every phase, 1 otherwise, 2 on a bad
 * option or a file that cannot be read.
 */
public final class FanoutLoadTest {
  private FanoutLoadTest() {}

  public static void main(String[] args) throws Exception {
    List<String> rest = new ArrayList<>(List.of(args));
    boolean neverRead = rest.remove("--never-read");
    Options options;
    try {
      options = Options.parse(rest.toArray(String[]::new));
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    boolean ok;
    try {
      ok = neverRead ? attack(options) : run(options);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    System.exit(ok ? 0 : 1);
  }

  static boolean run(Options o) throws InterruptedException {
    BufferedReader stdin =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    try (Fanout fanout = new Fanout(o).open()) {
      Fanout.Phase initial = fanout.awaitInitial();
      print("connect", o, fanout.connections());
      print("initial", o, initial);
      boolean ok = initial.ok() == o.streams();
      for (int i = 0; ok && i < o.changes().size(); i++) {
        Options.Change change = o.changes().get(i);
        if (o.waitForGo()) {
          System.out.println("ready");
          System.out.flush();
          readLine(stdin);
        }
        Fanout.Phase changed =
            fanout.change(
                i,
                change,
                () -> {
                  try {
                    Files.move(
                        change.from(),
                        change.to(),
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
                  } catch (IOException e) {
                    throw new UncheckedIOException(
                        "cannot move " + change.from() + " onto " + change.to(), e);
                  }
                });
        print("change " + (i + 1), o, changed);
        System.out.println("received " + fanout.received());
        if (o.waitForGo()) {
          // the streams stay open until told, so the caller can sample the server after the change
          System.out.println("done");
          System.out.flush();
          readLine(stdin);
        }
        ok = changed.ok() == o.streams();
      }
      return ok;
    }
  }

  /**
   * {@code --never-read}: holds the streams until a line (or the end) on stdin, then prints what
   * the server did to them.
   */
  static boolean attack(Options o) throws InterruptedException {
    BufferedReader stdin =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    try (NeverReading streams = new NeverReading(o).open()) {
      System.out.println("holding");
      System.out.flush();
      readLine(stdin);
      System.out.println("never-read " + streams.counts());
      streams.reasons().forEach((why, n) -> System.out.println("ended " + n + ": " + why));
      System.out.flush();
    }
    return true;
  }

  private static void print(String phase, Options o, Fanout.Phase p) {
    System.out.printf(
        Locale.ROOT,
        "%s protocol=%s variant=%s streams=%d channels=%d ok=%d failed=%d %s%n",
        phase,
        o.protocol().name().toLowerCase(Locale.ROOT),
        o.security().variant(),
        o.streams(),
        o.channels(),
        p.ok(),
        p.failed(),
        p.stats().format());
    p.failures()
        .forEach((why, f) -> System.out.printf(Locale.ROOT, "failure %s: %s%n", f.format(), why));
    System.out.flush();
  }

  private static void readLine(BufferedReader stdin) {
    try {
      stdin.readLine();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
