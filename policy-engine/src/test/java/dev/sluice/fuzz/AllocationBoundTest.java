package dev.sluice.fuzz;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The part of the fuzz tests Jazzer lacks: a target that breaks a property or the bound throws. */
class AllocationBoundTest {
  private static final Fuzz.AllocationBound BOUND = new Fuzz.AllocationBound(1L << 20, 16);

  /**
   * Where the allocating target keeps what it allocates, so the JIT cannot leave the allocation
   * out.
   */
  static volatile byte[] kept;

  @Test
  void anAllocationBeyondTheBoundForTheInputsSizeIsAFinding() {
    assertThatThrownBy(
            () ->
                Fuzz.check(
                    in -> {
                      kept = new byte[(4 << 20) + in.length];
                      return Optional.empty();
                    },
                    new byte[100],
                    BOUND))
        .isInstanceOf(Fuzz.PropertyViolated.class)
        .hasMessageStartingWith("an unbounded allocation: ");
  }

  @Test
  void anAllocationWithinTheBoundIsNot() {
    assertThatCode(
            () ->
                Fuzz.check(
                    in -> {
                      kept = new byte[in.length * 8];
                      return Optional.empty();
                    },
                    new byte[1000],
                    BOUND))
        .doesNotThrowAnyException();
  }

  @Test
  void aViolatedPropertyIsAFinding() {
    assertThatThrownBy(() -> Fuzz.check(in -> Optional.of("even"), new byte[2], BOUND))
        .isInstanceOf(Fuzz.PropertyViolated.class)
        .hasMessage("even");
  }
}
