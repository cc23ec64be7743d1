package dev.sluice.discovery;

import dev.sluice.core.DaemonThreads;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread behind a file watcher, kept alive whatever happens: a failure other than closing (a
 * folder that vanished while it was registered, the kernel's watch limit, an Error) is logged,
 * counted and reported, then the watch is set up again on a new watch service after a backoff, and
 * a reload is triggered because changes may have been missed meanwhile.
 *
 * <p>Closing is bounded: the JDK's Linux watch service waits in {@code close()} for its poller
 * thread, which never answers once it has died (an OutOfMemoryError), and shutdown must not hang on
 * that.
 */
final class WatchLoop implements AutoCloseable {
  /** What a watcher watches, set up anew on each watch service. */
  interface Watches {
    /** Registers everything to watch on a fresh watch service. */
    void registerAll(WatchService service) throws IOException;

    /** Whether an event of this key calls for a reload; may register folders that appeared. */
    boolean relevant(WatchKey key, WatchEvent<?> event, WatchService service) throws IOException;
  }

  /** How long closing waits for the JDK's poller thread. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

  static final Duration MIN_BACKOFF = Duration.ofMillis(200);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  private static final Logger LOG = LoggerFactory.getLogger(WatchLoop.class);
  private final String what;
  private final Watches watches;
  private final Debouncer reload;
  private final Consumer<Throwable> onFailure;
  private final Thread thread;
  private final AtomicLong failures = new AtomicLong();
  private volatile WatchService service;
  private volatile boolean closed;

  /** Registers everything before returning, so that no change after the constructor is missed. */
  WatchLoop(
      String threadName,
      String what,
      Watches watches,
      Debouncer reload,
      Consumer<Throwable> onFailure)
      throws IOException {
    this.what = what;
    this.watches = watches;
    this.reload = reload;
    this.onFailure = onFailure;
    this.service = open();
    this.thread = DaemonThreads.create(this::loop, threadName);
    thread.start();
  }

  private WatchService open() throws IOException {
    WatchService s = FileSystems.getDefault().newWatchService();
    try {
      watches.registerAll(s);
      return s;
    } catch (IOException | RuntimeException | Error e) {
      closeBounded(s);
      throw e;
    }
  }

  /** The current watch service, to register more on. */
  WatchService service() {
    return service;
  }

  /** Failures of the watch so far. */
  long failures() {
    return failures.get();
  }

  private void loop() {
    Duration backoff = MIN_BACKOFF;
    while (!closed) {
      try {
        if (service == null) {
          service = open();
          LOG.info("watching {} again", what);
          reload.trigger();
        }
        take(service);
        backoff = MIN_BACKOFF;
      } catch (InterruptedException | ClosedWatchServiceException e) {
        if (closed) {
          return;
        }
        backoff = failed(e, backoff);
      } catch (Throwable e) {
        // an Error too: this thread must not end while the watcher is open
        if (closed) {
          return;
        }
        backoff = failed(e, backoff);
      }
    }
  }

  /** Handles one key's events. */
  private void take(WatchService s) throws InterruptedException, IOException {
    WatchKey key = s.take();
    boolean relevant = false;
    for (WatchEvent<?> event : key.pollEvents()) {
      relevant |= watches.relevant(key, event, s);
    }
    key.reset();
    if (relevant) {
      reload.trigger();
    }
  }

  private Duration failed(Throwable e, Duration backoff) {
    failures.incrementAndGet();
    LOG.error(
        "watching {} failed, watching again in {} ms: {}", what, backoff.toMillis(), e.toString());
    try {
      onFailure.accept(e);
    } catch (RuntimeException reportFailed) {
      LOG.error("reporting the failed watch of {} failed: {}", what, reportFailed.toString());
    }
    WatchService s = service;
    service = null;
    if (s != null) {
      closeBounded(s);
    }
    try {
      Thread.sleep(backoff.toMillis());
    } catch (InterruptedException interrupted) {
      if (closed) {
        return backoff;
      }
    }
    Duration doubled = backoff.multipliedBy(2);
    return doubled.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : doubled;
  }

  /** Closes a watch service, waiting at most {@link #CLOSE_WAIT} for it. */
  private void closeBounded(WatchService s) {
    Thread closer =
        DaemonThreads.create(
            () -> {
              try {
                s.close();
              } catch (IOException ignored) {
                // closing a watch service only fails if it is already closed
              }
            },
            "sluice-watch-close");
    closer.start();
    try {
      closer.join(CLOSE_WAIT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (closer.isAlive()) {
      LOG.warn(
          "closing the watch of {} did not finish within {} s; not waiting for it",
          what,
          CLOSE_WAIT.toSeconds());
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    WatchService s = service;
    if (s != null) {
      closeBounded(s);
    }
    reload.close();
  }
}
