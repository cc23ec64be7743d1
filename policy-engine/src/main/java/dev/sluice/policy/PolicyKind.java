package dev.sluice.policy;

import dev.sluice.yaml.Fields;
import dev.sluice.yaml.YamlNode;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One kind of policy document ({@code kind: Route}, {@code kind: Gateway}, ...) and everything the
 * loader, the index, the status views and {@code validate} need of it: the fields it allows, how a
 * document becomes its spec record, the checks that need other documents, and the proxy groups a
 * document's config reaches. Nothing outside the kind's folder and {@link PolicyKinds} names a
 * kind, so a new one is a folder and a line in the registry.
 *
 * @param <T> the spec record of the kind
 */
public interface PolicyKind<T extends PolicyResource> {
  /** The value of {@code kind:} that selects this kind. */
  String kind();

  /** The spec record documents of this kind are read into. */
  Class<T> type();

  /** Every top-level field allowed, including {@code kind} and {@code name}. */
  Set<String> fields();

  /** Reads one document; reports mistakes to {@code fields} and returns empty when it cannot. */
  Optional<T> read(String name, YamlNode document, Fields fields, Source source);

  /**
   * The proxy groups whose config the spec is part of, in the whole set: the gateways (by name) and
   * sidecar groups ({@code sidecar~<service>}) a change to the document reaches.
   */
  Set<String> groups(T spec, PolicySet set);

  /** The checks across documents this kind owns, run once every document is read. */
  default List<CrossCheck> checks() {
    return List.of();
  }

  /** {@link #groups} for a spec known only as a resource of this kind. */
  default Set<String> groupsOf(PolicyResource spec, PolicySet set) {
    return groups(type().cast(spec), set);
  }
}
