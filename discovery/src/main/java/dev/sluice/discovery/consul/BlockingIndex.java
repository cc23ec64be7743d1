package dev.sluice.discovery.consul;

/**
 * The index of one Consul blocking query, kept by Consul's documented rules: send back the last
 * {@code X-Consul-Index}; if it goes backwards (a restored snapshot, a restarted dev agent) reset
 * to 0 so the next query answers at once with fresh data; never block on an index below 1, since
 * a 0 would make every query return immediately.
 */
final class BlockingIndex {
  private long index;
  private long resets;

  /** The index to send with the next query (0 = answer at once). */
  long current() {
    return index;
  }

  long resets() {
    return resets;
  }

  /** Takes the index of an answer; returns true when it went backwards (and was reset). */
  boolean update(long returned) {
    if (returned < index) {
      index = 0;
      resets++;
      return true;
    }
    index = Math.max(returned, 1);
    return false;
  }

  /** After an error the next query starts afresh. */
  void forget() {
    index = 0;
  }
}
