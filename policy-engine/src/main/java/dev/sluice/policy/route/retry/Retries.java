package dev.sluice.policy.route.retry;

import dev.sluice.yaml.Fields;
import dev.sluice.yaml.YamlNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 *
 *
 * <pre>
 * retries:
 *   attempts: 3                 # required, 1..10
 *   perTryTimeout: 500ms
 *   on: [connect-failure, refused-stream, reset, retriable-status-codes]   # the default
 *   statusCodes: [503]          # the default; the codes "retriable-status-codes" means
 *   backoff: {base: 25ms, max: 250ms}   # Envoy's defaults when omitted
 * </pre>
 *
 * The default conditions are Istio's: they retry what failed before the upstream could act on the
 * request, and 503s; plain {@code 5xx} must be asked for, since it also retries requests an
 * upstream may have half-done.
 */
public final class Retries {
  public static final List<String> DEFAULT_ON =
      List.of("connect-failure", "refused-stream", "reset", "retriable-status-codes");
  public static final List<Integer> DEFAULT_STATUS_CODES = List.of(503);
  static final Set<String> CONDITIONS =
      Set.of(
          "5xx",
          "gateway-error",
          "reset",
          "reset-before-request",
          "connect-failure",
          "envoy-ratelimited",
          "retriable-4xx",
          "refused-stream",
          "retriable-status-codes",
          "retriable-headers",
          "http3-post-connect-failure",
          "cancelled",
          "deadline-exceeded",
          "internal",
          "resource-exhausted",
          "unavailable");

  private Retries() {}

  public static Optional<RetrySpec> read(YamlNode n, Fields f) {
    if (n.isAbsent()
        || !f.object(n, Set.of("attempts", "perTryTimeout", "on", "statusCodes", "backoff"))) {
      return Optional.empty();
    }
    var attempts = f.integer(n.get("attempts"), 1, 10);
    if (n.get("attempts").isAbsent()) {
      f.error(n.get("attempts"), "required field is missing: how many times to retry (1..10)");
    }
    Optional<Duration> perTry = f.duration(n.get("perTryTimeout"));
    List<String> on = f.strings(n.get("on"));
    for (int i = 0; i < on.size(); i++) {
      if (!CONDITIONS.contains(on.get(i))) {
        YamlNode at = n.get("on").isArray() ? n.get("on").elements().get(i) : n.get("on");
        f.error(
            at,
            "unknown retry condition \""
                + on.get(i)
                + "\" (one of "
                + String.join(", ", CONDITIONS.stream().sorted().toList())
                + ")");
      }
    }
    List<Integer> codes = new ArrayList<>();
    YamlNode codesNode = n.get("statusCodes");
    for (YamlNode c :
        codesNode.isArray()
            ? codesNode.elements()
            : codesNode.isAbsent() ? List.<YamlNode>of() : List.of(codesNode)) {
      f.integer(c, 100, 599).ifPresent(codes::add);
    }
    YamlNode backoff = n.get("backoff");
    Optional<Duration> base = Optional.empty();
    Optional<Duration> max = Optional.empty();
    if (!backoff.isAbsent() && f.object(backoff, Set.of("base", "max"))) {
      base = f.duration(backoff.get("base"));
      max = f.duration(backoff.get("max"));
      if (base.isPresent() && base.get().isZero()) {
        f.error(backoff.get("base"), "must be above 0");
      }
      if (base.isPresent() && max.isPresent() && max.get().compareTo(base.get()) < 0) {
        f.error(backoff.get("max"), "must not be below base (" + base.get().toMillis() + "ms)");
      }
    }
    if (attempts.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new RetrySpec(
            attempts.getAsInt(),
            perTry,
            on.isEmpty() ? DEFAULT_ON : on,
            codes.isEmpty() ? DEFAULT_STATUS_CODES : codes,
            base,
            max));
  }
}
