package dev.sluice.fuzz;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one fuzz target over generated inputs and says what it found. For every input the target
 * must return (a result, or the project's own error for bad input); anything else it throws is a
 * finding, and so is an input that takes longer than the hang threshold or allocates more than a
 * bound proportional to its size.
 *
 * <p>The budget comes from system properties, so the same tests run short in the test command and
 * long in {@code scripts/fuzz}: {@code sluice.fuzz.tries} (inputs per target), {@code
 * sluice.fuzz.seed} (a number, or {@code random}), {@code sluice.fuzz.hangMillis}. The short run's
 * hang threshold is generous so that a loaded machine cannot make it fail; the long run's is 1 s.
 * Input {@code i} of seed {@code s} is the same input on every run, so a finding is reproduced with
 * those two numbers (and its bytes are kept under {@code target/fuzz-findings}).
 */
public final class Fuzz {
  /** Inputs per target in the test command. */
  public static final int SHORT_TRIES = 2_000;
  private static final int KEPT_FINDINGS = 20;

  /**
   * What a target does with one input.
   *
   * <p>Returns a violated property (a finding) or empty. Documented errors for bad input are caught
   * by the target itself and checked there (a position, a clear message); whatever escapes is a
   * finding.
   */
  @FunctionalInterface
  public interface Target {
    Optional<String> run(byte[] input) throws Exception;
  }

  /**
   * How much one input may allocate: {@code fixedBytes} plus {@code bytesPerInputByte} per byte of
   * input.
   */
  public record AllocationBound(long fixedBytes, long bytesPerInputByte) {
    long of(int inputBytes) {
      return fixedBytes + bytesPerInputByte * inputBytes;
    }
  }

  /** One input that broke a property, with what is needed to run it again. */
  public record Finding(long index, int inputBytes, String problem, Path saved) {
    @Override
    public String toString() {
      return "input #" + index + " (" + inputBytes + " bytes" + (saved == null ? "" : ", kept in " + saved) + "): " + problem;
    }
  }

  /** What one run found, and the extremes it saw. */
  public record Report(
      String target, long seed, long inputs, List<Finding> findings, long findingCount, long slowestNanos,
      long slowestIndex, int slowestBytes, long maxAllocated, long maxAllocatedIndex, int maxAllocatedBytes,
      long elapsedNanos) {
    public String line() {
      return String.format(java.util.Locale.ROOT,
          "fuzz %s: %d inputs, %d findings, slowest %.1f ms (input #%d, %d bytes), max allocation %.1f MiB"
              + " (input #%d, %d bytes), %.1f s, seed %d",
          target, inputs, findingCount, slowestNanos / 1e6, slowestIndex, slowestBytes, maxAllocated / 1048576.0,
          maxAllocatedIndex, maxAllocatedBytes, elapsedNanos / 1e9, seed);
    }
  }

  private Fuzz() {}

  public static long tries() {
    return Long.getLong("sluice.fuzz.tries", SHORT_TRIES);
  }

  public static long hangMillis() {
    return Long.getLong("sluice.fuzz.hangMillis", 10_000);
  }

  public static long seed() {
    String s = System.getProperty("sluice.fuzz.seed", "1");
    return s.equals("random") ? new java.security.SecureRandom().nextLong() : Long.parseLong(s);
  }

  /** Input {@code index} of the run with {@code seed}. */
  public static byte[] input(Mutator mutator, long seed, long index) {
    return mutator.next(new Random(seed * 0x9E3779B97F4A7C15L + index));
  }

  /** Runs {@code target} over {@link #tries()} inputs and prints the report line. */
  public static Report run(String name, Mutator mutator, Target target, AllocationBound bound) {
    return run(name, mutator, target, bound, tries(), seed(), hangMillis());
  }

  public static Report run(String name, Mutator mutator, Target target, AllocationBound bound, long tries, long seed,
      long hangMillis) {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    threads.setThreadAllocatedMemoryEnabled(true);
    List<Finding> findings = new ArrayList<>();
    long findingCount = 0;
    long slowest = -1;
    long slowestIndex = -1;
    int slowestBytes = 0;
    long maxAllocated = -1;
    long maxAllocatedIndex = -1;
    int maxAllocatedBytes = 0;
    long start = System.nanoTime();
    ExecutorService worker = warmUp(newWorker(name), name, mutator, target, hangMillis);
    long progressEvery = Math.max(10_000, tries / 20);
    try {
      for (long i = 0; i < tries; i++) {
        if (i > 0 && i % progressEvery == 0) {
          System.out.printf(java.util.Locale.ROOT, "fuzz %s: progress %d of %d inputs, %d findings, %.0f s%n", name, i, tries,
              findingCount, (System.nanoTime() - start) / 1e9);
        }
        byte[] input = input(mutator, seed, i);
        Future<Outcome> f = worker.submit(() -> once(target, input, threads));
        Outcome o;
        try {
          o = f.get(hangMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          f.cancel(true);
          worker.shutdownNow(); // the stuck thread is a daemon: it cannot keep the JVM alive
          worker = newWorker(name);
          o = new Outcome(TimeUnit.MILLISECONDS.toNanos(hangMillis), 0, "a hang: no answer within " + hangMillis + " ms");
        } catch (ExecutionException e) {
          o = new Outcome(0, 0, "the harness failed: " + stackTrace(e.getCause()));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", e);
        }
        String problem = o.problem();
        if (problem == null && o.nanos() > TimeUnit.MILLISECONDS.toNanos(hangMillis)) {
          problem = String.format(java.util.Locale.ROOT, "a hang: %.0f ms, more than %d ms", o.nanos() / 1e6, hangMillis);
        }
        if (problem == null && o.allocated() > bound.of(input.length)) {
          problem = "an unbounded allocation: " + o.allocated() + " bytes for " + input.length + " bytes of input, more than "
              + bound.of(input.length);
        }
        if (o.nanos() > slowest) {
          slowest = o.nanos();
          slowestIndex = i;
          slowestBytes = input.length;
        }
        if (o.allocated() > maxAllocated) {
          maxAllocated = o.allocated();
          maxAllocatedIndex = i;
          maxAllocatedBytes = input.length;
        }
        if (problem != null) {
          findingCount++;
          if (findings.size() < KEPT_FINDINGS) {
            findings.add(new Finding(i, input.length, problem, save(name, seed, i, input)));
          }
        }
      }
    } finally {
      worker.shutdownNow();
    }
    Report report = new Report(name, seed, tries, List.copyOf(findings), findingCount, slowest, slowestIndex, slowestBytes,
        maxAllocated, maxAllocatedIndex, maxAllocatedBytes, System.nanoTime() - start);
    System.out.println(report.line());
    findings.forEach(f -> System.out.println("fuzz " + name + ": " + f));
    return report;
  }

  /**
   * Runs the seeds once, unmeasured: the first inputs load classes and run cold code, which on a
   * loaded machine can take longer than the long run's hang threshold. A seed that hangs even with
   * five times the threshold ends the warm-up; its hang comes again in the measured run, which
   * starts with edits of the same seeds. Returns the worker to go on with.
   */
  private static ExecutorService warmUp(ExecutorService worker, String name, Mutator mutator, Target target,
      long hangMillis) {
    for (byte[] seed : mutator.seeds()) {
      Future<?> f = worker.submit(() -> target.run(seed));
      try {
        f.get(5 * hangMillis, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return worker;
      } catch (ExecutionException e) {
        // a crash: found again, and reported, in the measured run
      } catch (TimeoutException e) {
        f.cancel(true);
        worker.shutdownNow();
        return newWorker(name);
      }
    }
    return worker;
  }

  /**
   * Runs one input on this thread, as the fuzzer does but for the hang threshold: for inputs it
   * found, kept as example-based tests. Returns the finding, or empty.
   */
  public static Optional<String> replay(Target target, byte[] input, AllocationBound bound) {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    threads.setThreadAllocatedMemoryEnabled(true);
    Outcome o = once(target, input, threads);
    if (o.problem() == null && o.allocated() > bound.of(input.length)) {
      return Optional.of("an unbounded allocation: " + o.allocated() + " bytes for " + input.length + " bytes of input");
    }
    return Optional.ofNullable(o.problem());
  }

  /** What one input did: how long it took, what it allocated, and the finding (null if none). */
  private record Outcome(long nanos, long allocated, String problem) {}

  private static Outcome once(Target target, byte[] input, com.sun.management.ThreadMXBean threads) {
    long id = Thread.currentThread().getId();
    long allocatedBefore = threads.getThreadAllocatedBytes(id);
    long before = System.nanoTime();
    String problem;
    try {
      problem = target.run(input).orElse(null);
    } catch (Throwable e) { // any exception or Error that escapes is a bug
      problem = "a crash: " + stackTrace(e);
    }
    long nanos = System.nanoTime() - before;
    return new Outcome(nanos, threads.getThreadAllocatedBytes(id) - allocatedBefore, problem);
  }

  private static ExecutorService newWorker(String name) {
    // the default stack size, as Sluice's own threads have: deep nesting must be refused by a limit
    return Executors.newSingleThreadExecutor(task -> {
      Thread t = new Thread(null, task, "fuzz-" + name, 0);
      t.setDaemon(true);
      return t;
    });
  }

  /** The first finding that does not say where: a file, a line and column from 1. */
  public static Optional<String> unplaced(List<dev.sluice.yaml.Finding> findings) {
    return findings.stream()
        .filter(f -> f.file() == null || f.position().line() < 1 || f.position().column() < 1 || f.message().isBlank())
        .findFirst()
        .map(f -> "a finding without a place: " + f.format());
  }

  /** The files of a folder (not recursing), sorted by name, as seeds. */
  public static List<byte[]> seeds(Path dir, String glob) {
    List<byte[]> out = new ArrayList<>();
    try (var files = Files.newDirectoryStream(dir, glob)) {
      List<Path> sorted = new ArrayList<>();
      files.forEach(sorted::add);
      sorted.sort(null);
      for (Path p : sorted) {
        out.add(Files.readAllBytes(p));
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out;
  }

  private static Path save(String name, long seed, long index, byte[] input) {
    try {
      Path dir = Files.createDirectories(Path.of("target", "fuzz-findings", name));
      return Files.write(dir.resolve("seed" + seed + "-input" + index + ".bin"), input);
    } catch (IOException e) {
      return null;
    }
  }

  private static String stackTrace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    String s = w.toString();
    return s.length() > 4000 ? s.substring(0, 4000) + "…" : s;
  }
}
