package dev.sluice.discovery;

import dev.sluice.yaml.Diagnostics;
import dev.sluice.yaml.Finding;
import dev.sluice.yaml.YamlFiles;
import dev.sluice.yaml.YamlSyntaxException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default registry: a YAML file, re-read whenever it changes. A file with errors is
 * reported and ignored; the previous catalog stays in force.
 */
public final class FileCatalogSource implements CatalogSource {
  private static final Logger LOG = LoggerFactory.getLogger(FileCatalogSource.class);
  private final Path file;
  private final Duration debounce;
  private FileWatcher watcher;
  private volatile ServiceCatalog last;

  public FileCatalogSource(Path file, Duration debounce) {
    this.file = file;
    this.debounce = debounce;
  }

  /** Reads the file once; errors come back as findings with file:line:column. */
  public static Result read(Path file) {
    Diagnostics d = new Diagnostics();
    try {
      Optional<ServiceCatalog> catalog = CatalogFileParser.parse(YamlFiles.read(file), d);
      return new Result(catalog, d.findings());
    } catch (YamlSyntaxException e) {
      d.add(e.finding());
    } catch (IOException e) {
      d.fileError(file, "cannot read the registry file: " + e.getMessage());
    }
    return new Result(Optional.empty(), d.findings());
  }

  public record Result(Optional<ServiceCatalog> catalog, List<Finding> findings) {}

  @Override
  public void start(CatalogListener listener) {
    // Runs on the watcher's thread and once on the caller's; the lock keeps "last" consistent.
    Runnable reload = () -> reload(listener);
    try {
      watcher =
          new FileWatcher(file, debounce, reload, e -> listener.onError(watchFailed(file, e)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot watch " + file, e);
    }
    reload.run();
  }

  private synchronized void reload(CatalogListener listener) {
    Result r = read(file);
    if (r.catalog().isPresent()) {
      if (!r.catalog().get().equals(last)) {
        last = r.catalog().get();
        LOG.info("registry {}: {} services", file, last.services().size());
        listener.onCatalog(last);
      }
    } else {
      r.findings()
          .forEach(
              f -> LOG.error("registry rejected, keeping the previous catalog: {}", f.format()));
      listener.onError(r.findings());
    }
  }

  /**
   * A failed watch as the registry's error: until the watch is set up again, edits are not seen.
   */
  static List<Finding> watchFailed(Path file, Throwable e) {
    Diagnostics d = new Diagnostics();
    d.fileError(
        file,
        "watching the registry file failed ("
            + e
            + "); watching it again, edits meanwhile are read then");
    return d.findings();
  }

  @Override
  public String describe() {
    return "file:" + file;
  }

  @Override
  public void close() {
    if (watcher != null) {
      watcher.close();
    }
  }
}
