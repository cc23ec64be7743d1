package dev.sluice.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The harness itself: each property it checks is reported when a target breaks it. */
class FuzzHarnessTest {
  private static final Fuzz.AllocationBound BOUND = new Fuzz.AllocationBound(1L << 20, 16);
  private final Mutator mutator = new Mutator(List.of("services: {}".getBytes(StandardCharsets.UTF_8)), List.of());
  private final CountDownLatch never = new CountDownLatch(1);
  /** Where the allocating target keeps what it allocates, so the JIT cannot leave the allocation out. */
  static volatile byte[] kept;

  @AfterEach
  void release() {
    never.countDown();
  }

  @Test
  void anExceptionOrErrorThatEscapesIsACrash() {
    Fuzz.Report r = Fuzz.run("crash", mutator, in -> {
      throw new StackOverflowError();
    }, BOUND, 3, 1, 10_000);
    assertThat(r.findingCount()).isEqualTo(3);
    assertThat(r.findings()).allSatisfy(f -> assertThat(f.problem()).startsWith("a crash: java.lang.StackOverflowError"));
  }

  @Test
  void anInputWithoutAnAnswerWithinTheThresholdIsAHang() {
    Fuzz.Report r = Fuzz.run("hang", mutator, in -> {
      never.await();
      return Optional.empty();
    }, BOUND, 2, 1, 100);
    assertThat(r.findingCount()).isEqualTo(2);
    assertThat(r.findings()).allSatisfy(f -> assertThat(f.problem()).isEqualTo("a hang: no answer within 100 ms"));
  }

  @Test
  void anAllocationBeyondTheBoundForTheInputsSizeIsAFinding() {
    Fuzz.Report r = Fuzz.run("allocation", mutator, in -> {
      kept = new byte[(4 << 20) + in.length];
      return Optional.empty();
    }, BOUND, 2, 1, 10_000);
    assertThat(r.findingCount()).isEqualTo(2);
    assertThat(r.findings()).allSatisfy(f -> assertThat(f.problem()).startsWith("an unbounded allocation: "));
    assertThat(r.maxAllocated()).isGreaterThan(4L << 20);
  }

  @Test
  void aViolatedPropertyIsAFindingAndAnInputWithinEveryBoundIsNot() {
    Fuzz.Report r = Fuzz.run("property", mutator, in -> in.length % 2 == 0 ? Optional.of("even") : Optional.empty(),
        BOUND, 20, 1, 10_000);
    assertThat(r.inputs()).isEqualTo(20);
    assertThat(r.findingCount()).isPositive().isLessThan(20);
    assertThat(r.findings()).allSatisfy(f -> assertThat(f.problem()).isEqualTo("even"));
  }

  @Test
  void aSeedAndAnIndexMakeTheSameInputAgain() {
    for (long i = 0; i < 100; i++) {
      assertThat(Fuzz.input(mutator, 7, i)).isEqualTo(Fuzz.input(mutator, 7, i));
    }
  }
}
