package dev.sluice.discovery;

import java.util.Comparator;
import java.util.List;

/** A named service and its instances, sorted by id so equal catalogs compare equal. */
public record Service(String name, List<ServiceInstance> instances) {
  public Service {
    instances = instances.stream().sorted(Comparator.comparing(ServiceInstance::id)).toList();
  }
}
