package dev.sluice.fuzz;

import com.sun.management.ThreadMXBean;
import dev.sluice.yaml.Finding;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Optional;

/**
 * What the fuzz tests share beside Jazzer: the per-input allocation bound and the check that
 * findings say where.
 *
 * <p>Jazzer generates the inputs (coverage-guided, from the seeds in each test's {@code Inputs}
 * folder), reports anything a target throws as a crash, keeps the input, and stops an input that
 * runs past libFuzzer's {@code -timeout} as a hang. Its memory limits cover the whole process
 * ({@code -rss_limit_mb}, which its JUnit runner turns off) or native {@code malloc} only ({@code
 * -malloc_limit_mb}), not what the Java code allocates for one input; so the bound proportional to
 * an input's size is measured here, and a target that goes over it throws, which Jazzer reports as
 * any other crash.
 */
public final class Fuzz {
  /** Inputs per target in the test command (the seeds included). */
  public static final long SHORT_RUNS = 2_000;

  /**
   * What a target does with one input.
   *
   * <p>Returns a violated property, or empty. Documented errors for bad input are caught by the
   * target itself and checked there (a position, a clear message); whatever escapes is a crash.
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

  /** A property a target broke for one input: Jazzer reports it as a crash and keeps the input. */
  public static final class PropertyViolated extends AssertionError {
    PropertyViolated(String problem) {
      super(problem);
    }
  }

  private static final ThreadMXBean THREADS = threads();

  private Fuzz() {}

  /**
   * Runs {@code target} on {@code input} on this thread; throws {@link PropertyViolated} if it
   * reports a problem or allocates more than {@code bound} allows for the input's size. An input
   * over the bound is run a second time and charged for that run only: the first input to take a
   * path loads its classes, once, which is not the input's cost.
   */
  public static void check(Target target, byte[] input, AllocationBound bound) throws Exception {
    long allocated = allocatedBy(target, input);
    if (allocated > bound.of(input.length)) {
      allocated = allocatedBy(target, input);
    }
    if (allocated > bound.of(input.length)) {
      throw new PropertyViolated(
          "an unbounded allocation: "
              + allocated
              + " bytes for "
              + input.length
              + " bytes of input, more than "
              + bound.of(input.length));
    }
  }

  private static long allocatedBy(Target target, byte[] input) throws Exception {
    long id = Thread.currentThread().getId();
    long before = THREADS.getThreadAllocatedBytes(id);
    Optional<String> problem = target.run(input);
    long allocated = THREADS.getThreadAllocatedBytes(id) - before;
    if (problem.isPresent()) {
      throw new PropertyViolated(problem.get());
    }
    return allocated;
  }

  /** The first finding that does not say where: a file, a line and column from 1. */
  public static Optional<String> unplaced(List<Finding> findings) {
    return findings.stream()
        .filter(
            f ->
                f.file() == null
                    || f.position().line() < 1
                    || f.position().column() < 1
                    || f.message().isBlank())
        .findFirst()
        .map(f -> "a finding without a place: " + f.format());
  }

  private static ThreadMXBean threads() {
    var threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    threads.setThreadAllocatedMemoryEnabled(true);
    return threads;
  }
}
