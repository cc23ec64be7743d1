package dev.sluice.discovery;

import dev.sluice.core.VisibleTree;
import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls back once a burst of changes to a file or a folder tree has settled. Editors save in
 * several steps (truncate, write, rename); the debounce turns that into one reload.
 *
 * <p>Watches the parent folder of a file, not the file, so atomic renames (vim, sed -i, kubectl
 * configmap swaps) are seen. In a folder tree, linked sub-folders are watched as the policy loader
 * reads them: each link followed once, a link back into the tree (a loop) not followed, and folders
 * whose name starts with a dot (a Kubernetes mount's {@code ..2026_…} folders and {@code ..data}
 * link) not watched — their files are read through the top-level links, and swapping {@code ..data}
 * is a change of the top folder.
 *
 * <p>A failing watch is logged, reported to {@code onFailure} and set up again (see {@link
 * WatchLoop}); closing never waits long.
 */
public final class FileWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FileWatcher.class);
  private final Path target;
  private final WatchLoop loop;

  public FileWatcher(Path target, Duration debounce, Runnable onChange) throws IOException {
    this(target, debounce, onChange, e -> {});
  }

  /**
   * @param onFailure told about each failure of the watch, after it is logged; the watch is set up
   *     again
   */
  public FileWatcher(
      Path target, Duration debounce, Runnable onChange, Consumer<Throwable> onFailure)
      throws IOException {
    this.target = target.toAbsolutePath().normalize();
    Debouncer reload =
        new Debouncer("sluice-reload", debounce, onChange, "reloading " + this.target);
    this.loop =
        new WatchLoop(
            "sluice-watch-" + this.target.getFileName(),
            this.target.toString(),
            new Watches(),
            reload,
            onFailure);
  }

  /** Failures of the watch so far. */
  public long failures() {
    return loop.failures();
  }

  private final class Watches implements WatchLoop.Watches {
    @Override
    public void registerAll(WatchService service) throws IOException {
      if (Files.isDirectory(target)) {
        registerTree(target, service);
      } else {
        register(target.getParent(), service);
      }
    }

    @Override
    public boolean relevant(WatchKey key, WatchEvent<?> event, WatchService service)
        throws IOException {
      if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
        return true;
      }
      Path changed = ((Path) key.watchable()).resolve((Path) event.context());
      if (!changed.startsWith(target)) {
        return false;
      }
      if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE
          && !VisibleTree.hidden(changed)
          && Files.isDirectory(changed)) {
        registerTree(changed, service);
      }
      return true;
    }
  }

  /** Registers {@code dir} and the folders under it, the ones the policy loader reads. */
  private void registerTree(Path dir, WatchService service) throws IOException {
    VisibleTree.walk(
        dir,
        new VisibleTree.Visitor() {
          @Override
          public boolean folder(Path folder) throws IOException {
            try {
              register(folder, service);
              return true;
            } catch (NoSuchFileException gone) {
              // removed since it was listed: nothing left to watch, and its removal is an event of
              // its parent
              return false;
            }
          }

          @Override
          public void failed(Path place, IOException e) {
            // a loop is watched once already; a dangling link or an unreadable folder has nothing
            // to watch
            if (!(e instanceof FileSystemLoopException)) {
              LOG.debug("not watching {}: {}", place, e.toString());
            }
          }
        });
  }

  private static void register(Path dir, WatchService service) throws IOException {
    dir.register(
        service,
        StandardWatchEventKinds.ENTRY_CREATE,
        StandardWatchEventKinds.ENTRY_MODIFY,
        StandardWatchEventKinds.ENTRY_DELETE);
  }

  @Override
  public void close() {
    loop.close();
  }
}
