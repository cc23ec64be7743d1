package dev.sluice.policy;

import dev.sluice.yaml.Fields;
import dev.sluice.yaml.YamlNode;
import java.util.Optional;
import java.util.Set;

/**
 * One kind of policy document ({@code kind: Route}, {@code kind: Gateway}, ...): the fields it
 * allows and how a document becomes its spec record. Checks that need other documents live in
 * the kind's {@link CrossCheck}.
 *
 * @param <T> the spec record of the kind
 */
public interface PolicyKind<T extends PolicyResource> {
  /** The value of {@code kind:} that selects this kind. */
  String kind();

  /** Every top-level field allowed, including {@code kind} and {@code name}. */
  Set<String> fields();

  /** Reads one document; reports mistakes to {@code fields} and returns empty when it cannot. */
  Optional<T> read(String name, YamlNode document, Fields fields, Source source);
}
