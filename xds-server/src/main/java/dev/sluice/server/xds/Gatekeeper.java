package dev.sluice.server.xds;

import dev.sluice.core.DaemonThreads;
import dev.sluice.server.auth.Claim;
import dev.sluice.server.auth.Credential;
import dev.sluice.server.auth.Decision;
import dev.sluice.server.auth.ProxyAuthenticator;
import dev.sluice.server.telemetry.Metrics;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Admits an ADS stream to the proxy group its node claims only if its credential grants that claim,
 * and keeps checking: when the credential source changes (a token removed) or every {@link
 * ProxyAuthenticator#recheckEvery} (Consul tokens), each admitted stream is checked again and ended
 * if its credential no longer grants its group. When the source cannot answer, an admitted stream
 * is kept for {@link ProxyAuthenticator#outageGrace} since its credential was last confirmed, so
 * that a short outage of the source does not disconnect every proxy at once.
 */
final class Gatekeeper implements AutoCloseable {
  private final ProxyAuthenticator authenticator;
  private final Denials denials;
  private final Metrics metrics;

  /** Admitted streams and the credential and claim they were admitted with. */
  private final Map<AdsStream<?, ?>, Admission> admitted = new ConcurrentHashMap<>();

  private final ScheduledExecutorService rechecks;

  /**
   * @param confirmed {@link System#nanoTime} when the credential last granted the claim
   */
  private record Admission(Credential credential, Claim claim, String nodeId, long confirmed) {
    Admission confirmedAt(long now) {
      return new Admission(credential, claim, nodeId, now);
    }
  }

  // its task reports its own failures; nothing waits for it
  @SuppressWarnings("FutureReturnValueIgnored")
  Gatekeeper(ProxyAuthenticator authenticator, Metrics metrics) {
    this.authenticator = authenticator;
    this.denials = new Denials(metrics);
    this.metrics = metrics;
    this.rechecks =
        Executors.newSingleThreadScheduledExecutor(
            r -> DaemonThreads.create(r, "sluice-xds-recheck"));
    authenticator.onChange(() -> rechecks.execute(this::recheck));
    authenticator
        .recheckEvery()
        .ifPresent(
            every ->
                rechecks.scheduleWithFixedDelay(
                    this::recheck, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS));
  }

  Denials denials() {
    return denials;
  }

  ProxyAuthenticator authenticator() {
    return authenticator;
  }

  /** Completes with the decision; a refusal is already recorded when it completes. */
  CompletableFuture<Decision> admit(
      AdsStream<?, ?> stream, Credential credential, String nodeId, String group) {
    Claim claim = Claim.ofGroup(group);
    return decide(credential, claim)
        .thenApply(
            d -> {
              if (d.allowed()) {
                admitted.put(stream, new Admission(credential, claim, nodeId, System.nanoTime()));
              } else {
                denials.record(credential.peer(), nodeId, claim.toString(), d);
              }
              return d;
            });
  }

  void forget(AdsStream<?, ?> stream) {
    admitted.remove(stream);
  }

  /**
   * Checks every admitted stream again; ends those whose credential no longer grants their group.
   */
  // the decision is handled in thenAccept
  @SuppressWarnings("FutureReturnValueIgnored")
  void recheck() {
    admitted.forEach(
        (stream, a) -> decide(a.credential(), a.claim()).thenAccept(d -> rechecked(stream, d)));
  }

  private void rechecked(AdsStream<?, ?> stream, Decision d) {
    Admission a = admitted.get(stream);
    if (a == null) {
      return;
    }
    long now = System.nanoTime();
    if (d.allowed()) {
      admitted.replace(stream, a, a.confirmedAt(now));
    } else if (Decision.UNCHECKED.equals(d.reason())
        && now - a.confirmed() < authenticator.outageGrace().toNanos()) {
      metrics.increment("sluice_xds_unchecked_kept_total");
    } else if (admitted.remove(stream, a)) {
      Decision ended = Decision.deny(d.credential(), d.reason(), endedBecause(d) + d.message());
      denials.record(a.credential().peer(), a.nodeId(), a.claim().toString(), ended);
      stream.refuse(ended);
    }
  }

  private String endedBecause(Decision d) {
    return Decision.UNCHECKED.equals(d.reason())
        ? "credential unconfirmed for longer than "
            + authenticator.outageGrace().toString().substring(2).toLowerCase(Locale.ROOT)
            + ": "
        : "credential withdrawn: ";
  }

  /** A source that fails is a refusal (fail closed), never a way in. */
  private CompletableFuture<Decision> decide(Credential credential, Claim claim) {
    CompletableFuture<Decision> d;
    try {
      d = authenticator.authorize(credential, claim);
    } catch (RuntimeException e) {
      d = CompletableFuture.failedFuture(e);
    }
    return d.exceptionally(
        e ->
            Decision.deny(
                "",
                Decision.UNCHECKED,
                "the credential could not be checked ("
                    + e.getClass().getSimpleName()
                    + "); try again"));
  }

  @Override
  public void close() {
    rechecks.shutdownNow();
  }
}
