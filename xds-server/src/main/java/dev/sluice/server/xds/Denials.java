package dev.sluice.server.xds;

import dev.sluice.server.auth.ClientText;
import dev.sluice.server.auth.Decision;
import dev.sluice.server.telemetry.Metrics;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams refused for their credential: logged, counted ({@code sluice_xds_denied_total{reason}})
 * and the latest {@value #KEPT} kept for the status page. Everything kept came from the client, so
 * it is bounded and escaped first.
 */
public final class Denials {
  private static final Logger LOG = LoggerFactory.getLogger(Denials.class);
  static final int KEPT = 50;
  private final Metrics metrics;
  private final Deque<Denial> latest = new ArrayDeque<>();

  /**
   * One refusal.
   *
   * @param peer the client's address
   * @param nodeId the node id it sent, bounded and escaped
   * @param claim what it claimed ({@code gateway edge}, {@code service orders})
   * @param credential the name of the credential that did not grant it, or empty
   * @param reason the metric's label
   * @param message what the client was told
   */
  public record Denial(
      Instant at,
      String peer,
      String nodeId,
      String claim,
      String credential,
      String reason,
      String message) {}

  Denials(Metrics metrics) {
    this.metrics = metrics;
  }

  void record(String peer, String nodeId, String claim, Decision d) {
    Denial denial =
        new Denial(
            Instant.now(),
            peer,
            ClientText.name(nodeId),
            claim,
            d.credential(),
            d.reason(),
            d.message());
    metrics.increment("sluice_xds_denied_total", "reason", d.reason());
    LOG.warn(
        "refused xDS stream from {} (node {}) claiming {}: {}",
        denial.peer(),
        denial.nodeId(),
        denial.claim(),
        denial.message());
    synchronized (latest) {
      latest.addFirst(denial);
      while (latest.size() > KEPT) {
        latest.removeLast();
      }
    }
  }

  /** Newest first. */
  public List<Denial> latest() {
    synchronized (latest) {
      return List.copyOf(latest);
    }
  }
}
