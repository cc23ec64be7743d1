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
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls back once a burst of changes to a file or a folder tree has settled. Editors save in
 * several steps (truncate, write, rename); the debounce turns that into one reload.
 *
 * <p>Watches the parent folder of a file, not the file, so atomic renames (vim, sed -i, kubectl
 * configmap swaps) are seen.
 */
public final class FileWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FileWatcher.class);
  private final Path target;
  private final WatchService watchService;
  private final Debouncer reload;
  private final Thread thread;

  public FileWatcher(Path target, Duration debounce, Runnable onChange) throws IOException {
    this.target = target.toAbsolutePath().normalize();
    this.watchService = FileSystems.getDefault().newWatchService();
    this.reload = new Debouncer("sluice-reload", debounce, onChange, "reloading " + this.target);
    if (Files.isDirectory(this.target)) {
      try (Stream<Path> dirs = Files.walk(this.target)) {
        for (Path d : (Iterable<Path>) dirs.filter(Files::isDirectory)::iterator) {
          register(d);
        }
      }
    } else {
      register(this.target.getParent());
    }
    this.thread = DaemonThreads.create(this::loop, "sluice-watch-" + this.target.getFileName());
    thread.start();
  }

  private void register(Path dir) throws IOException {
    dir.register(watchService, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
        StandardWatchEventKinds.ENTRY_DELETE);
  }

  private void loop() {
    try {
      while (true) {
        WatchKey key = watchService.take();
        Path dir = (Path) key.watchable();
        boolean relevant = false;
        for (var event : key.pollEvents()) {
          if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
            relevant = true;
            continue;
          }
          Path changed = dir.resolve((Path) event.context());
          if (changed.startsWith(target) || changed.equals(target)) {
            relevant = true;
            if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE && Files.isDirectory(changed)) {
              register(changed);
            }
          }
        }
        key.reset();
        if (relevant) {
          reload.trigger();
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      LOG.error("watching {} failed: {}", target, e.toString());
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
