package dev.sluice.discovery;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls back once a burst of changes to any of a changing set of files has settled: the
 * certificates and keys that policies point at, wherever they live. {@link #watch} replaces the
 * set after every load, so a file a policy stops using is no longer watched.
 *
 * <p>Like {@link FileWatcher}, it watches each file's folder (not recursively), so atomic renames
 * are seen and a file that does not exist yet is noticed when it appears. Kubernetes mounts
 * secrets as symlinks into a {@code ..data} folder that is swapped in one rename; a change to an
 * entry whose name starts with {@code ..} counts as a change to every watched file of the folder.
 */
public final class FileSetWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FileSetWatcher.class);
  private final WatchService watchService;
  private final Debouncer reload;
  private final Thread thread;
  /** Watched folder → the names of the watched files in it. */
  private final Map<Path, Set<String>> files = new HashMap<>();
  private final Map<Path, WatchKey> keys = new HashMap<>();

  public FileSetWatcher(Duration debounce, Runnable onChange) throws IOException {
    this.watchService = FileSystems.getDefault().newWatchService();
    this.reload = new Debouncer("sluice-reload-files", debounce, onChange, "reloading after a change to a watched file");
    this.thread = DaemonThreads.create(this::loop, "sluice-watch-files");
    thread.start();
  }

  /** Watches exactly these files from now on. A folder that does not exist is skipped with a warning. */
  public synchronized void watch(Set<Path> wanted) {
    Map<Path, Set<String>> next = new HashMap<>();
    for (Path f : wanted) {
      Path abs = f.toAbsolutePath().normalize();
      if (abs.getParent() != null && abs.getFileName() != null) {
        next.computeIfAbsent(abs.getParent(), d -> new HashSet<>()).add(abs.getFileName().toString());
      }
    }
    for (Path dir : Set.copyOf(keys.keySet())) {
      if (!next.containsKey(dir)) {
        keys.remove(dir).cancel();
      }
    }
    files.clear();
    for (var e : next.entrySet()) {
      Path dir = e.getKey();
      if (!keys.containsKey(dir)) {
        if (!Files.isDirectory(dir)) {
          LOG.warn("cannot watch {}: no such folder; changes to {} will not be noticed", dir, e.getValue());
          continue;
        }
        try {
          keys.put(dir, dir.register(watchService, StandardWatchEventKinds.ENTRY_CREATE,
              StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE));
        } catch (IOException e2) {
          LOG.warn("cannot watch {}: {}", dir, e2.toString());
          continue;
        }
      }
      files.put(dir, e.getValue());
    }
  }

  /** The files watched now (for tests and status). */
  public synchronized Set<Path> watched() {
    Set<Path> out = new HashSet<>();
    files.forEach((dir, names) -> names.forEach(n -> out.add(dir.resolve(n))));
    return out;
  }

  private synchronized boolean relevant(Path dir, Path name) {
    Set<String> names = files.get(dir);
    return names != null && (names.contains(name.toString()) || name.toString().startsWith(".."));
  }

  private void loop() {
    try {
      while (true) {
        WatchKey key = watchService.take();
        Path dir = (Path) key.watchable();
        boolean relevant = false;
        for (var event : key.pollEvents()) {
          if (event.kind() == StandardWatchEventKinds.OVERFLOW || relevant(dir, (Path) event.context())) {
            relevant = true;
          }
        }
        key.reset();
        if (relevant) {
          reload.trigger();
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      Thread.currentThread().interrupt();
    }
  }



  @Override
  public void close() {
    try {
      watchService.close();
    } catch (IOException ignored) {
      // closing a watch service only fails if it is already closed
    }
    thread.interrupt();
    reload.close();
  }
}
