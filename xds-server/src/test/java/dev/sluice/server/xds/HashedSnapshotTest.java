package dev.sluice.server.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a new snapshot shares with the previous one, and what it tells the streams changed. */
class HashedSnapshotTest {
  private static Map<String, Integer> services(int bPort) {
    Map<String, Integer> m = new LinkedHashMap<>();
    m.put("a", 1);
    m.put("b", bPort);
    m.put("c", 3);
    return m;
  }

  @Test
  void oneChangedEndpointIsTheOnlyNewResourceAndEveryOtherKeepsItsEncoding() {
    HashedSnapshot before = new HashedSnapshot(AdsHarness.config(services(2)));
    before.type(ResourceType.ENDPOINT).get("a").any();
    HashedSnapshot after = new HashedSnapshot(AdsHarness.config(services(22)), before);

    assertThat(after.type(ResourceType.CLUSTER))
        .as("unchanged type")
        .isSameAs(before.type(ResourceType.CLUSTER));
    assertThat(after.type(ResourceType.LISTENER)).isSameAs(before.type(ResourceType.LISTENER));
    TypeResources endpoints = after.type(ResourceType.ENDPOINT);
    assertThat(endpoints.get("a"))
        .as("unchanged resource, encoded already")
        .isSameAs(before.type(ResourceType.ENDPOINT).get("a"));
    TypeResources.Diff diff = endpoints.since(before.type(ResourceType.ENDPOINT));
    assertThat(diff.changed()).extracting(e -> e.name).containsExactly("b");
    assertThat(diff.removed()).isEmpty();
    assertThat(endpoints.since(before.type(ResourceType.ENDPOINT)))
        .as("computed once for all streams")
        .isSameAs(diff);
  }

  @Test
  void versionsDependOnContentOnlySoAnotherServerComputesTheSame() {
    HashedSnapshot one = new HashedSnapshot(AdsHarness.config(services(2)));
    HashedSnapshot other = new HashedSnapshot(AdsHarness.config(services(2)));
    assertThat(other.versions()).isEqualTo(one.versions());
    Names asked = Names.of(List.of("c", "a", "b"));
    assertThat(other.version(ResourceType.ENDPOINT, asked))
        .isEqualTo(one.version(ResourceType.ENDPOINT, asked));
    assertThat(asked)
        .as("interned, whatever the order asked in")
        .isSameAs(Names.of(List.of("a", "b", "c")));
  }

  @Test
  void aRemovedResourceIsNamedInTheDiff() {
    HashedSnapshot before = new HashedSnapshot(AdsHarness.config(services(2)));
    Map<String, Integer> fewer = services(2);
    fewer.remove("c");
    HashedSnapshot after = new HashedSnapshot(AdsHarness.config(fewer), before);
    TypeResources.Diff diff =
        after.type(ResourceType.CLUSTER).since(before.type(ResourceType.CLUSTER));
    assertThat(diff.changed()).isEmpty();
    assertThat(diff.removed()).containsExactly("c");
  }
}
