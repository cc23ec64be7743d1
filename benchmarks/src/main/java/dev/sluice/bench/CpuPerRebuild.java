package dev.sluice.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;

/**
 * The CPU time one rebuild costs the thread that runs it, full and after a one-endpoint change: on
 * a shared machine JMH's wall-clock figures also count the time other processes held the cores,
 * this does not (it leaves out the garbage collector's threads). Median of {@link #ROUNDS} rounds
 * of one second each, after warm-up: {@link #FIRST_WARMUP_SECONDS} seconds before the first
 * measurement (the JIT compiler shares the busy cores too, and the protobuf code is large), {@link
 * #WARMUP_SECONDS} before each later one.
 *
 * <p>Output: one Markdown table cell group per size, {@code | services | full ms | change ms |}.
 */
public final class CpuPerRebuild {
  static final int ROUNDS = 3;
  static final int FIRST_WARMUP_SECONDS = 10;
  static final int WARMUP_SECONDS = 3;
  private static boolean warm;
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private CpuPerRebuild() {}

  public static void main(String[] args) {
    List<Integer> sizes =
        args.length == 0
            ? List.of(100, 1000, 5000)
            : Arrays.stream(args).map(Integer::valueOf).toList();
    for (int services : sizes) {
      SyntheticConfig before = SyntheticConfig.of(services);
      SyntheticConfig after = before.withOneEndpointMoved();
      double full = median(() -> new ServerRebuild().rebuild(before));
      ServerRebuild warm = new ServerRebuild();
      warm.rebuild(before);
      boolean[] flip = {false};
      double change =
          median(
              () -> {
                flip[0] = !flip[0];
                warm.rebuild(flip[0] ? after : before);
              });
      System.out.printf("| %,d | %.1f | %.2f |%n", services, full, change);
    }
  }

  /** Milliseconds of this thread's CPU time per run: the median of the rounds' means. */
  private static double median(Runnable rebuild) {
    run(rebuild, (warm ? WARMUP_SECONDS : FIRST_WARMUP_SECONDS) * 1_000_000_000L);
    warm = true;
    double[] rounds = new double[ROUNDS];
    for (int i = 0; i < ROUNDS; i++) {
      rounds[i] = run(rebuild, 1_000_000_000L);
    }
    Arrays.sort(rounds);
    return rounds[ROUNDS / 2];
  }

  private static double run(Runnable rebuild, long nanos) {
    long end = System.nanoTime() + nanos;
    long cpu = THREADS.getCurrentThreadCpuTime();
    int n = 0;
    do {
      rebuild.run();
      n++;
    } while (System.nanoTime() < end);
    return (THREADS.getCurrentThreadCpuTime() - cpu) / 1e6 / n;
  }
}
