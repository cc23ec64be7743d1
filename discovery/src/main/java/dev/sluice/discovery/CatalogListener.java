package dev.sluice.discovery;

import dev.sluice.yaml.Finding;
import java.util.List;

/** Receives what a {@link CatalogSource} learns. Called from the source's own thread. */
public interface CatalogListener {
  /** A complete, valid catalog. The first call marks the end of the initial sync. */
  void onCatalog(ServiceCatalog catalog);

  /** The source could not produce a catalog; the last one stays in force. */
  void onError(List<Finding> problems);
}
