package dev.sluice.core;

/** Named daemon threads: none of Sluice's background loops may keep the JVM alive on shutdown. */
public final class DaemonThreads {
  private DaemonThreads() {}

  public static Thread create(Runnable body, String name) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    return t;
  }
}
