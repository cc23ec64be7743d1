package dev.sluice.server.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.testing.AdsClient;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What xDS clients claim is kept bounded: a group or node id longer than the bound is refused (not
 * stored, not logged in full), a group is forgotten with its last stream, and past the bound on
 * groups a new one is refused — so short streams naming ever new groups cannot fill the heap.
 */
class ClientClaimsBoundTest {
  @Test
  void aGroupOrNodeIdLongerThanTheBoundIsRefused() throws Exception {
    try (AdsHarness h = new AdsHarness()) {
      Status group = h.client.gateway("n", "g".repeat(4 * 1024 * 1024 - 100)).awaitEnd();
      assertThat(group.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(group.getDescription())
          .isEqualTo(
              "the proxy group (gateway, service or node cluster) is longer than 256 characters");
      Status node = h.client.gateway("n".repeat(257), "edge").awaitEnd();
      assertThat(node.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(node.getDescription()).isEqualTo("the node id is longer than 256 characters");
      assertThat(h.ads.groupCount()).isZero();
      // 256 is allowed
      h.ads.setSnapshot(
          "g".repeat(256), new HashedSnapshot(AdsHarness.config(Map.of("web", 8080)), null));
      AdsClient.Sotw ok = h.client.gateway("n".repeat(256), "g".repeat(256));
      assertThat(ok.next().getResourcesCount()).isEqualTo(1);
      ok.close();
    }
  }

  @Test
  void aGroupIsForgottenWithItsLastStream() throws Exception {
    try (AdsHarness h = new AdsHarness()) {
      List<AdsClient.Sotw> streams = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        h.ads.setSnapshot(
            "group-" + i, new HashedSnapshot(AdsHarness.config(Map.of("web", 8080)), null));
        streams.add(h.client.gateway("node-" + i, "group-" + i));
      }
      for (AdsClient.Sotw c : streams) {
        c.next(); // joined and served
      }
      assertThat(h.ads.groupCount()).isEqualTo(200);
      for (AdsClient.Sotw c : streams) {
        c.close();
        c.awaitEnd();
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> h.ads.groupCount() == 0);
      assertThat(h.proxies.connected()).isEmpty();
    }
  }

  @Test
  void pastTheBoundOnGroupsANewGroupIsRefused() throws Exception {
    try (AdsHarness h = new AdsHarness()) {
      h.ads.maxGroups = 2;
      for (String g : List.of("a", "b", "c")) {
        h.ads.setSnapshot(g, new HashedSnapshot(AdsHarness.config(Map.of("web", 8080)), null));
      }
      AdsClient.Sotw a = h.client.gateway("n1", "a");
      AdsClient.Sotw b = h.client.gateway("n2", "b");
      a.next();
      b.next();
      Status c = h.client.gateway("n3", "c").awaitEnd();
      assertThat(c.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(c.getDescription())
          .isEqualTo("more than 2 proxy groups have streams; try again later");
      AdsClient.Sotw a2 = h.client.gateway("n4", "a"); // an existing group still takes streams
      assertThat(a2.next().getResourcesCount()).isEqualTo(1);
      b.close();
      b.awaitEnd();
      await().atMost(Duration.ofSeconds(10)).until(() -> h.ads.groupCount() == 1);
      AdsClient.Sotw c2 = h.client.gateway("n5", "c");
      assertThat(c2.next().getResourcesCount()).isEqualTo(1);
    }
  }
}
