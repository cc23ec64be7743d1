package dev.sluice.policy.route.respond;

import dev.sluice.yaml.Fields;
import dev.sluice.yaml.YamlNode;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;

/**
 *
 *
 * <pre>
 * respond:
 *   status: 200        # 200..599, default 200
 *   body: "ok\n"       # default empty; at most 4 KiB (Envoy's limit for inline bodies)
 * </pre>
 */
public final class DirectResponses {
  static final int MAX_BODY = 4096;

  private DirectResponses() {}

  public static Optional<DirectResponseSpec> read(YamlNode n, Fields f) {
    if (n.isAbsent() || !f.object(n, Set.of("status", "body"))) {
      return Optional.empty();
    }
    var status = f.integer(n.get("status"), 200, 599);
    String body = f.string(n.get("body")).orElse("");
    if (body.getBytes(StandardCharsets.UTF_8).length > MAX_BODY) {
      f.error(n.get("body"), "a direct response body is at most " + MAX_BODY + " bytes");
    }
    boolean badStatus = !n.get("status").isAbsent() && status.isEmpty();
    return badStatus
        ? Optional.empty()
        : Optional.of(new DirectResponseSpec(status.orElse(200), body));
  }
}
