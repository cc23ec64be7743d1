package dev.sluice.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.discovery.ServiceInstance;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RecoveryHoldTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final ServiceInstance A = ServiceInstance.of("10.0.0.1", 80);
  private static final ServiceInstance B = ServiceInstance.of("10.0.0.2", 80);

  @Test
  void outsideAGraceADeregistrationAppliesAtOnce() {
    RecoveryHold hold = new RecoveryHold();
    var out = hold.apply(Map.of("users", List.of(A, B)), Map.of("users", List.of(A)), T0);
    assertThat(out).isEqualTo(Map.of("users", List.of(A)));
  }

  @Test
  void inAGraceVanishedInstancesAndServicesAreKeptUntilTheyComeBackOrTheGraceEnds() {
    RecoveryHold hold = new RecoveryHold();
    hold.startGrace(T0.plusSeconds(60));
    // Consul came back empty
    var out =
        hold.apply(
            Map.of("users", List.of(A, B), "orders", List.of(B)), Map.of(), T0.plusSeconds(1));
    assertThat(out).containsOnlyKeys("users", "orders");
    assertThat(out.get("users")).containsExactlyInAnyOrder(A, B);
    assertThat(hold.heldCount()).isEqualTo(3);
    // users re-registers A only
    out = hold.apply(out, Map.of("users", List.of(A)), T0.plusSeconds(5));
    assertThat(out.get("users")).containsExactlyInAnyOrder(A, B);
    assertThat(hold.heldCount()).isEqualTo(2);
    // the grace ends: only what Consul lists
    out = hold.apply(out, Map.of("users", List.of(A)), T0.plusSeconds(61));
    assertThat(out).isEqualTo(Map.of("users", List.of(A)));
    assertThat(hold.heldCount()).isZero();
  }

  @Test
  void theResultIsASnapshotThatLaterChangesToTheObservedMapDoNotReach() {
    RecoveryHold hold = new RecoveryHold();
    Map<String, List<ServiceInstance>> observed = new TreeMap<>(Map.of("users", List.of(A, B)));
    var published = hold.apply(Map.of(), observed, T0);
    observed.remove("users");
    hold.startGrace(T0.plusSeconds(60));
    var out = hold.apply(published, observed, T0.plusSeconds(1));
    assertThat(out.get("users"))
        .as("kept: the previous result was not changed under us")
        .containsExactlyInAnyOrder(A, B);
  }
}
