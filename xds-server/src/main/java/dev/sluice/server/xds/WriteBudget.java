package dev.sluice.server.xds;

import dev.sluice.core.DaemonThreads;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds how many streams may have a response still queued in the transport. gRPC encodes a message
 * into direct memory as soon as it is sent, whatever the peer's flow-control window: 5,000 Envoys
 * connecting at once would each be handed their clusters (hundreds of kilobytes) before the first
 * had read them. A stream whose transport is not ready holds a slot until gRPC says it is again; a
 * stream that finds no free slot waits in line and is pumped when one frees up.
 *
 * <p>A stream that does not read cannot keep the slot: after {@link #SLOT_GRACE} without draining
 * its slot goes to the next stream in line and it is <em>stalled</em> (it is sent nothing more
 * until its transport is ready again); a stream stalled for {@link #STALL_LIMIT}, or the oldest one
 * when more than {@link #STALLED_PER_SLOT} times the slots are stalled, is dropped with a reason.
 * So a slow or non-reading stream delays only itself, and what sits unread in the transport is
 * bounded by five times the slots' streams, each with at most one response per type. The cap is not
 * lower so that Envoys slowed by a busy machine during a reconnect storm (64 more stall each second
 * at most) are not dropped after a few seconds.
 *
 * <p>A stream that has answered a response ({@link #answered}) reads what it is sent: it goes ahead
 * of the streams that never did in the line for a slot, and {@link #RESERVED} slots are its kind's
 * alone. Many new streams that never read (an attack, or a reconnect storm of a stuck client) so
 * never make a working Envoy wait for the sweep to free a slot.
 */
final class WriteBudget implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WriteBudget.class);

  /**
   * How long a stream may hold a slot without its transport draining before the slot goes to
   * another.
   */
  static final Duration SLOT_GRACE = Duration.ofSeconds(1);

  /** How long a stream may go on without draining after that before it is dropped. */
  static final Duration STALL_LIMIT = Duration.ofSeconds(15);

  /** Stalled streams kept, per slot; beyond, the oldest stalled one is dropped. */
  static final int STALLED_PER_SLOT = 4;

  /** Slots only streams that have answered a response may take. */
  static final int RESERVED = 8;

  /** A stream as the budget sees it: sent to when a slot is free, dropped when it does not read. */
  interface Writer {
    /** Sends what is due, asking the budget again before each response. */
    void pump();

    /** Ends the stream, saying why. */
    void dropSlow(String reason);
  }

  /** What the budget does with a stream it gives up on. */
  interface Dropper {
    void drop(Writer stream, String reason);
  }

  private final int slots;
  private final Executor executor;
  private final Dropper dropper;
  private final long graceNanos;
  private final long stallNanos;

  /** Streams holding a slot, and since when (nanoTime). */
  private final Map<Writer, Long> holding = new LinkedHashMap<>();

  /**
   * Streams that held a slot too long without draining, and since when they hold none (nanoTime);
   * oldest first.
   */
  private final Map<Writer, Long> stalled = new LinkedHashMap<>();

  private final Deque<Writer> waiting = new ArrayDeque<>();

  /** Streams that have answered a response: they wait in a line of their own, served first. */
  private final Deque<Writer> waitingReaders = new ArrayDeque<>();

  private final Set<Writer> readers = new HashSet<>();
  private final Set<Writer> queued = new HashSet<>();
  private final ScheduledExecutorService sweeper;

  WriteBudget(int slots, Executor executor) {
    this(slots, executor, (s, reason) -> {}, SLOT_GRACE, STALL_LIMIT);
  }

  // its task reports its own failures; nothing waits for it
  @SuppressWarnings("FutureReturnValueIgnored")
  WriteBudget(int slots, Executor executor, Dropper dropper, Duration grace, Duration stallLimit) {
    this.slots = slots;
    this.executor = executor;
    this.dropper = dropper;
    this.graceNanos = grace.toNanos();
    this.stallNanos = stallLimit.toNanos();
    this.sweeper =
        Executors.newSingleThreadScheduledExecutor(
            r -> DaemonThreads.create(r, "sluice-xds-budget"));
    long every = Math.max(10, grace.toMillis() / 4);
    sweeper.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
  }

  /** Whether the stream may send now; if not, it is pumped once a slot is free. */
  synchronized boolean mayWrite(Writer s) {
    if (holding.containsKey(s) || stalled.containsKey(s)) {
      return false; // its own transport is full; gRPC's onReady brings it back
    }
    boolean reader = readers.contains(s);
    if (holding.size() < slots - (reader ? 0 : RESERVED)) {
      return true;
    }
    if (queued.add(s)) {
      (reader ? waitingReaders : waiting).addLast(s);
    }
    return false;
  }

  /** The stream answered (ACK or NACK) a response it was sent: it reads. */
  synchronized void answered(Writer s) {
    if (readers.add(s) && queued.contains(s) && waiting.remove(s)) {
      waitingReaders.addLast(s);
    }
  }

  /** The stream is gone: frees its slot and forgets it. */
  void closed(Writer s) {
    synchronized (this) {
      readers.remove(s);
    }
    release(s);
  }

  /** The stream's transport did not take its last response at once. */
  synchronized void hold(Writer s) {
    holding.putIfAbsent(s, System.nanoTime());
  }

  /** The stream's transport is ready again (or the stream is gone): frees its slot. */
  void release(Writer s) {
    List<Writer> next;
    synchronized (this) {
      boolean had = holding.remove(s) != null;
      stalled.remove(s);
      if (queued.remove(s)) {
        waiting.remove(s);
        waitingReaders.remove(s);
      }
      if (!had) {
        return;
      }
      next = freed();
    }
    pump(next);
  }

  /** With the lock held: the waiting streams that the free slots go to, readers first. */
  private List<Writer> freed() {
    List<Writer> next = new ArrayList<>();
    int free = slots - holding.size();
    for (; free > 0 && !waitingReaders.isEmpty(); free--) {
      next.add(waitingReaders.pollFirst());
    }
    for (free -= RESERVED; free > 0 && !waiting.isEmpty(); free--) {
      next.add(waiting.pollFirst());
    }
    next.forEach(queued::remove);
    return next;
  }

  // outside the lock: pumping takes the stream's lock, and a stream holding it may be asking us
  private void pump(List<Writer> next) {
    try {
      next.forEach(w -> executor.execute(w::pump));
    } catch (RejectedExecutionException e) {
      // the server is shutting down
    }
  }

  /**
   * Moves streams that held a slot too long to the stalled ones, and drops those stalled too long
   * or too many.
   */
  void sweep() {
    List<Writer> next;
    List<Map.Entry<Writer, String>> drop = new ArrayList<>();
    synchronized (this) {
      long now = System.nanoTime();
      for (Iterator<Map.Entry<Writer, Long>> it = holding.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<Writer, Long> e = it.next();
        if (now - e.getValue() >= graceNanos) {
          it.remove();
          stalled.put(e.getKey(), e.getValue());
        }
      }
      for (Iterator<Map.Entry<Writer, Long>> it = stalled.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<Writer, Long> e = it.next();
        if (now - e.getValue() >= graceNanos + stallNanos) {
          it.remove();
          drop.add(
              Map.entry(
                  e.getKey(),
                  "did not read its responses for " + seconds(graceNanos + stallNanos)));
        } else if (stalled.size() > STALLED_PER_SLOT * slots) {
          it.remove();
          drop.add(
              Map.entry(
                  e.getKey(),
                  "did not read its responses for "
                      + seconds(now - e.getValue())
                      + " while more than "
                      + STALLED_PER_SLOT * slots
                      + " streams did not"));
        }
      }
      next = freed();
    }
    for (Map.Entry<Writer, String> d : drop) {
      try {
        dropper.drop(d.getKey(), d.getValue());
      } catch (RuntimeException e) {
        LOG.warn("could not drop a slow stream: {}", e.toString());
      }
    }
    pump(next);
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
  }

  synchronized int inUse() {
    return holding.size();
  }

  synchronized int stalled() {
    return stalled.size();
  }

  @Override
  public void close() {
    sweeper.shutdownNow();
  }
}
