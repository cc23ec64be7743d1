package dev.sluice.server.auth;

import dev.sluice.discovery.consul.ConsulClients;
import dev.sluice.discovery.consul.ConsulConfig;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consul ACL tokens as proxy credentials, as Consul's own xDS server takes them: a sidecar's token
 * must grant {@code service:write} on the service it claims, a gateway Envoy's token {@code
 * service:write} on the gateway's name (what {@code consul acl token create
 * -service-identity=<name>} gives). Consul decides, asked over HTTP ({@link ConsulAuthorize}); its
 * answers are kept for one TTL per token digest and claim, and admitted streams are asked about
 * again every TTL, so a deleted token ends its streams within about one TTL.
 *
 * <p>Fail closed: when Consul cannot answer, a new stream is refused ({@link Decision#UNCHECKED},
 * which clients see as UNAVAILABLE and retry); an admitted stream is kept for up to {@link
 * Options#outageGrace} since its last confirmation (the Gatekeeper applies it), as Consul agents
 * keep using cached tokens while their servers are away, but not forever.
 */
public final class ConsulAclTokens implements ProxyAuthenticator {
  private static final Logger LOG = LoggerFactory.getLogger(ConsulAclTokens.class);

  /** Shown as the credential that decided; the token itself never is. */
  static final String CREDENTIAL = "Consul ACL token";

  static final int MAX_ENTRIES = 10_000;
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
  static final int MAX_IN_FLIGHT = 32;
  static final int MAX_WAITING = 10_000;

  /** Longest a check may take from being asked for, waiting for its turn included. */
  static final Duration MAX_WAIT = Duration.ofSeconds(10);

  /**
   * How Consul's answers are used.
   *
   * @param ttl how long an answer is used for new streams, and how often admitted streams are
   *     checked again
   * @param outageGrace how long an admitted stream is kept while Consul cannot answer
   */
  public record Options(Duration ttl, Duration outageGrace) {
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(30);
    public static final Duration DEFAULT_OUTAGE_GRACE = Duration.ofMinutes(10);

    public Options {
      if (ttl.isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("the proxy-auth TTL must be positive, not " + ttl);
      }
      if (outageGrace.isNegative()) {
        throw new IllegalArgumentException(
            "the proxy-auth outage grace must not be negative, not " + outageGrace);
      }
    }

    public static Options defaults() {
      return new Options(DEFAULT_TTL, DEFAULT_OUTAGE_GRACE);
    }
  }

  private final ConsulConfig config;
  private final Options options;
  private final ConsulAuthorize consul;
  private final DecisionCache cache;
  private final CallLimiter limiter;
  private final LongSupplier nanoTime;

  /**
   * One question to Consul per key at a time: streams of one service reconnecting together share
   * it.
   */
  private final Map<DecisionCache.Key, CompletableFuture<Decision>> asking =
      new ConcurrentHashMap<>();

  private final AtomicBoolean consulAnswers = new AtomicBoolean(true);

  ConsulAclTokens(
      ConsulConfig config,
      Options options,
      HttpClient client,
      Duration requestTimeout,
      LongSupplier nanoTime) {
    this.config = config;
    this.options = options;
    this.nanoTime = nanoTime;
    this.consul = new ConsulAuthorize(client, config, requestTimeout);
    this.cache = new DecisionCache(options.ttl(), MAX_ENTRIES, nanoTime);
    this.limiter = new CallLimiter(MAX_IN_FLIGHT, MAX_WAITING, MAX_WAIT, ForkJoinPool.commonPool());
  }

  /**
   * Checks tokens against the Consul of {@code config} (its address, TLS and datacenter; its own
   * token is not used: each proxy's token is asked about).
   */
  public static ConsulAclTokens of(ConsulConfig config, Options options) {
    return new ConsulAclTokens(
        config, options, ConsulClients.newClient(config), REQUEST_TIMEOUT, System::nanoTime);
  }

  @Override
  public CompletableFuture<Decision> authorize(Credential credential, Claim claim) {
    if (credential.token().isEmpty()) {
      return done(
          Decision.deny(
              "",
              Decision.NO_CREDENTIAL,
              "no token: send a Consul ACL token as gRPC metadata 'authorization: Bearer <token>' to claim "
                  + claim));
    }
    String token = credential.token().get();
    if (!ConsulAuthorize.plausible(token)) {
      return done(unknown(claim));
    }
    if (claim.name().isEmpty() || claim.name().length() > ClientText.NAME_MAX) {
      return done(notGranted(claim));
    }
    DecisionCache.Key key = new DecisionCache.Key(ProxyTokens.sha256(token), claim);
    Optional<Decision> cached = cache.fresh(key);
    return cached.isPresent() ? done(cached.get()) : ask(key, token);
  }

  // the answer is handled in whenComplete
  @SuppressWarnings("FutureReturnValueIgnored")
  private CompletableFuture<Decision> ask(DecisionCache.Key key, String token) {
    CompletableFuture<Decision> mine = new CompletableFuture<>();
    CompletableFuture<Decision> already = asking.putIfAbsent(key, mine);
    if (already != null) {
      return already;
    }
    long askedAt = nanoTime.getAsLong();
    limiter
        .submit(() -> consul.serviceWrite(token, key.claim().name()))
        .whenComplete(
            (answer, error) -> {
              Decision d = error == null ? decision(answer, key.claim()) : unchecked(error);
              if (error == null) {
                cache.put(key, d, askedAt);
              }
              asking.remove(key, mine);
              mine.complete(d);
            });
    return mine;
  }

  private Decision decision(ConsulAuthorize.Answer answer, Claim claim) {
    if (!consulAnswers.getAndSet(true)) {
      LOG.info("Consul answers proxy-token checks again");
    }
    return switch (answer) {
      case ALLOWED -> Decision.allow(CREDENTIAL);
      case NOT_ALLOWED -> notGranted(claim);
      case UNKNOWN_TOKEN -> unknown(claim);
    };
  }

  private Decision unchecked(Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    String why =
        cause instanceof ConsulAuthorize.Unanswered
            ? cause.getMessage()
            : cause instanceof TimeoutException
                ? "no answer within " + MAX_WAIT.toSeconds() + "s"
                : cause instanceof RejectedExecutionException
                    ? "too many checks waiting"
                    : cause.getClass().getSimpleName();
    if (consulAnswers.getAndSet(false)) {
      LOG.warn(
          "cannot check proxy tokens with {} ({}): new proxy streams are refused; connected ones are kept up to {}",
          config.address(),
          why,
          text(options.outageGrace()));
    }
    return Decision.deny(
        "", Decision.UNCHECKED, "the Consul token could not be checked (" + why + "); try again");
  }

  private static Decision unknown(Claim claim) {
    return Decision.deny(
        "",
        Decision.UNKNOWN_CREDENTIAL,
        "the token is not a Consul ACL token that Consul knows (never issued, deleted or expired); it cannot claim "
            + claim);
  }

  private static Decision notGranted(Claim claim) {
    return Decision.deny(
        CREDENTIAL,
        Decision.NOT_GRANTED,
        "Consul token does not grant service:write on " + ClientText.name(claim.name()));
  }

  private static CompletableFuture<Decision> done(Decision d) {
    return CompletableFuture.completedFuture(d);
  }

  @Override
  public Optional<Duration> recheckEvery() {
    return Optional.of(options.ttl());
  }

  @Override
  public Duration outageGrace() {
    return options.outageGrace();
  }

  /** Cached decisions, for the gauge. */
  public int cached() {
    return cache.size();
  }

  @Override
  public String describe() {
    return "Consul ACL tokens (service:write on the claimed service or gateway, asked of "
        + config.address()
        + (config.datacenter().isEmpty() ? "" : " dc " + config.datacenter())
        + ", answers kept "
        + text(options.ttl())
        + ", connected proxies kept up to "
        + text(options.outageGrace())
        + " while Consul cannot answer)";
  }

  /** {@code 30s}, {@code 10m}, {@code 0.5s}. */
  static String text(Duration d) {
    return d.toString().substring(2).toLowerCase(Locale.ROOT);
  }
}
