package dev.sluice.policy.hardening;

import dev.sluice.policy.hardening.HardeningSpec.EscapedSlashes;
import dev.sluice.policy.hardening.HardeningSpec.Underscores;
import dev.sluice.yaml.Fields;
import dev.sluice.yaml.YamlNode;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 *
 *
 * <pre>
 * hardening:                      # each value given replaces one default; a relaxed one is a warning
 *   bufferLimitBytes: 32768
 *   idleTimeout: 1h               # connection idle
 *   streamIdleTimeout: 5m
 *   requestTimeout: 5m            # 0s: none
 *   requestHeadersTimeout: 10s
 *   maxConcurrentStreams: 100     # HTTP/2, per connection
 *   headersWithUnderscores: reject   # reject, drop or allow
 *   mergeSlashes: true
 *   escapedSlashes: redirect      # redirect, reject, unescape or keep
 * </pre>
 *
 * Path normalisation (dot segments) cannot be turned off: routing and access rules rely on it.
 */
public final class Hardening {
  private Hardening() {}

  public static HardeningSpec read(YamlNode n, Fields f) {
    HardeningSpec d = HardeningSpec.DEFAULTS;
    if (n.isAbsent()
        || !f.object(
            n,
            Set.of(
                "bufferLimitBytes",
                "idleTimeout",
                "streamIdleTimeout",
                "requestTimeout",
                "requestHeadersTimeout",
                "maxConcurrentStreams",
                "headersWithUnderscores",
                "mergeSlashes",
                "escapedSlashes"))) {
      return d;
    }
    int buffer =
        f.integer(n.get("bufferLimitBytes"), 1024, 64 * 1024 * 1024).orElse(d.bufferLimitBytes());
    relaxedIf(
        buffer > d.bufferLimitBytes(),
        n.get("bufferLimitBytes"),
        f,
        d.bufferLimitBytes() + " bytes");
    Duration idle = timeout(n.get("idleTimeout"), d.idleTimeout(), f);
    Duration streamIdle = timeout(n.get("streamIdleTimeout"), d.streamIdleTimeout(), f);
    Duration request = timeout(n.get("requestTimeout"), d.requestTimeout(), f);
    Duration headers = timeout(n.get("requestHeadersTimeout"), d.requestHeadersTimeout(), f);
    int streams =
        f.integer(n.get("maxConcurrentStreams"), 1, 2_147_483_647).orElse(d.maxConcurrentStreams());
    relaxedIf(
        streams > d.maxConcurrentStreams(),
        n.get("maxConcurrentStreams"),
        f,
        String.valueOf(d.maxConcurrentStreams()));
    Underscores underscores =
        choice(n.get("headersWithUnderscores"), Underscores.class, d.headersWithUnderscores(), f);
    relaxedIf(underscores == Underscores.ALLOW, n.get("headersWithUnderscores"), f, "reject");
    boolean merge = f.bool(n.get("mergeSlashes")).orElse(d.mergeSlashes());
    relaxedIf(
        !merge,
        n.get("mergeSlashes"),
        f,
        "true: //admin is not /admin to access rules and prefixes");
    EscapedSlashes escaped =
        choice(n.get("escapedSlashes"), EscapedSlashes.class, d.escapedSlashes(), f);
    relaxedIf(
        escaped == EscapedSlashes.KEEP,
        n.get("escapedSlashes"),
        f,
        "redirect: the upstream may read %2F as a separator that routing and access rules did not see");
    return new HardeningSpec(
        buffer, idle, streamIdle, request, headers, streams, underscores, merge, escaped);
  }

  /** A longer timeout, or 0s (none), relaxes the default. */
  private static Duration timeout(YamlNode n, Duration dflt, Fields f) {
    Duration v = f.duration(n).orElse(dflt);
    relaxedIf(v.isZero() || v.compareTo(dflt) > 0, n, f, humane(dflt));
    return v;
  }

  private static <E extends Enum<E>> E choice(YamlNode n, Class<E> type, E dflt, Fields f) {
    Optional<String> s = f.string(n);
    if (s.isEmpty()) {
      return dflt;
    }
    for (E e : type.getEnumConstants()) {
      if (e.name().toLowerCase(Locale.ROOT).equals(s.get())) {
        return e;
      }
    }
    f.error(
        n,
        "expected one of "
            + Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT))
                .toList()
            + ", got \""
            + s.get()
            + "\"");
    return dflt;
  }

  private static void relaxedIf(boolean relaxed, YamlNode n, Fields f, String dflt) {
    if (relaxed && !n.isAbsent()) {
      f.warning(n, "relaxes the hardened edge default (" + dflt + ")");
    }
  }

  private static String humane(Duration d) {
    return d.toSeconds() % 3600 == 0
        ? d.toHours() + "h"
        : d.toSeconds() % 60 == 0 ? d.toMinutes() + "m" : d.toSeconds() + "s";
  }
}
