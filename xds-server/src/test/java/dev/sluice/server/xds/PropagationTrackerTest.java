package dev.sluice.server.xds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.telemetry.Telemetry;
import dev.sluice.xds.XdsResources;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PropagationTrackerTest {
  @Test
  void aGroupWithNoConnectedProxyIsNotCountedAsAcceptedNorInThePropagationTime() {
    try (Telemetry telemetry = Telemetry.withSpanExporter(InMemorySpanExporter.create())) {
      PropagationTracker tracker = new PropagationTracker(new ProxyRegistry(), telemetry.metrics());
      tracker.begin(
          new PropagationTracker.Change(1, "policies", Instant.now()), List.of("internal"));

      tracker.snapshotReady(1, "internal", new HashedSnapshot(XdsResources.EMPTY));

      PropagationTracker.ChangeView change = tracker.recent().get(0);
      assertThat(change.groups()).containsEntry("internal", PropagationTracker.GroupState.NO_PROXY);
      assertThat(change.completedAfter()).isPresent();
      assertThat(change.acceptedAfter()).isEmpty();
      assertThat(telemetry.metrics().prometheus())
          .doesNotContain("sluice_propagation_seconds_count");
    }
  }
}
