package dev.sluice.discovery;

import dev.sluice.core.DaemonThreads;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an action once after a burst of triggers has been quiet for {@code delay}, on a daemon
 * thread of its own: editors and secret mounts change a file in several steps, and each burst
 * should cause one reload.
 *
 * <p>A burst never postpones the action by more than {@code maxDelay} from its first trigger: a
 * file rewritten more often than {@code delay} (a generator, a deployment tool looping) would
 * otherwise never be reloaded at all.
 */
final class Debouncer implements AutoCloseable {
  /** The longest a burst may postpone the action, in multiples of the quiet time. */
  static final int MAX_DELAY_FACTOR = 10;

  private static final Logger LOG = LoggerFactory.getLogger(Debouncer.class);
  private final Duration delay;
  private final Duration maxDelay;
  private final Runnable action;
  private final String what;
  private final ScheduledExecutorService scheduler;
  private ScheduledFuture<?> pending;

  /** When the current burst's first trigger came (System.nanoTime), or -1 with no burst. */
  private long burstStart = -1;

  /**
   * @param what names the action in the log when it fails
   */
  Debouncer(String threadName, Duration delay, Runnable action, String what) {
    this(threadName, delay, delay.multipliedBy(MAX_DELAY_FACTOR), action, what);
  }

  Debouncer(String threadName, Duration delay, Duration maxDelay, Runnable action, String what) {
    this.delay = delay;
    this.maxDelay = maxDelay;
    this.action = action;
    this.what = what;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(r -> DaemonThreads.create(r, threadName));
  }

  synchronized void trigger() {
    long now = System.nanoTime();
    if (burstStart < 0) {
      burstStart = now;
    }
    if (pending != null) {
      pending.cancel(false);
    }
    long untilMax = burstStart + maxDelay.toNanos() - now;
    long wait = Math.max(0, Math.min(delay.toNanos(), untilMax));
    pending = scheduler.schedule(this::run, wait, TimeUnit.NANOSECONDS);
  }

  private void run() {
    synchronized (this) {
      burstStart = -1;
    }
    try {
      action.run();
    } catch (Throwable e) {
      // anything, an Error too: a scheduled task's exception would vanish into its future, and
      // the next trigger must still run the action
      LOG.error("{} failed", what, e);
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
