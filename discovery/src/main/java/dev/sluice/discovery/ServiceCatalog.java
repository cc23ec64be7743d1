package dev.sluice.discovery;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Everything discovery knows at one moment: service name → instances. Immutable; a source emits a
 * new catalog for each change. Two catalogs with the same content are {@code equals}, which is what
 * lets the server skip work when a source reports "changed" but nothing did.
 */
public record ServiceCatalog(Map<String, Service> services) {
  public static final ServiceCatalog EMPTY = new ServiceCatalog(Map.of());

  public ServiceCatalog {
    services = Collections.unmodifiableMap(new TreeMap<>(services));
  }

  public static ServiceCatalog of(Collection<Service> services) {
    TreeMap<String, Service> map = new TreeMap<>();
    for (Service s : services) {
      map.put(s.name(), s);
    }
    return new ServiceCatalog(map);
  }

  public Optional<Service> service(String name) {
    return Optional.ofNullable(services.get(name));
  }

  public boolean contains(String name) {
    return services.containsKey(name);
  }
}
