package dev.sluice.server.xds;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Bounds how many streams may have a response still queued in the transport. gRPC encodes a
 * message into direct memory as soon as it is sent, whatever the peer's flow-control window: 5,000
 * Envoys connecting at once would each be handed their clusters (hundreds of kilobytes) before the
 * first had read them. A stream whose transport is not ready holds a slot until gRPC says it is
 * again; a stream that finds no free slot waits in line and is pumped when one frees up.
 */
final class WriteBudget {
  private final int slots;
  private final Executor executor;
  private final Set<AdsStream<?, ?>> holding = new HashSet<>();
  private final Deque<AdsStream<?, ?>> waiting = new ArrayDeque<>();
  private final Set<AdsStream<?, ?>> queued = new HashSet<>();

  WriteBudget(int slots, Executor executor) {
    this.slots = slots;
    this.executor = executor;
  }

  /** Whether the stream may send now; if not, it is pumped once a slot is free. */
  synchronized boolean mayWrite(AdsStream<?, ?> s) {
    if (holding.contains(s)) {
      return false; // its own transport is full; gRPC's onReady brings it back
    }
    if (holding.size() < slots) {
      return true;
    }
    if (queued.add(s)) {
      waiting.addLast(s);
    }
    return false;
  }

  /** The stream's transport did not take its last response at once. */
  synchronized void hold(AdsStream<?, ?> s) {
    holding.add(s);
  }

  /** The stream's transport is ready again (or the stream is gone): frees its slot. */
  void release(AdsStream<?, ?> s) {
    List<AdsStream<?, ?>> next = new ArrayList<>();
    synchronized (this) {
      boolean had = holding.remove(s);
      if (queued.remove(s)) {
        waiting.remove(s);
      }
      if (!had) {
        return;
      }
      for (int free = slots - holding.size(); free > 0 && !waiting.isEmpty(); free--) {
        AdsStream<?, ?> w = waiting.pollFirst();
        queued.remove(w);
        next.add(w);
      }
    }
    // outside the lock: pumping takes the stream's lock, and a stream holding it may be asking us
    try {
      next.forEach(w -> executor.execute(w::pump));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // the server is shutting down
    }
  }

  synchronized int inUse() {
    return holding.size();
  }
}
