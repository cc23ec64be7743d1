package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The one rule for names and the one for trust domains, at their edges. */
class NameRulesTest {
  @Test
  void namesAreLowerCaseWithDotsDashesAndUnderscoresInside() {
    assertThat(NameRules.isName("orders")).isTrue();
    assertThat(NameRules.isName("a")).isTrue();
    assertThat(NameRules.isName("orders-v2.eu_west")).isTrue();
    assertThat(NameRules.isName("Orders")).isFalse();
    assertThat(NameRules.isName("-orders")).isFalse();
    assertThat(NameRules.isName("orders.")).isFalse();
    assertThat(NameRules.isName("orders/v2")).isFalse();
    assertThat(NameRules.isName("")).isFalse();
    assertThat(NameRules.isName(null)).isFalse();
  }

  @Test
  void aNameHasAtMost63Characters() {
    assertThat(NameRules.isName("a".repeat(63))).isTrue();
    assertThat(NameRules.isName("a".repeat(64))).isFalse();
  }

  @Test
  void aTrustDomainHasAtMost255Characters() {
    assertThat(NameRules.isTrustDomain("sluice.local")).isTrue();
    assertThat(NameRules.isTrustDomain("a".repeat(255))).isTrue();
    assertThat(NameRules.isTrustDomain("a".repeat(256))).isFalse();
    assertThat(NameRules.isTrustDomain("Sluice.local")).isFalse();
    assertThat(NameRules.isTrustDomain("spiffe://sluice.local")).isFalse();
    assertThat(NameRules.isTrustDomain(null)).isFalse();
  }
}
