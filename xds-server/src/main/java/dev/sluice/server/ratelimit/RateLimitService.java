package dev.sluice.server.ratelimit;

import com.google.protobuf.Duration;
import dev.sluice.ratelimit.RateLimitTable;
import dev.sluice.ratelimit.RateLimitTable.Limit;
import dev.sluice.ratelimit.RateLimitTable.Rule;
import dev.sluice.server.auth.Credential;
import dev.sluice.server.auth.CredentialInterceptor;
import dev.sluice.server.auth.Decision;
import dev.sluice.server.auth.RateLimitCallers;
import dev.sluice.server.telemetry.Metrics;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.DescriptorStatus;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Envoy's global rate-limit API ({@code
 * envoy.service.ratelimit.v3.RateLimitService/ShouldRateLimit}) over a {@link RateLimitTable} that
 * the config pipeline swaps at run time.
 *
 * <p>For each descriptor of a request: the table's most specific rule for it; none, or an {@code
 * unlimited} one: OK. Otherwise {@code hits_addend} (the descriptor's, else the request's, else 1)
 * is counted in the {@link CounterStore} against the counter of the domain plus the descriptor's
 * entries (every value its own counter), by the {@link SlidingWindow} algorithm. The answer is
 * OVER_LIMIT when any enforced descriptor is over; shadow rules are counted and reported (their
 * descriptor status says OVER_LIMIT, {@code sluice_ratelimit_shadow_over_total} counts them) but
 * never block.
 *
 * <p>Each enforced descriptor's status carries {@code current_limit}, {@code limit_remaining} and
 * {@code duration_until_reset} (whole seconds, rounded up): Envoy's filter, with {@code
 * enable_x_ratelimit_headers: DRAFT_VERSION_03}, writes X-RateLimit-Limit/Remaining/Reset from the
 * status with the least remaining, considering only statuses with a {@code current_limit}. Shadow,
 * unlimited and unmatched descriptors therefore carry none, so they never show in the headers.
 *
 * <p>A store that fails or is slower than the store timeout is answered by the failure mode.
 * Nothing here blocks: the response is sent when every descriptor's future completes, and each has
 * the timeout.
 */
public final class RateLimitService extends RateLimitServiceGrpc.RateLimitServiceImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(RateLimitService.class);
  private final Supplier<RateLimitTable> table;
  private final CounterStore store;
  private final RateLimitOptions options;
  private final Metrics metrics;
  private final Clock clock;

  /** Last time a store failure was logged: one line a second at most during an outage. */
  private volatile long lastFailureLog;

  private volatile Domains domains;
  private final RateLimitCallers callers;

  /**
   * Most hits one request may add to a counter. Envoy sends 1 (or a route's hits_addend); without a
   * cap one call could use up a month's quota for everyone sharing the counter.
   */
  public static final long MAX_HITS_ADDEND = 1_000;

  /**
   * @param table read once per request: the config pipeline replaces what it returns on every
   *     rebuild, and the next request uses the new limits
   * @param store the counters; not closed here
   * @param clock the time windows are cut by (tests move it)
   */
  public RateLimitService(
      Supplier<RateLimitTable> table,
      CounterStore store,
      RateLimitOptions options,
      Metrics metrics,
      Clock clock) {
    this(table, store, options, metrics, clock, RateLimitCallers.OPEN);
  }

  /**
   * @param callers who may ask about which domain; checked before anything is counted
   */
  public RateLimitService(
      Supplier<RateLimitTable> table,
      CounterStore store,
      RateLimitOptions options,
      Metrics metrics,
      Clock clock,
      RateLimitCallers callers) {
    this.callers = callers;
    this.table = table;
    this.store = store;
    this.options = options;
    this.metrics = metrics;
    this.clock = clock;
  }

  // the answer is handled in whenComplete
  @SuppressWarnings("FutureReturnValueIgnored")
  @Override
  public void shouldRateLimit(
      RateLimitRequest request, StreamObserver<RateLimitResponse> responses) {
    Credential credential = CredentialInterceptor.current();
    callers
        .check(credential, request.getDomain())
        .exceptionally(
            e ->
                Decision.deny(
                    "",
                    Decision.UNCHECKED,
                    "the credential could not be checked (" + e.getClass().getSimpleName() + ")"))
        .thenCompose(
            d -> {
              if (d.allowed()) {
                return decide(request);
              }
              metrics.increment("sluice_ratelimit_denied_total", "reason", d.reason());
              LOG.warn("refused a rate-limit call from {}: {}", credential.peer(), d.message());
              Status status =
                  Decision.UNCHECKED.equals(d.reason())
                      ? Status.UNAVAILABLE
                      : Status.PERMISSION_DENIED;
              return CompletableFuture.<RateLimitResponse>failedFuture(
                  status.withDescription(d.message()).asRuntimeException());
            })
        .whenComplete(
            (response, error) -> {
              if (error != null) {
                Throwable e =
                    error instanceof CompletionException && error.getCause() != null
                        ? error.getCause()
                        : error;
                responses.onError(
                    e instanceof StatusRuntimeException s
                        ? s
                        : Status.INTERNAL.withDescription(e.toString()).asRuntimeException());
              } else {
                responses.onNext(response);
                responses.onCompleted();
              }
            });
  }

  /** The answer to one request; fails with a {@link StatusRuntimeException} when it is an error. */
  public CompletableFuture<RateLimitResponse> decide(RateLimitRequest request) {
    long started = System.nanoTime();
    String domain = request.getDomain();
    if (domain.isEmpty()) {
      return CompletableFuture.failedFuture(
          Status.INVALID_ARGUMENT
              .withDescription("the rate-limit domain is empty")
              .asRuntimeException());
    }
    RateLimitTable rules = table.get();
    // a label for the metrics: a domain no rule has is "unknown", so that callers cannot grow the
    // labels
    String label = domains(rules).contains(domain) ? domain : "unknown";
    long now = clock.millis();
    long requestHits =
        request.getHitsAddend() == 0 ? 1 : Integer.toUnsignedLong(request.getHitsAddend());
    if (requestHits > MAX_HITS_ADDEND
        || request.getDescriptorsList().stream()
            .anyMatch(d -> d.hasHitsAddend() && d.getHitsAddend().getValue() > MAX_HITS_ADDEND)) {
      metrics.increment(
          "sluice_ratelimit_decisions_total", "domain", label, "code", "INVALID_ARGUMENT");
      return CompletableFuture.failedFuture(
          Status.INVALID_ARGUMENT
              .withDescription("hits_addend above " + MAX_HITS_ADDEND + ": nothing counted")
              .asRuntimeException());
    }
    List<CompletableFuture<Outcome>> outcomes = new ArrayList<>(request.getDescriptorsCount());
    for (RateLimitDescriptor d : request.getDescriptorsList()) {
      outcomes.add(descriptor(domain, label, d, requestHits, rules, now));
    }
    return CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              RateLimitResponse.Builder response = RateLimitResponse.newBuilder();
              boolean blocked = false;
              boolean unavailable = false;
              for (CompletableFuture<Outcome> f : outcomes) {
                Outcome o = f.join();
                response.addStatuses(o.status());
                blocked |= o.blocks();
                unavailable |= o.unavailable();
              }
              String store = this.store.name();
              metrics.seconds(
                  "sluice_ratelimit_decision_seconds",
                  (System.nanoTime() - started) / 1e9,
                  "store",
                  store);
              if (!blocked && unavailable) {
                metrics.increment(
                    "sluice_ratelimit_decisions_total", "domain", label, "code", "UNAVAILABLE");
                throw Status.UNAVAILABLE
                    .withDescription("the rate-limit store (" + store + ") is unavailable")
                    .asRuntimeException();
              }
              Code code = blocked ? Code.OVER_LIMIT : Code.OK;
              metrics.increment(
                  "sluice_ratelimit_decisions_total", "domain", label, "code", code.name());
              return response.setOverallCode(code).build();
            });
  }

  /** One descriptor's status, whether it blocks the request, whether it asks for UNAVAILABLE. */
  private record Outcome(DescriptorStatus status, boolean blocks, boolean unavailable) {
    static final Outcome OK =
        new Outcome(DescriptorStatus.newBuilder().setCode(Code.OK).build(), false, false);
  }

  private CompletableFuture<Outcome> descriptor(
      String domain,
      String label,
      RateLimitDescriptor d,
      long requestHits,
      RateLimitTable rules,
      long now) {
    List<Map.Entry<String, String>> entries =
        d.getEntriesList().stream().map(e -> Map.entry(e.getKey(), e.getValue())).toList();
    Optional<Rule> match = rules.match(domain, entries);
    if (match.isEmpty() || match.get().limit().unlimited()) {
      return CompletableFuture.completedFuture(Outcome.OK);
    }
    Rule rule = match.get();
    Limit limit = rule.limit();
    long hits = d.hasHitsAddend() ? d.getHitsAddend().getValue() : requestHits;
    long window = limit.unit().length().toMillis();
    CompletableFuture<SlidingWindow.Counts> counted;
    try {
      counted =
          store.hit(
              counterKey(domain, entries, limit),
              limit.requests(),
              window,
              hits,
              !limit.shadow(),
              now);
    } catch (RuntimeException e) {
      counted = CompletableFuture.failedFuture(e);
    }
    return counted
        .orTimeout(options.storeTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (counts, error) ->
                error == null
                    ? counted(label, rule, entries, counts, now)
                    : failed(label, rule, error));
  }

  private Outcome counted(
      String domain,
      Rule rule,
      List<Map.Entry<String, String>> entries,
      SlidingWindow.Counts counts,
      long now) {
    Limit limit = rule.limit();
    long window = limit.unit().length().toMillis();
    long elapsed = SlidingWindow.elapsed(now, window);
    long remaining =
        SlidingWindow.remaining(
            limit.requests(), window, elapsed, counts.previous(), counts.current());
    DescriptorStatus.Builder status =
        DescriptorStatus.newBuilder()
            .setLimitRemaining((int) Math.min(remaining, 0xFFFF_FFFFL))
            .setDurationUntilReset(
                seconds(
                    SlidingWindow.resetMillis(
                        limit.requests(), window, elapsed, counts.previous(), counts.current())));
    if (limit.shadow()) {
      boolean over =
          SlidingWindow.over(
              limit.requests(), window, elapsed, counts.previous(), counts.current());
      if (over) {
        metrics.increment(
            "sluice_ratelimit_shadow_over_total",
            "domain",
            domain,
            "descriptor",
            keys(entries),
            "policy",
            rule.policy());
      }
      return new Outcome(status.setCode(over ? Code.OVER_LIMIT : Code.OK).build(), false, false);
    }
    status.setCurrentLimit(currentLimit(limit));
    if (!counts.admitted()) {
      metrics.increment(
          "sluice_ratelimit_over_limit_total",
          "domain",
          domain,
          "descriptor",
          keys(entries),
          "policy",
          rule.policy());
      return new Outcome(status.setCode(Code.OVER_LIMIT).build(), true, false);
    }
    return new Outcome(status.setCode(Code.OK).build(), false, false);
  }

  private Outcome failed(String domain, Rule rule, Throwable error) {
    Throwable e =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    FailureMode mode = rule.limit().shadow() ? FailureMode.OPEN : failureMode(rule);
    metrics.increment(
        "sluice_ratelimit_store_errors_total", "store", store.name(), "failure_mode", mode.name());
    long now = System.currentTimeMillis();
    if (now - lastFailureLog >= 1000) {
      lastFailureLog = now;
      LOG.warn(
          "rate-limit store {} failed for domain {} ({}): {}; answering {}",
          store.name(),
          domain,
          rule.policy(),
          e instanceof TimeoutException
              ? "no answer within " + options.storeTimeout().toMillis() + " ms"
              : e.toString(),
          mode);
    }
    return switch (mode) {
      case OPEN -> Outcome.OK;
      case CLOSED ->
          new Outcome(
              DescriptorStatus.newBuilder()
                  .setCode(Code.OVER_LIMIT)
                  .setCurrentLimit(currentLimit(rule.limit()))
                  .setLimitRemaining(0)
                  .build(),
              true,
              false);
      case UNAVAILABLE ->
          new Outcome(DescriptorStatus.newBuilder().setCode(Code.UNKNOWN).build(), false, true);
    };
  }

  /** The domains of a table, computed once per table. */
  // a new table is a new object; its rules are compiled once per table
  @SuppressWarnings("ReferenceEquality")
  private Set<String> domains(RateLimitTable rules) {
    Domains known = domains;
    if (known == null || known.table() != rules) {
      known =
          new Domains(
              rules,
              rules.rules().stream().map(Rule::domain).collect(Collectors.toUnmodifiableSet()));
      domains = known;
    }
    return known.domains();
  }

  private record Domains(RateLimitTable table, Set<String> domains) {}

  /**
   * The failure mode of one rule: its gateway's ({@code globalRateLimit.failOpen}), else the
   * service's. A gateway failing closed gets UNAVAILABLE, not CLOSED: its Envoys then answer with
   * the filter's {@code status_on_error}, which is the gateway's {@code failureStatus} (429 or
   * 503), the same status as when this service cannot be reached at all. OVER_LIMIT would always be
   * 429, and its X-RateLimit headers would tell clients a limit had been reached when none had.
   */
  private FailureMode failureMode(Rule rule) {
    return rule.failOpen()
        .map(open -> open ? FailureMode.OPEN : FailureMode.UNAVAILABLE)
        .orElse(options.failureMode());
  }

  private static RateLimitResponse.RateLimit currentLimit(Limit limit) {
    return RateLimitResponse.RateLimit.newBuilder()
        .setRequestsPerUnit((int) Math.min(limit.requests(), 0xFFFF_FFFFL))
        .setUnit(RateLimitResponse.RateLimit.Unit.valueOf(limit.unit().name()))
        .build();
  }

  private static Duration seconds(long millis) {
    return Duration.newBuilder().setSeconds((millis + 999) / 1000).build();
  }

  /** The descriptor's keys, for metric labels (never its values: those are unbounded). */
  private static String keys(List<Map.Entry<String, String>> entries) {
    return entries.stream().map(Map.Entry::getKey).collect(Collectors.joining(","));
  }

  /**
   * Descriptor values longer than this many bytes (UTF-8) are counted by their SHA-256 instead (see
   * {@link #counterKey}): a unique 60 KB path per request cannot make 60 KB counters.
   */
  public static final int MAX_VALUE_BYTES = 256;

  /**
   * The counter of a descriptor: domain, entries and the window length, with {@code \ | =} escaped
   * so that no two descriptors share a counter. A value longer than {@value #MAX_VALUE_BYTES} bytes
   * is written as {@code \#} and the hex SHA-256 of its UTF-8 bytes, which no escaped value can be
   * (a backslash is always followed by {@code \ | =}), so the key is bounded by the rule's shape
   * and two long values share a counter only if they are equal.
   */
  static String counterKey(String domain, List<Map.Entry<String, String>> entries, Limit limit) {
    StringBuilder key = new StringBuilder(escape(domain));
    for (Map.Entry<String, String> e : entries) {
      key.append('|').append(escape(e.getKey())).append('=');
      String value = e.getValue();
      if (utf8Longer(value, MAX_VALUE_BYTES)) {
        key.append("\\#").append(sha256(value));
      } else {
        key.append(escape(value));
      }
    }
    return key.append('|').append(limit.unit().name().toLowerCase(Locale.ROOT)).toString();
  }

  /**
   * Whether the UTF-8 encoding of {@code s} is longer than {@code max} bytes, without encoding it.
   */
  static boolean utf8Longer(String s, int max) {
    if (s.length() > max) {
      return true;
    }
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      n += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3; // a surrogate pair: 4
    }
    return n > max;
  }

  private static String sha256(String value) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static String escape(String s) {
    if (s.indexOf('\\') < 0 && s.indexOf('|') < 0 && s.indexOf('=') < 0) {
      return s;
    }
    return s.replace("\\", "\\\\").replace("|", "\\|").replace("=", "\\=");
  }
}
