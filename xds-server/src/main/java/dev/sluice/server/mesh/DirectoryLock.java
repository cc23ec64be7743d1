package dev.sluice.server.mesh;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Mutual exclusion on a lock file, between threads and between processes (replicas sharing a
 * directory): an in-JVM monitor per lock file, then an OS file lock on it. The monitor comes first
 * because within one JVM a second lock on the same file throws instead of waiting.
 */
final class DirectoryLock {
  private static final ConcurrentHashMap<Path, Object> MONITORS = new ConcurrentHashMap<>();

  /** What runs while the lock is held. */
  @FunctionalInterface
  interface Guarded<T> {
    T run() throws IOException;
  }

  private DirectoryLock() {}

  /** Runs {@code body} holding {@code lockFile}, which is created if missing. */
  static <T> T holding(Path lockFile, Guarded<T> body) throws IOException {
    synchronized (
        MONITORS.computeIfAbsent(lockFile.toAbsolutePath().normalize(), k -> new Object())) {
      try (FileChannel channel =
              FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = channel.lock()) {
        return body.run();
      }
    }
  }
}
