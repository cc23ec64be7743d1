package dev.sluice.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BlockingIndexTest {
  @Test
  void sendsBackTheIndexConsulReturned() {
    BlockingIndex i = new BlockingIndex();
    assertThat(i.current()).isZero();
    assertThat(i.update(42)).isFalse();
    assertThat(i.current()).isEqualTo(42);
    assertThat(i.update(42)).isFalse();
    assertThat(i.update(50)).isFalse();
    assertThat(i.current()).isEqualTo(50);
  }

  @Test
  void resetsToZeroWhenTheIndexGoesBackwards() {
    BlockingIndex i = new BlockingIndex();
    i.update(1000);
    assertThat(i.update(7)).isTrue();
    assertThat(i.current()).as("the next query answers at once").isZero();
    assertThat(i.resets()).isEqualTo(1);
    assertThat(i.update(7)).isFalse();
    assertThat(i.current()).isEqualTo(7);
  }

  @Test
  void neverBlocksOnAnIndexBelowOne() {
    BlockingIndex i = new BlockingIndex();
    assertThat(i.update(0)).isFalse();
    assertThat(i.current()).isEqualTo(1);
  }

  @Test
  void afterAnErrorTheNextQueryAnswersAtOnceAndABackwardsIndexIsStillSeen() {
    BlockingIndex i = new BlockingIndex();
    i.update(500);
    i.suspend();
    assertThat(i.current()).isZero();
    assertThat(i.update(12)).as("the agent restarted while unreachable").isTrue();
    assertThat(i.current()).isZero();
    assertThat(i.update(12)).isFalse();
    assertThat(i.current()).isEqualTo(12);
  }

  @Test
  void afterAnErrorAnUnchangedIndexResumesBlocking() {
    BlockingIndex i = new BlockingIndex();
    i.update(500);
    i.suspend();
    assertThat(i.update(500)).isFalse();
    assertThat(i.current()).isEqualTo(500);
    assertThat(i.resets()).isZero();
  }
}
