package dev.sluice.server.ratelimit;

/**
 * How the rate-limit service counts: a <em>sliding window counter</em> (two fixed windows,
 * weighted). Time is cut into fixed windows of the limit's unit (a minute for 100/min); each
 * descriptor has one counter per window. At {@code e} milliseconds into the current window of
 * length {@code W}, the number of requests in the last {@code W} is estimated as
 *
 * <pre>
 *   estimate = previous · (W − e) / W + current
 * </pre>
 *
 * assuming the previous window's requests were spread evenly over it. A request of {@code h} hits
 * is admitted when {@code estimate + h ≤ limit}; only admitted hits are counted (a client that
 * keeps knocking while blocked does not push its own reopening further away), except in shadow
 * mode, where every hit is counted and nothing is blocked. Everything is computed in whole numbers:
 * {@code previous·(W − e) + (current + h)·W ≤ limit·W}. The Redis store runs the same comparison in
 * its Lua script, so both stores decide alike.
 *
 * <p><b>Window edges.</b> envoyproxy/ratelimit's fixed window lets {@code limit} requests through
 * at the end of one window and {@code limit} more at the start of the next: {@code 2·limit} in a
 * moment. Here, if {@code A ≤ limit} requests were admitted in the last {@code a} ms of a window,
 * then in the first {@code b} ms of the next the previous window weighs at least {@code A·(W −
 * b)/W}, so at most {@code limit − A·(W − b)/W} more pass: any burst of length {@code d = a + b}
 * that straddles an edge admits at most
 *
 * <pre>
 *   limit + ⌊limit · d / W⌋
 * </pre>
 *
 * (100/min, a 1 s burst across the minute: at most 101; a 6 s burst: 110; a fixed window: 200). The
 * estimate is still an estimate: a client that sends {@code limit} requests at the very end of one
 * window and then exactly as fast as the weight decays through the next can reach {@code 2·limit −
 * 1} over one full window length ({@code d = W}) — the same as the fixed window, but only by
 * spreading the second half evenly over a whole window, never as a burst.
 *
 * <p>Pure functions only; the stores keep the counters and call these.
 */
public final class SlidingWindow {
  private SlidingWindow() {}

  /**
   * What one atomic step saw: the current window's count (after adding the hits, when they were
   * added) and the previous window's count.
   *
   * @param admitted whether the hits were added (always true when not enforcing)
   */
  public record Counts(long current, long previous, boolean admitted) {}

  /** The number of the fixed window {@code now} falls in. */
  public static long index(long nowMillis, long windowMillis) {
    return Math.floorDiv(nowMillis, windowMillis);
  }

  /** How far {@code now} is into its window, in milliseconds. */
  public static long elapsed(long nowMillis, long windowMillis) {
    return Math.floorMod(nowMillis, windowMillis);
  }

  /** Whether {@code hits} more fit: {@code previous·(W − e) + (current + hits)·W ≤ limit·W}. */
  public static boolean admits(
      long limit, long windowMillis, long elapsed, long previous, long current, long hits) {
    return weighted(windowMillis, elapsed, previous, current + hits)
        <= (double) limit * windowMillis;
  }

  /** Whether the estimate is over the limit (shadow rules are counted first, then asked this). */
  public static boolean over(
      long limit, long windowMillis, long elapsed, long previous, long current) {
    return weighted(windowMillis, elapsed, previous, current) > (double) limit * windowMillis;
  }

  /** Hits still admitted now: {@code ⌊limit − estimate⌋}, at least 0. */
  public static long remaining(
      long limit, long windowMillis, long elapsed, long previous, long current) {
    double room =
        (double) limit * windowMillis - weighted(windowMillis, elapsed, previous, current);
    return room <= 0 ? 0 : (long) Math.floor(room / windowMillis);
  }

  /**
   * Milliseconds for {@code X-RateLimit-Reset}: while one more request would be admitted, the time
   * until the current window ends; once the limit is reached, the time until one more request would
   * be admitted again (the previous window's weight decays, and at the edge the current window
   * becomes the previous one).
   */
  public static long resetMillis(
      long limit, long windowMillis, long elapsed, long previous, long current) {
    long toWindowEnd = windowMillis - elapsed;
    if (limit <= 0 || admits(limit, windowMillis, elapsed, previous, current, 1)) {
      return toWindowEnd;
    }
    if (current + 1 <= limit) {
      // previous > 0 here; the first e' with previous·(W − e') ≤ (limit − current − 1)·W
      long due =
          windowMillis
              - (long) Math.floor((double) (limit - current - 1) * windowMillis / previous);
      return Math.max(1, due - elapsed);
    }
    // only in the next window, where this window's count is the previous one and nothing is current
    long into =
        Math.max(
            0, windowMillis - (long) Math.floor((double) (limit - 1) * windowMillis / current));
    return toWindowEnd + into;
  }

  /**
   * {@code previous·(W − e) + current·W}, in doubles: exact below 2^53 (a limit of a million per
   * month is 2.6·10^15), and the Lua script in the Redis store computes with the same doubles.
   */
  private static double weighted(long windowMillis, long elapsed, long previous, long current) {
    return (double) previous * (windowMillis - elapsed) + (double) current * windowMillis;
  }
}
