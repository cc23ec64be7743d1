package dev.sluice.discovery.consul;

/**
 * The index of one Consul blocking query, kept by Consul's documented rules: send back the last
 * {@code X-Consul-Index}; if it goes backwards (a restored snapshot, a restarted dev agent) reset
 * to 0 so the next query answers at once with fresh data; never block on an index below 1, since a
 * 0 would make every query return immediately.
 *
 * <p>After an error the next query does not block ({@link #suspend()}), but the last index is
 * remembered to compare with: an agent that restarted while we could not reach it would otherwise
 * hold a query at an index it has not reached yet for the whole wait, and we would neither notice
 * that it is back nor that its index went backwards.
 */
final class BlockingIndex {
  private long index;
  private boolean suspended;
  private long resets;

  /** The index to send with the next query (0 = answer at once). */
  long current() {
    return suspended ? 0 : index;
  }

  long resets() {
    return resets;
  }

  /** After an error: answer at once next time, still comparing with the last index. */
  void suspend() {
    suspended = true;
  }

  /** Takes the index of an answer; returns true when it went backwards (and was reset). */
  boolean update(long returned) {
    suspended = false;
    if (returned < index) {
      index = 0;
      resets++;
      return true;
    }
    index = Math.max(returned, 1);
    return false;
  }
}
