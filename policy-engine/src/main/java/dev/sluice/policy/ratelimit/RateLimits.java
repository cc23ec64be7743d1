package dev.sluice.policy.ratelimit;

import dev.sluice.policy.ratelimit.RateLimitSpec.ClientKey;
import dev.sluice.yaml.Fields;
import dev.sluice.yaml.YamlNode;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 *
 *
 * <pre>
 * rateLimit:
 *   requests: 10        # required
 *   per: second         # second (default), minute or hour
 *   burst: 20           # default: requests
 *   status: 429         # default 429
 *   by: clientIp        # a bucket per client: clientIp, consumer, {header: x-tenant} or {claim: sub}
 * </pre>
 */
public final class RateLimits {
  private static final Map<String, Duration> UNITS =
      Map.of(
          "second",
          Duration.ofSeconds(1),
          "minute",
          Duration.ofMinutes(1),
          "hour",
          Duration.ofHours(1));

  /**
   * Codes Envoy's local_ratelimit answers with (its StatusCode enum has every standard code; these
   * make sense here).
   */
  static final Set<Integer> STATUSES = Set.of(400, 403, 404, 408, 429, 500, 502, 503, 504);

  private RateLimits() {}

  public static Optional<RateLimitSpec> read(YamlNode n, Fields f) {
    if (n.isAbsent() || !f.object(n, Set.of("requests", "per", "burst", "status", "by"))) {
      return Optional.empty();
    }
    var requests = f.integer(n.get("requests"), 1, 1_000_000_000);
    if (n.get("requests").isAbsent()) {
      f.error(n.get("requests"), "required field is missing: how many requests per period");
    }
    Duration per = Duration.ofSeconds(1);
    Optional<String> unit = f.string(n.get("per"));
    if (unit.isPresent()) {
      per = UNITS.get(unit.get());
      if (per == null) {
        f.error(n.get("per"), "expected second, minute or hour, got \"" + unit.get() + "\"");
        per = Duration.ofSeconds(1);
      }
    }
    var burst = f.integer(n.get("burst"), 1, 1_000_000_000);
    var status = f.integer(n.get("status"), 400, 599);
    if (status.isPresent() && !STATUSES.contains(status.getAsInt())) {
      f.error(
          n.get("status"),
          status.getAsInt() + " is not offered: use one of " + STATUSES.stream().sorted().toList());
    }
    Optional<ClientKey> by = by(n.get("by"), f);
    if (requests.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new RateLimitSpec(
            requests.getAsInt(), per, burst.orElse(requests.getAsInt()), status.orElse(429), by));
  }

  private static Optional<ClientKey> by(YamlNode n, Fields f) {
    if (n.isAbsent()) {
      return Optional.empty();
    }
    if (n.isScalar()) {
      return switch (n.value().asText()) {
        case "clientIp" -> Optional.of(new ClientKey(ClientKey.Type.CLIENT_IP, ""));
        case "consumer" -> Optional.of(new ClientKey(ClientKey.Type.CONSUMER, ""));
        default -> {
          f.error(
              n,
              "expected clientIp, consumer, {header: name} or {claim: name}, got \""
                  + n.value().asText()
                  + "\"");
          yield Optional.empty();
        }
      };
    }
    if (!f.object(n, Set.of("header", "claim"))) {
      return Optional.empty();
    }
    if (n.fields().size() != 1) {
      f.error(n, "give one of header and claim");
      return Optional.empty();
    }
    boolean header = n.fields().containsKey("header");
    return f.requiredString(n.get(header ? "header" : "claim"))
        .map(
            v ->
                header
                    ? new ClientKey(ClientKey.Type.HEADER, v.toLowerCase(Locale.ROOT))
                    : new ClientKey(ClientKey.Type.CLAIM, v));
  }
}
