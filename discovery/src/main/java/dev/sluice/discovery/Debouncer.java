package dev.sluice.discovery;

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
 */
final class Debouncer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Debouncer.class);
  private final Duration delay;
  private final Runnable action;
  private final String what;
  private final ScheduledExecutorService scheduler;
  private ScheduledFuture<?> pending;

  /** @param what names the action in the log when it fails */
  Debouncer(String threadName, Duration delay, Runnable action, String what) {
    this.delay = delay;
    this.action = action;
    this.what = what;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> DaemonThreads.create(r, threadName));
  }

  synchronized void trigger() {
    if (pending != null) {
      pending.cancel(false);
    }
    pending = scheduler.schedule(this::run, delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void run() {
    try {
      action.run();
    } catch (RuntimeException e) {
      LOG.error("{} failed", what, e);
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
