package dev.sluice.server;

import dev.sluice.discovery.CatalogSource;
import dev.sluice.discovery.FileCatalogSource;
import dev.sluice.discovery.consul.ConsulConfig;
import dev.sluice.discovery.consul.ConsulRequestErrors;
import dev.sluice.discovery.consul.ConsulSource;
import java.nio.file.Path;
import java.time.Duration;

/** Where services come from, as chosen by {@code --registry}. */
public sealed interface Registry {
  /**
   * @param consulErrors told about each failed request to Consul (a file registry makes none)
   */
  CatalogSource open(Duration debounce, ConsulRequestErrors consulErrors);

  /** The embedded default: a YAML file. */
  record File(Path path) implements Registry {
    @Override
    public CatalogSource open(Duration debounce, ConsulRequestErrors consulErrors) {
      return new FileCatalogSource(path, debounce);
    }
  }

  /** A Consul agent, followed with blocking queries. */
  record Consul(ConsulConfig config) implements Registry {
    @Override
    public CatalogSource open(Duration debounce, ConsulRequestErrors consulErrors) {
      return new ConsulSource(config, consulErrors);
    }
  }
}
