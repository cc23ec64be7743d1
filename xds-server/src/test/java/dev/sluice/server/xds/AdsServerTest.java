package dev.sluice.server.xds;

import static io.envoyproxy.controlplane.cache.Resources.V3.CLUSTER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ENDPOINT_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.LISTENER_TYPE_URL;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.Status;
import dev.sluice.testing.AdsClient;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The ADS service as a proxy sees it, over gRPC: what it is sent, and what it is not sent again.
 */
class AdsServerTest {
  private static final Duration QUIET = Duration.ofMillis(300);
  private static final List<String> SERVICES = List.of("a", "b", "c");

  private static Map<String, Integer> ports(int a, int b, int c) {
    Map<String, Integer> m = new LinkedHashMap<>();
    m.put("a", a);
    m.put("b", b);
    m.put("c", c);
    return m;
  }

  private static List<String> names(DiscoveryResponse r) {
    return r.getResourcesList().stream().map(AdsServerTest::name).toList();
  }

  private static String name(Any any) {
    try {
      return any.getTypeUrl().equals(ENDPOINT_TYPE_URL)
          ? any.unpack(ClusterLoadAssignment.class).getClusterName()
          : Resources.getResourceName(any);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, String> versions(DeltaDiscoveryResponse r) {
    return r.getResourcesList().stream()
        .collect(Collectors.toMap(Resource::getName, Resource::getVersion));
  }

  /**
   * A SotW proxy that subscribed to clusters and endpoints and ACKed both; returns its last EDS
   * response.
   */
  private static DiscoveryResponse subscribedSotw(AdsHarness h, AdsClient.Sotw envoy)
      throws InterruptedException {
    envoy.request(CLUSTER_TYPE_URL, List.of());
    DiscoveryResponse cds = envoy.next();
    assertThat(names(cds)).containsExactlyElementsOf(SERVICES);
    envoy.request(ENDPOINT_TYPE_URL, SERVICES);
    envoy.ack(cds, List.of());
    DiscoveryResponse eds = envoy.next();
    assertThat(names(eds)).containsExactlyInAnyOrderElementsOf(SERVICES);
    envoy.ack(eds, SERVICES);
    awaitAcked(h, envoy.nodeId(), "ClusterLoadAssignment", eds.getVersionInfo());
    return eds;
  }

  /** Until the server has seen the ACK (it comes on another thread than the next snapshot). */
  private static void awaitAcked(AdsHarness h, String node, String type, String version) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(2))
        .until(
            () ->
                h.proxies.connected().stream()
                    .anyMatch(
                        p ->
                            p.nodeId().equals(node)
                                && p.types().containsKey(type)
                                && version.equals(p.types().get(type).ackedVersion())));
  }

  @Test
  void aSotwProxyIsSentOnlyTheClusterLoadAssignmentThatChanged() throws Exception {
    try (AdsHarness h = new AdsHarness();
        AdsClient.Sotw envoy = h.sotw("edge-1")) {
      h.serve(AdsHarness.config(ports(1, 2, 3)));
      DiscoveryResponse before = subscribedSotw(h, envoy);

      h.serve(AdsHarness.config(ports(1, 22, 3)));
      DiscoveryResponse eds = envoy.next();
      assertThat(eds.getTypeUrl()).isEqualTo(ENDPOINT_TYPE_URL);
      assertThat(names(eds)).containsExactly("b");
      assertThat(eds.getVersionInfo()).isNotEqualTo(before.getVersionInfo());
      envoy.ack(eds, SERVICES);
      assertThat(envoy.within(QUIET)).as("nothing else changed").isNull();
    }
  }

  @Test
  void aSotwProxyIsSentClustersWholeAndTheEndpointsOfEveryClusterAfterThem() throws Exception {
    try (AdsHarness h = new AdsHarness();
        AdsClient.Sotw envoy = h.sotw("edge-1")) {
      h.serve(AdsHarness.config(ports(1, 2, 3)));
      DiscoveryResponse eds = subscribedSotw(h, envoy);
      Map<String, Integer> more = ports(1, 2, 3);
      more.put("d", 4);
      h.serve(AdsHarness.config(more));

      DiscoveryResponse cds = envoy.next();
      assertThat(names(cds)).containsExactly("a", "b", "c", "d");
      List<String> all = List.of("a", "b", "c", "d");
      envoy.ack(
          eds, all); // Envoy's request for the new cluster's endpoints names the last EDS response
      envoy.ack(cds, List.of());
      // Envoy re-creates changed clusters and needs their endpoints again, as java-control-plane
      // sends them
      assertThat(names(envoy.next())).containsExactlyInAnyOrderElementsOf(all);
    }
  }

  @Test
  void aSotwProxyIsNotSentAConfigItRejectedUntilTheConfigChanges() throws Exception {
    try (AdsHarness h = new AdsHarness();
        AdsClient.Sotw envoy = h.sotw("edge-1")) {
      h.serve(AdsHarness.config(ports(1, 2, 3)));
      envoy.request(CLUSTER_TYPE_URL, List.of());
      DiscoveryResponse cds = envoy.next();
      envoy.nack(cds, Status.newBuilder().setMessage("no"));
      assertThat(envoy.within(QUIET)).isNull();
      assertThat(h.metric("sluice_xds_nacks_total", "Cluster")).isEqualTo(1);

      h.serve(AdsHarness.config(ports(1, 2, 3))); // the same again: still nothing
      assertThat(envoy.within(QUIET)).isNull();
      Map<String, Integer> fewer = new LinkedHashMap<>(ports(1, 2, 3));
      fewer.remove("c");
      h.serve(AdsHarness.config(fewer));
      assertThat(names(envoy.next())).containsExactly("a", "b");
    }
  }

  @Test
  void aSotwProxyReconnectingWithTheCurrentVersionsIsSentNothing() throws Exception {
    try (AdsHarness h = new AdsHarness()) {
      h.serve(AdsHarness.config(ports(1, 2, 3)));
      String cdsVersion;
      String edsVersion;
      try (AdsClient.Sotw first = h.sotw("edge-1")) {
        first.request(CLUSTER_TYPE_URL, List.of());
        cdsVersion = first.next().getVersionInfo();
        first.request(ENDPOINT_TYPE_URL, SERVICES);
        edsVersion = first.next().getVersionInfo();
      }
      try (AdsClient.Sotw again = h.sotw("edge-1")) {
        again.send(
            DiscoveryRequest.newBuilder().setTypeUrl(CLUSTER_TYPE_URL).setVersionInfo(cdsVersion));
        again.send(
            DiscoveryRequest.newBuilder()
                .setTypeUrl(ENDPOINT_TYPE_URL)
                .setVersionInfo(edsVersion)
                .addAllResourceNames(SERVICES));
        assertThat(again.within(QUIET)).isNull();
      }
    }
  }

  @Test
  void nothingIsSentBeforeTheGroupHasASnapshot() throws Exception {
    try (AdsHarness h = new AdsHarness();
        AdsClient.Sotw envoy = h.sotw("edge-1")) {
      envoy.request(CLUSTER_TYPE_URL, List.of());
      envoy.request(LISTENER_TYPE_URL, List.of());
      assertThat(envoy.within(QUIET)).isNull();
      h.serve(AdsHarness.config(ports(1, 2, 3)));
      assertThat(envoy.next().getTypeUrl()).isEqualTo(CLUSTER_TYPE_URL);
      assertThat(envoy.next().getTypeUrl()).isEqualTo(LISTENER_TYPE_URL);
    }
  }

  /**
   * A delta proxy that has the clusters and endpoints of a, b, c and ACKed them; returns the
   * versions it has.
   */
  private static Map<String, Map<String, String>> subscribedDelta(
      AdsHarness h, AdsClient.Delta envoy) throws InterruptedException {
    envoy.subscribe(CLUSTER_TYPE_URL, List.of(), Map.of());
    DeltaDiscoveryResponse cds = envoy.next();
    assertThat(versions(cds)).containsOnlyKeys(SERVICES);
    envoy.subscribe(ENDPOINT_TYPE_URL, SERVICES, Map.of());
    envoy.ack(cds);
    DeltaDiscoveryResponse eds = envoy.next();
    assertThat(versions(eds)).containsOnlyKeys(SERVICES);
    envoy.ack(eds);
    awaitAcked(h, envoy.nodeId(), "ClusterLoadAssignment", eds.getSystemVersionInfo());
    return Map.of(CLUSTER_TYPE_URL, versions(cds), ENDPOINT_TYPE_URL, versions(eds));
  }

  @Test
  void aDeltaProxyIsSentWhatChangedAndTheNamesOfWhatWasRemoved() throws Exception {
    try (AdsHarness h = new AdsHarness();
        AdsClient.Delta envoy = h.delta("edge-1")) {
      h.serve(AdsHarness.config(ports(1, 2, 3)));
      subscribedDelta(h, envoy);

      Map<String, Integer> next = new LinkedHashMap<>(ports(1, 22, 3));
      next.remove("c");
      h.serve(AdsHarness.config(next));
      DeltaDiscoveryResponse cds = envoy.next();
      assertThat(cds.getResourcesList()).isEmpty();
      assertThat(cds.getRemovedResourcesList()).containsExactly("c");
      envoy.ack(cds);
      DeltaDiscoveryResponse eds = envoy.next();
      assertThat(versions(eds)).containsOnlyKeys("b");
      assertThat(eds.getRemovedResourcesList()).containsExactly("c");
      envoy.ack(eds);
      assertThat(envoy.within(QUIET)).isNull();
    }
  }

  @Test
  void aDeltaProxyReconnectingIsToldWhatWasRemovedMeanwhileAndIsNotSentWhatItHas()
      throws Exception {
    try (AdsHarness h = new AdsHarness()) {
      h.serve(AdsHarness.config(ports(1, 2, 3)));
      Map<String, Map<String, String>> had;
      try (AdsClient.Delta first = h.delta("edge-1")) {
        had = subscribedDelta(h, first);
      }
      // while the proxy was away: c is gone, b moved
      Map<String, Integer> next = new LinkedHashMap<>(ports(1, 22, 3));
      next.remove("c");
      h.serve(AdsHarness.config(next));

      try (AdsClient.Delta again = h.delta("edge-1")) {
        again.subscribe(CLUSTER_TYPE_URL, List.of(), had.get(CLUSTER_TYPE_URL));
        DeltaDiscoveryResponse cds = again.next();
        assertThat(cds.getResourcesList()).as("a and b are unchanged").isEmpty();
        assertThat(cds.getRemovedResourcesList()).containsExactly("c");
        again.subscribe(ENDPOINT_TYPE_URL, List.of("a", "b"), had.get(ENDPOINT_TYPE_URL));
        again.ack(cds);
        DeltaDiscoveryResponse eds = again.next();
        assertThat(versions(eds)).containsOnlyKeys("b");
        again.ack(eds);
        assertThat(again.within(QUIET)).isNull();
      }
    }
  }

  @Test
  void aDeltaProxyReconnectingWithEverythingCurrentIsSentNothing() throws Exception {
    try (AdsHarness h = new AdsHarness()) {
      h.serve(AdsHarness.config(ports(1, 2, 3)));
      Map<String, Map<String, String>> had;
      try (AdsClient.Delta first = h.delta("edge-1")) {
        had = subscribedDelta(h, first);
      }
      long pushes = h.metric("sluice_xds_pushes_total", "Cluster");
      try (AdsClient.Delta again = h.delta("edge-1")) {
        again.subscribe(CLUSTER_TYPE_URL, List.of(), had.get(CLUSTER_TYPE_URL));
        again.subscribe(ENDPOINT_TYPE_URL, SERVICES, had.get(ENDPOINT_TYPE_URL));
        assertThat(again.within(QUIET)).isNull();
      }
      assertThat(h.metric("sluice_xds_pushes_total", "Cluster")).isEqualTo(pushes);
    }
  }

  @Test
  void aDeltaProxyIsNotSentAResourceItRejectedUntilItChanges() throws Exception {
    try (AdsHarness h = new AdsHarness();
        AdsClient.Delta envoy = h.delta("edge-1")) {
      h.serve(AdsHarness.config(ports(1, 2, 3)));
      envoy.subscribe(CLUSTER_TYPE_URL, List.of(), Map.of());
      DeltaDiscoveryResponse cds = envoy.next();
      envoy.nack(cds, Status.newBuilder().setMessage("no"));
      assertThat(envoy.within(QUIET)).isNull();

      Map<String, Integer> more = new LinkedHashMap<>(ports(1, 2, 3));
      more.put("d", 4);
      h.serve(AdsHarness.config(more));
      assertThat(versions(envoy.next())).containsOnlyKeys("d");
    }
  }

  @Test
  void everyStreamOfTheGroupGetsTheChange() throws Exception {
    try (AdsHarness h = new AdsHarness()) {
      h.serve(AdsHarness.config(ports(1, 2, 3)));
      List<AdsClient.Sotw> envoys = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        AdsClient.Sotw e = h.sotw("edge-" + i);
        envoys.add(e);
        subscribedSotw(h, e);
      }
      h.serve(AdsHarness.config(ports(11, 2, 3)));
      for (AdsClient.Sotw e : envoys) {
        assertThat(names(e.next())).containsExactly("a");
        e.close();
      }
    }
  }
}
