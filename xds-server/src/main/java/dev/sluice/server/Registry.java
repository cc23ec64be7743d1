package dev.sluice.server;

import dev.sluice.discovery.CatalogSource;
import dev.sluice.discovery.FileCatalogSource;
import dev.sluice.discovery.consul.ConsulConfig;
import dev.sluice.discovery.consul.ConsulSource;
import java.nio.file.Path;
import java.time.Duration;

/** Where services come from, as chosen by {@code --registry}. */
public sealed interface Registry {
  CatalogSource open(Duration debounce);

  /** The embedded default: a YAML file. */
  record File(Path path) implements Registry {
    @Override
    public CatalogSource open(Duration debounce) {
      return new FileCatalogSource(path, debounce);
    }
  }

  /** A Consul agent, followed with blocking queries. */
  record Consul(ConsulConfig config) implements Registry {
    @Override
    public CatalogSource open(Duration debounce) {
      return new ConsulSource(config);
    }
  }
}
