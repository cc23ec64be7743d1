package dev.sluice.server.config;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The latest {@value #KEPT} refused changes, newest first; written by the pipeline's thread, read
 * by the admin API.
 */
final class Refusals {
  static final int KEPT = 20;
  private final Deque<Refusal> recent = new ArrayDeque<>();

  synchronized void add(Refusal r) {
    recent.addFirst(r);
    while (recent.size() > KEPT) {
      recent.removeLast();
    }
  }

  synchronized List<Refusal> recent() {
    return List.copyOf(recent);
  }
}
