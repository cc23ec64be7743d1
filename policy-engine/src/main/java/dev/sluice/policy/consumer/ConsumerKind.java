package dev.sluice.policy.consumer;

import dev.sluice.policy.PolicyKind;
import dev.sluice.policy.PolicySet;
import dev.sluice.policy.ProxyGroups;
import dev.sluice.policy.Source;
import dev.sluice.policy.auth.AuthSpec;
import dev.sluice.yaml.Fields;
import dev.sluice.yaml.YamlNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 *
 *
 * <pre>
 * kind: Consumer
 * name: mobile-app
 * apiKeys:                      # SHA-256 of each key: `sluice hash-key` prints it
 *   - sha256:5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8
 * passwordHash: "{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g="   # basic auth, user = name (htpasswd -nbs)
 * </pre>
 *
 * Values that are not hashes are rejected without being echoed: they may be the secret itself.
 */
public final class ConsumerKind implements PolicyKind<ConsumerSpec> {
  private static final Pattern SHA256 = Pattern.compile("^sha256:[0-9a-f]{64}$");
  private static final Pattern SHA1_HTPASSWD = Pattern.compile("^\\{SHA\\}[A-Za-z0-9+/]{27}=$");

  @Override
  public String kind() {
    return ConsumerSpec.KIND;
  }

  @Override
  public Class<ConsumerSpec> type() {
    return ConsumerSpec.class;
  }

  /** The gateways whose routes identify consumers (API keys or basic auth). */
  @Override
  public Set<String> groups(ConsumerSpec spec, PolicySet set) {
    return ProxyGroups.gatewaysWith(
        set, r -> set.effectiveAuth(r).map(AuthSpec::identifiesConsumers).orElse(false));
  }

  @Override
  public Set<String> fields() {
    return Set.of("kind", "name", "apiKeys", "passwordHash");
  }

  @Override
  public Optional<ConsumerSpec> read(String name, YamlNode doc, Fields f, Source source) {
    List<String> hashes = new ArrayList<>();
    YamlNode keys = doc.get("apiKeys");
    if (!keys.isAbsent() && !keys.isArray()) {
      f.error(keys, "expected a list of sha256:<hex> digests, got " + keys.typeName());
    } else if (!keys.isAbsent()) {
      for (YamlNode k : keys.elements()) {
        if (!k.isScalar() || !SHA256.matcher(k.value().asText()).matches()) {
          f.error(
              k,
              "expected sha256: and the 64 lower-case hex digits of the key's SHA-256 (`sluice hash-key` prints it);"
                  + " the key itself must not be written here");
        } else if (hashes.contains(k.value().asText().substring(7))) {
          f.error(k, "the same key is listed twice");
        } else {
          hashes.add(k.value().asText().substring(7));
        }
      }
    }
    Optional<String> password = Optional.empty();
    YamlNode pw = doc.get("passwordHash");
    if (!pw.isAbsent()) {
      if (!pw.isScalar() || !SHA1_HTPASSWD.matcher(pw.value().asText()).matches()) {
        f.error(
            pw,
            "expected an htpasswd {SHA} hash like {SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g= (`htpasswd -nbs user password`"
                + " or `sluice hash-password`); the password itself must not be written here");
      } else {
        password = Optional.of(pw.value().asText());
      }
    }
    if (keys.isAbsent() && pw.isAbsent()) {
      f.warning(
          doc.get("name"), "no apiKeys and no passwordHash: this consumer can never authenticate");
    }
    return Optional.of(new ConsumerSpec(name, source, hashes, password));
  }
}
