package dev.sluice.bench;

import dev.sluice.discovery.Health;
import dev.sluice.discovery.Service;
import dev.sluice.discovery.ServiceCatalog;
import dev.sluice.discovery.ServiceInstance;
import dev.sluice.policy.PolicyLoader;
import dev.sluice.policy.PolicySet;
import dev.sluice.yaml.Diagnostics;
import dev.sluice.yaml.YamlFiles;
import dev.sluice.yaml.YamlSyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A generated catalog and policy set of the benchmark's shape: {@code services} services with
 * {@link #ENDPOINTS} instances each, one Gateway, one Route per service. Built the way the server
 * builds them: the catalog as discovery emits it ({@link ServiceCatalog#of}), the policies as Route
 * and Gateway documents read by {@link PolicyLoader}, with its validation and cross-checks.
 */
public record SyntheticConfig(ServiceCatalog catalog, PolicySet policies) {
  public static final int ENDPOINTS = 10;

  public static SyntheticConfig of(int services) {
    List<Service> catalog = new ArrayList<>();
    StringBuilder yaml = new StringBuilder("kind: Gateway\nname: edge\nport: 8080\n");
    for (int s = 0; s < services; s++) {
      String name = service(s);
      List<ServiceInstance> instances = new ArrayList<>();
      for (int i = 0; i < ENDPOINTS; i++) {
        instances.add(instance(name, i, address(s, i)));
      }
      catalog.add(new Service(name, instances));
      yaml.append("---\nkind: Route\nname: ")
          .append(name)
          .append("\nmatch: {prefix: /")
          .append(name)
          .append("/}\nto: ")
          .append(name)
          .append("\ntimeout: 15s\n");
    }
    return new SyntheticConfig(ServiceCatalog.of(catalog), load(yaml.toString()));
  }

  /** The service whose endpoint {@link #withOneEndpointMoved} moves: one in the middle. */
  public String movedService() {
    return service(catalog.services().size() / 2);
  }

  /**
   * The same config after one instance of one service moved to another address, as when Consul
   * replaces a task: the other services and policies are the same objects.
   */
  public SyntheticConfig withOneEndpointMoved() {
    String name = movedService();
    Service before = catalog.service(name).orElseThrow();
    List<ServiceInstance> instances = new ArrayList<>(before.instances());
    ServiceInstance first = instances.get(0);
    instances.set(0, instance(name, 0, first.address().replaceFirst("^10\\.", "10.200.")));
    Map<String, Service> services = new TreeMap<>(catalog.services());
    services.put(name, new Service(name, instances));
    return new SyntheticConfig(new ServiceCatalog(services), policies);
  }

  static String service(int s) {
    return String.format("svc-%05d", s);
  }

  private static String address(int s, int i) {
    return "10." + (s / 250) + "." + (s % 250) + "." + (i + 1);
  }

  private static ServiceInstance instance(String service, int i, String address) {
    return new ServiceInstance(
        service + "-" + i, address, 8080, List.of(), Map.of(), Health.PASSING, "dc1", "", 1);
  }

  private static PolicySet load(String yaml) {
    try {
      PolicyLoader.Result r =
          PolicyLoader.fromDocuments(
              YamlFiles.parse(Path.of("synthetic.yaml"), yaml), new Diagnostics());
      return r.policies()
          .orElseThrow(
              () -> new IllegalStateException("synthetic policies rejected: " + r.findings()));
    } catch (YamlSyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
