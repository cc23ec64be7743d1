package dev.sluice.discovery;

import java.time.Instant;

/**
 * How a catalog source is doing, for {@code /status} and {@code /metrics}.
 *
 * @param stale true while the source cannot reach its registry and the last known catalog serves
 * @param lastSuccess when the registry last answered (null before the first answer)
 * @param lastError the last error, without credentials; empty when none
 * @param requests requests made to the registry so far
 * @param held instances kept although the registry no longer lists them (see docs/consul.md)
 * @param indexResets how often a blocking-query index went backwards and was reset
 */
public record SourceStatus(
    boolean stale,
    Instant lastSuccess,
    String lastError,
    long requests,
    int held,
    long indexResets) {
  public static final SourceStatus FILE = new SourceStatus(false, null, "", 0, 0, 0);
}
