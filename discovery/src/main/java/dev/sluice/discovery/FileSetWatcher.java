package dev.sluice.discovery;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls back once a burst of changes to any of a changing set of files has settled: the
 * certificates and keys that policies point at, wherever they live. {@link #watch} replaces the set
 * after every load, so a file a policy stops using is no longer watched.
 *
 * <p>Like {@link FileWatcher}, it watches each file's folder (not recursively), so atomic renames
 * are seen and a file that does not exist yet is noticed when it appears. Kubernetes mounts secrets
 * as symlinks into a {@code ..data} folder that is swapped in one rename; a change to an entry
 * whose name starts with {@code ..} counts as a change to every watched file of the folder.
 *
 * <p>A failing watch is logged, reported to {@code onFailure} and set up again with every folder
 * (see {@link WatchLoop}); closing never waits long.
 */
public final class FileSetWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FileSetWatcher.class);

  /** Watched folder → the names of the watched files in it. */
  private final Map<Path, Set<String>> files = new HashMap<>();

  private final Map<Path, WatchKey> keys = new HashMap<>();
  private final WatchLoop loop;

  public FileSetWatcher(Duration debounce, Runnable onChange) throws IOException {
    this(debounce, onChange, e -> {});
  }

  /**
   * @param onFailure told about each failure of the watch, after it is logged; the watch is set up
   *     again
   */
  public FileSetWatcher(Duration debounce, Runnable onChange, Consumer<Throwable> onFailure)
      throws IOException {
    Debouncer reload =
        new Debouncer(
            "sluice-reload-files",
            debounce,
            onChange,
            "reloading after a change to a watched file");
    this.loop =
        new WatchLoop(
            "sluice-watch-files", "the files policies point at", new Watches(), reload, onFailure);
  }

  /**
   * Watches exactly these files from now on. A folder that does not exist is skipped with a
   * warning.
   */
  public synchronized void watch(Set<Path> wanted) {
    Map<Path, Set<String>> next = new HashMap<>();
    for (Path f : wanted) {
      Path abs = f.toAbsolutePath().normalize();
      if (abs.getParent() != null && abs.getFileName() != null) {
        next.computeIfAbsent(abs.getParent(), d -> new HashSet<>())
            .add(abs.getFileName().toString());
      }
    }
    for (Path dir : Set.copyOf(keys.keySet())) {
      if (!next.containsKey(dir)) {
        keys.remove(dir).cancel();
      }
    }
    files.clear();
    WatchService service = loop.service();
    for (var e : next.entrySet()) {
      Path dir = e.getKey();
      files.put(dir, e.getValue());
      if (service != null && !keys.containsKey(dir)) {
        register(dir, service);
      }
    }
  }

  /** Registers a folder of {@link #files}; one that cannot be watched is dropped with a warning. */
  private void register(Path dir, WatchService service) {
    if (!Files.isDirectory(dir)) {
      LOG.warn(
          "cannot watch {}: no such folder; changes to {} will not be noticed",
          dir,
          files.remove(dir));
      return;
    }
    try {
      keys.put(
          dir,
          dir.register(
              service,
              StandardWatchEventKinds.ENTRY_CREATE,
              StandardWatchEventKinds.ENTRY_MODIFY,
              StandardWatchEventKinds.ENTRY_DELETE));
    } catch (ClosedWatchServiceException e) {
      // the watch is being set up again, and that registers every folder of the set
    } catch (IOException e) {
      LOG.warn("cannot watch {}: {}", dir, e.toString());
      files.remove(dir);
    }
  }

  /** The files watched now (for tests and status). */
  public synchronized Set<Path> watched() {
    Set<Path> out = new HashSet<>();
    files.forEach((dir, names) -> names.forEach(n -> out.add(dir.resolve(n))));
    return out;
  }

  /** Failures of the watch so far. */
  public long failures() {
    return loop.failures();
  }

  private final class Watches implements WatchLoop.Watches {
    @Override
    public void registerAll(WatchService service) {
      synchronized (FileSetWatcher.this) {
        keys.clear();
        for (Path dir : Set.copyOf(files.keySet())) {
          register(dir, service);
        }
      }
    }

    @Override
    public boolean relevant(WatchKey key, WatchEvent<?> event, WatchService service) {
      return event.kind() == StandardWatchEventKinds.OVERFLOW
          || relevantName((Path) key.watchable(), (Path) event.context());
    }
  }

  private synchronized boolean relevantName(Path dir, Path name) {
    Set<String> names = files.get(dir);
    return names != null && (names.contains(name.toString()) || name.toString().startsWith(".."));
  }

  @Override
  public void close() {
    loop.close();
  }
}
