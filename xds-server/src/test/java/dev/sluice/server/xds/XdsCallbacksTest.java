package dev.sluice.server.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.sluice.server.telemetry.Telemetry;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a client says of itself and of its NACKs is kept bounded and escaped, for every view. */
class XdsCallbacksTest {
  private static final String MEGABYTE = "x".repeat(1 << 20);

  @Test
  void aNodeAndANackFullOfNewlinesAndAMegabyteAreKeptBoundedAndEscaped() {
    try (Telemetry telemetry = Telemetry.withSpanExporter(InMemorySpanExporter.create())) {
      ProxyRegistry registry = new ProxyRegistry();
      List<String> searched = new ArrayList<>();
      XdsCallbacks callbacks =
          new XdsCallbacks(
              registry,
              telemetry.metrics(),
              (group, type, error) -> {
                searched.add(error);
                return new NackOrigins.Blame(
                    List.of("Route/users (policies/routes.yaml:1:1)"), false);
              },
              new PropagationTracker(registry, telemetry.metrics()));
      Node node =
          Node.newBuilder()
              .setId("evil\nFORGED " + MEGABYTE)
              .setCluster("edge\r\n" + MEGABYTE)
              .setUserAgentName(MEGABYTE)
              .setMetadata(
                  Struct.newBuilder()
                      .putFields(ProxyGroups.ROLE_KEY, text("edge\n<b>" + MEGABYTE))
                      .putFields(ProxyGroups.METADATA_KEY, text("internal"))
                      .putFields("other", text(MEGABYTE)))
              .build();

      ProxyRegistry.ProxyState p = callbacks.opened(1);
      callbacks.identified(p, node, ProxyGroups.group(node));
      callbacks.nacked(p, "Cluster", "listener users: bad\nFORGED " + MEGABYTE);

      ProxyRegistry.ProxyState shown = registry.connected().get(0);
      assertThat(shown.nodeId())
          .startsWith("evil\\nFORGED xxx")
          .endsWith("more chars)")
          .hasSizeLessThan(300)
          .doesNotContain("\n");
      assertThat(shown.group()).isEqualTo("internal");
      assertThat(shown.role())
          .startsWith("edge\\n<b>xxx")
          .endsWith("more chars)")
          .hasSizeLessThan(300);
      assertThat(shown.node.getCluster()).startsWith("edge\\r\\nxxx").hasSizeLessThan(300);
      assertThat(shown.node.getMetadata().getFieldsMap())
          .containsOnlyKeys(ProxyGroups.ROLE_KEY, ProxyGroups.METADATA_KEY);
      assertThat(shown.node.getSerializedSize()).as("the node kept per stream").isLessThan(1024);

      ProxyRegistry.Nack nack = shown.nacks().get(0);
      assertThat(nack.error())
          .startsWith("listener users: bad\\nFORGED xxx")
          .endsWith("more chars)")
          .hasSizeLessThan(4096 + 32)
          .doesNotContain("\n");
      assertThat(shown.types().get("Cluster").lastError()).isEqualTo(nack.error());
      assertThat(nack.policies()).containsExactly("Route/users (policies/routes.yaml:1:1)");
      // resource names are looked for in Envoy's own lines, as far as the text is kept
      assertThat(searched)
          .singleElement()
          .satisfies(s -> assertThat(s).startsWith("listener users: bad\nFORGED").hasSize(4096));
    }
  }

  @Test
  void aGroupThatNoPolicyCouldNameIsBoundedToo() {
    try (Telemetry telemetry = Telemetry.withSpanExporter(InMemorySpanExporter.create())) {
      ProxyRegistry registry = new ProxyRegistry();
      XdsCallbacks callbacks =
          new XdsCallbacks(
              registry,
              telemetry.metrics(),
              (g, t, e) -> NackOrigins.Blame.NONE,
              new PropagationTracker(registry, telemetry.metrics()));
      Node node = Node.newBuilder().setId("n").setCluster("edge\n" + MEGABYTE).build();
      ProxyRegistry.ProxyState p = callbacks.opened(1);
      callbacks.identified(p, node, ProxyGroups.group(node));
      assertThat(registry.connected().get(0).group()).startsWith("edge\\nxxx").hasSizeLessThan(300);
      assertThat(registry.connected().get(0).role()).isEqualTo("edge");
    }
  }

  @Test
  void aNackSupersededByAnAcceptedVersionIsHistoryNotCurrent() {
    try (Telemetry telemetry = Telemetry.withSpanExporter(InMemorySpanExporter.create())) {
      ProxyRegistry registry = new ProxyRegistry();
      XdsCallbacks callbacks =
          new XdsCallbacks(
              registry,
              telemetry.metrics(),
              (g, t, e) -> NackOrigins.Blame.NONE,
              new PropagationTracker(registry, telemetry.metrics()));
      ProxyRegistry.ProxyState p = callbacks.opened(1);
      callbacks.identified(p, Node.newBuilder().setId("edge-1").setCluster("edge").build(), "edge");
      callbacks.sent(p, "RouteConfiguration", "v2");
      callbacks.nacked(p, "RouteConfiguration", "regex 'x' refused");
      assertThat(p.nacks()).singleElement().satisfies(n -> assertThat(n.version()).isEqualTo("v2"));

      callbacks.sent(p, "RouteConfiguration", "v3");
      callbacks.acked(p, "RouteConfiguration");
      assertThat(p.nacks()).isEmpty();
      assertThat(p.nackHistory())
          .singleElement()
          .satisfies(
              past -> {
                assertThat(past.nack().error()).isEqualTo("regex 'x' refused");
                assertThat(past.supersededBy()).isEqualTo("version v3 accepted");
              });
      assertThat(p.types().get("RouteConfiguration").ackedVersion()).isEqualTo("v3");
    }
  }

  @Test
  void whatAProxySaysItHasOnANewStreamCountsAsAccepted() {
    try (Telemetry telemetry = Telemetry.withSpanExporter(InMemorySpanExporter.create())) {
      ProxyRegistry registry = new ProxyRegistry();
      XdsCallbacks callbacks =
          new XdsCallbacks(
              registry,
              telemetry.metrics(),
              (g, t, e) -> NackOrigins.Blame.NONE,
              new PropagationTracker(registry, telemetry.metrics()));
      ProxyRegistry.ProxyState p = callbacks.opened(1);
      callbacks.alreadyHas(p, "Cluster", "v1");
      assertThat(p.types().get("Cluster").ackedVersion()).isEqualTo("v1");
      assertThat(p.types().get("Cluster").pushes()).isZero();
    }
  }

  private static Value text(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }
}
