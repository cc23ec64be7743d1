package dev.sluice.discovery;

/** Where services come from: a YAML file now, Consul later. */
public interface CatalogSource extends AutoCloseable {
  /** Starts watching; the first valid catalog is delivered as soon as it is read. */
  void start(CatalogListener listener);

  /** A human description, such as {@code file:compose/demo/services.yaml}. */
  String describe();

  /** Staleness and counters; a file source is never stale. */
  default SourceStatus status() {
    return SourceStatus.FILE;
  }

  @Override
  void close();
}
