package dev.sluice.policy;

import dev.sluice.core.NameRules;
import dev.sluice.yaml.Fields;
import dev.sluice.yaml.YamlNode;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Shared rules for names and host names, so every kind checks them the same way. */
public final class Names {
  private static final Pattern HOST =
      Pattern.compile(
          "^(\\*|(\\*\\.)?[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*(:\\d{1,5})?)$");

  private Names() {}

  /** A resource or service name: lower-case letters, digits, '.', '_' and '-', at most 63. */
  public static Optional<String> name(YamlNode n, Fields f) {
    Optional<String> s = f.requiredString(n);
    if (s.isPresent() && !NameRules.isName(s.get())) {
      f.error(
          n,
          "\""
              + s.get()
              + "\" is not a valid name: use lower-case letters, digits, '.', '_' and '-' (at most 63, starting and ending with a letter or digit)");
      return Optional.empty();
    }
    return s;
  }

  /**
   * Host names as Envoy virtual hosts take them: {@code *}, {@code *.example.com}, {@code
   * api.example.com[:port]}.
   */
  public static List<String> hosts(YamlNode n, Fields f) {
    List<String> hosts = f.strings(n);
    for (int i = 0; i < hosts.size(); i++) {
      if (!HOST.matcher(hosts.get(i)).matches()) {
        YamlNode at = n.isArray() ? n.elements().get(i) : n;
        f.error(
            at,
            "\""
                + hosts.get(i)
                + "\" is not a host name (examples: *, *.example.com, api.example.com)");
      }
    }
    return hosts.stream().distinct().toList();
  }
}
