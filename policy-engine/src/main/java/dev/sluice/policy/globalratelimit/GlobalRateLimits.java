package dev.sluice.policy.globalratelimit;

import dev.sluice.policy.HostPort;
import dev.sluice.policy.globalratelimit.GlobalRateLimitSpec.Rule;
import dev.sluice.ratelimit.RateLimitTable.Unit;
import dev.sluice.yaml.Fields;
import dev.sluice.yaml.YamlNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 *
 *
 * <pre>
 * globalRateLimit:
 *   failOpen: true            # Gateway only; default true: when the service cannot answer, let requests through
 *   failureStatus: 429        # Gateway only, with failOpen: false: 429 (default) or 503 when it cannot answer
 *   timeout: 200ms            # Gateway only; how long Envoy waits for the service
 *   service:                  # Gateway only; default: the Envoy bootstrap's sluice_ratelimit cluster
 *     address: ratelimit:18002  # Sluice sends the gateway a cluster for it (port 18002 by default)
 *   rules:
 *     - requests: 1000
 *       per: minute           # second, minute, hour, day or month (30 days)
 *       by: [consumer]        # clientIp, consumer, path, method, {header: x-tenant}, {claim: sub};
 *                             # {consumer: partner} / {header: x-tier, value: gold} match one value only
 *       shadow: false         # true: count and report, never block
 *     - unlimited: true
 *       by: [{consumer: internal-batch}]
 * </pre>
 *
 * On a Route, counters are per route; on a Gateway, shared by all its routes.
 */
public final class GlobalRateLimits {
  private static final Map<String, Unit> UNITS =
      Map.of(
          "second",
          Unit.SECOND,
          "minute",
          Unit.MINUTE,
          "hour",
          Unit.HOUR,
          "day",
          Unit.DAY,
          "month",
          Unit.MONTH);
  private static final Pattern HEADER = Pattern.compile("^[a-zA-Z0-9-]+$");
  private static final Set<String> KEY_KINDS =
      Set.of("clientIp", "consumer", "path", "method", "header", "claim");

  private GlobalRateLimits() {}

  public static Optional<GlobalRateLimitSpec> read(YamlNode n, Fields f, boolean gateway) {
    if (n.isAbsent()
        || !f.object(n, Set.of("failOpen", "failureStatus", "timeout", "service", "rules"))) {
      return Optional.empty();
    }
    if (!gateway) {
      for (String field : List.of("failOpen", "failureStatus", "timeout", "service")) {
        if (!n.get(field).isAbsent()) {
          f.error(
              n.get(field),
              field + " is set once for the gateway: write it in the Gateway's globalRateLimit");
        }
      }
    }
    Optional<Boolean> failOpen = f.bool(n.get("failOpen"));
    Optional<Integer> failureStatus = gateway ? failureStatus(n, failOpen, f) : Optional.empty();
    Optional<Duration> timeout = f.duration(n.get("timeout"));
    if (timeout.isPresent()
        && (timeout.get().isZero() || timeout.get().compareTo(Duration.ofSeconds(5)) > 0)) {
      f.error(
          n.get("timeout"), "between 1ms and 5s: every limited request waits this long at worst");
    }
    Optional<HostPort> service = gateway ? service(n.get("service"), f) : Optional.empty();
    YamlNode rulesNode = n.get("rules");
    List<Rule> rules = new ArrayList<>();
    if (rulesNode.isAbsent()) {
      if (!gateway
          || Set.of("failOpen", "failureStatus", "timeout", "service").stream()
              .allMatch(k -> n.get(k).isAbsent())) {
        f.error(rulesNode, "required field is missing: the limits");
      }
    } else if (!rulesNode.isArray()) {
      f.error(
          rulesNode,
          "expected a list of rules like - {requests: 100, per: minute, by: [consumer]}, got "
              + rulesNode.typeName());
    } else {
      List<YamlNode> elements = rulesNode.elements();
      for (int i = 0; i < elements.size(); i++) {
        rule(elements.get(i), i, f).ifPresent(rules::add);
      }
    }
    return Optional.of(new GlobalRateLimitSpec(failOpen, failureStatus, timeout, service, rules));
  }

  private static Optional<HostPort> service(YamlNode n, Fields f) {
    if (n.isAbsent() || !f.object(n, Set.of("address"))) {
      return Optional.empty();
    }
    YamlNode address = n.get("address");
    if (address.isAbsent()) {
      f.error(
          address,
          "required field is missing: the rate-limit service's host:port, e.g. address: ratelimit:"
              + GlobalRateLimitSpec.DEFAULT_SERVICE_PORT);
      return Optional.empty();
    }
    return f.requiredString(address)
        .flatMap(
            a ->
                HostPort.read(
                    a,
                    address,
                    f,
                    GlobalRateLimitSpec.DEFAULT_SERVICE_PORT,
                    "ratelimit:"
                        + GlobalRateLimitSpec.DEFAULT_SERVICE_PORT
                        + " (gRPC, without a scheme)"));
  }

  /**
   * Only two statuses make sense for "the limits could not be checked": 429 tells clients to back
   * off and retry, 503 that the gateway itself is unavailable.
   */
  private static Optional<Integer> failureStatus(
      YamlNode spec, Optional<Boolean> failOpen, Fields f) {
    YamlNode n = spec.get("failureStatus");
    if (n.isAbsent()) {
      return Optional.empty();
    }
    if (!n.value().isIntegralNumber() || (n.value().asLong() != 429 && n.value().asLong() != 503)) {
      String got =
          !n.isScalar()
              ? n.typeName()
              : n.value().isTextual() ? "\"" + n.value().asText() + "\"" : n.value().asText();
      f.error(n, "expected 429 or 503, got " + got);
      return Optional.empty();
    }
    if (failOpen.orElse(spec.get("failOpen").isAbsent())) {
      // not an error: turning failOpen on for a while should not mean deleting this line too
      f.warning(
          n,
          "has no effect while failOpen is true"
              + (failOpen.isEmpty() ? " (the default)" : "")
              + ": requests pass when the limits cannot be checked; set failOpen: false to refuse them with "
              + n.value().asInt());
    }
    return Optional.of(n.value().asInt());
  }

  private static Optional<Rule> rule(YamlNode n, int index, Fields f) {
    if (!f.object(n, Set.of("requests", "per", "by", "shadow", "unlimited"))) {
      return Optional.empty();
    }
    boolean unlimited = f.bool(n.get("unlimited")).orElse(false);
    var requests = f.integer(n.get("requests"), 1, Integer.MAX_VALUE);
    if (unlimited && !n.get("requests").isAbsent()) {
      f.error(n.get("requests"), "an unlimited rule has no requests");
    } else if (!unlimited && n.get("requests").isAbsent()) {
      f.error(n, "give requests (and per), or unlimited: true");
    }
    Unit unit = Unit.SECOND;
    Optional<String> per = f.string(n.get("per"));
    if (per.isPresent()) {
      unit = UNITS.get(per.get());
      if (unit == null) {
        f.error(
            n.get("per"), "expected second, minute, hour, day or month, got \"" + per.get() + "\"");
        unit = Unit.SECOND;
      }
    }
    List<GlobalRateLimitSpec.Key> by = new ArrayList<>();
    YamlNode byNode = n.get("by");
    if (!byNode.isAbsent()) {
      List<YamlNode> keys = byNode.isArray() ? byNode.elements() : List.of(byNode);
      for (YamlNode k : keys) {
        key(k, f).ifPresent(by::add);
      }
    }
    if (unlimited && by.stream().noneMatch(k -> k.value().isPresent())) {
      f.error(
          n.get("unlimited"),
          "an unlimited rule is an exception for one value: give a key with its value, like by: [{consumer: batch-job}]");
    }
    boolean shadow = f.bool(n.get("shadow")).orElse(false);
    if (!unlimited && requests.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new Rule(
            unlimited ? Optional.empty() : Optional.of((long) requests.getAsInt()),
            unit,
            by,
            shadow,
            index));
  }

  private static Optional<GlobalRateLimitSpec.Key> key(YamlNode n, Fields f) {
    if (n.isScalar()) {
      String s = n.value().asText();
      return switch (s) {
        case "clientIp" ->
            Optional.of(
                new GlobalRateLimitSpec.Key(
                    GlobalRateLimitSpec.Key.Type.CLIENT_IP, "", Optional.empty()));
        case "consumer" ->
            Optional.of(
                new GlobalRateLimitSpec.Key(
                    GlobalRateLimitSpec.Key.Type.CONSUMER, "", Optional.empty()));
        case "path" ->
            Optional.of(
                new GlobalRateLimitSpec.Key(
                    GlobalRateLimitSpec.Key.Type.PATH, "", Optional.empty()));
        case "method" ->
            Optional.of(
                new GlobalRateLimitSpec.Key(
                    GlobalRateLimitSpec.Key.Type.METHOD, "", Optional.empty()));
        default -> {
          f.error(
              n,
              "expected clientIp, consumer, path, method, {header: name} or {claim: name}, got \""
                  + s
                  + "\"");
          yield Optional.empty();
        }
      };
    }
    if (!f.object(
        n, Set.of("clientIp", "consumer", "path", "method", "header", "claim", "value"))) {
      return Optional.empty();
    }
    // an unknown field is not a kind: object() has named it already
    List<String> kinds = n.fields().keySet().stream().filter(KEY_KINDS::contains).toList();
    if (kinds.size() != 1) {
      f.error(n, "give one key: clientIp, consumer, path, method, header or claim");
      return Optional.empty();
    }
    String kind = kinds.get(0);
    Optional<String> v = f.requiredString(n.get(kind));
    Optional<String> value = f.string(n.get("value"));
    if (v.isEmpty()) {
      return Optional.empty();
    }
    return switch (kind) {
      case "header", "claim" -> {
        if (kind.equals("header") && !HEADER.matcher(v.get()).matches()) {
          f.error(n.get(kind), "\"" + v.get() + "\" is not a header name");
        }
        yield Optional.of(
            new GlobalRateLimitSpec.Key(
                kind.equals("header")
                    ? GlobalRateLimitSpec.Key.Type.HEADER
                    : GlobalRateLimitSpec.Key.Type.CLAIM,
                kind.equals("header") ? v.get().toLowerCase(Locale.ROOT) : v.get(),
                value));
      }
      default -> {
        if (!n.get("value").isAbsent()) {
          f.error(n.get("value"), "write the value as {" + kind + ": …} itself");
        }
        GlobalRateLimitSpec.Key.Type type =
            GlobalRateLimitSpec.Key.Type.valueOf(
                kind.equals("clientIp") ? "CLIENT_IP" : kind.toUpperCase(Locale.ROOT));
        yield Optional.of(
            new GlobalRateLimitSpec.Key(
                type,
                "",
                Optional.of(kind.equals("method") ? v.get().toUpperCase(Locale.ROOT) : v.get())));
      }
    };
  }
}
