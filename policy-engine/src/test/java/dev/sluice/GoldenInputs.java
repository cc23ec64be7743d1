package dev.sluice;

import dev.sluice.discovery.CatalogFileParser;
import dev.sluice.discovery.Health;
import dev.sluice.discovery.Service;
import dev.sluice.discovery.ServiceCatalog;
import dev.sluice.discovery.ServiceInstance;
import dev.sluice.policy.PolicyLoader;
import dev.sluice.policy.PolicySet;
import dev.sluice.testing.RepoPaths;
import dev.sluice.yaml.Diagnostics;
import dev.sluice.yaml.YamlDocument;
import dev.sluice.yaml.YamlFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The golden cases' inputs (see GoldenTest), and registry changes to apply to them. */
public final class GoldenInputs {
  public static final Path GOLDEN =
      RepoPaths.root().resolve("policy-engine/src/test/resources/golden");

  /**
   * A policy change to multiple-gateways: one more route on edge, to a service it already routes
   * to.
   */
  public static final String ONE_MORE_ROUTE =
      "kind: Route\nname: more-orders\ngateway: edge\nmatch: {prefix: /more}\nto: orders\n";

  private GoldenInputs() {}

  public record Input(ServiceCatalog catalog, PolicySet policies) {}

  /** A valid case's registry and policies. */
  public static Input load(String name) throws Exception {
    return loadWith(name, "");
  }

  /**
   * A valid case's registry and policies, with more policy documents after its own (a policy
   * change).
   */
  public static Input loadWith(String name, String moreYaml) throws Exception {
    Path file = GOLDEN.resolve(name).resolve("in.yaml");
    List<YamlDocument> docs = new ArrayList<>(YamlFiles.read(file));
    docs.addAll(YamlFiles.parse(file, moreYaml));
    List<YamlDocument> registry =
        docs.stream().filter(d -> d.root().isObject() && d.root().has("services")).toList();
    List<YamlDocument> rest = docs.stream().filter(d -> !registry.contains(d)).toList();
    ServiceCatalog catalog = CatalogFileParser.parse(registry, new Diagnostics()).orElseThrow();
    PolicyLoader.Result policies = PolicyLoader.fromDocuments(rest, new Diagnostics());
    return new Input(
        catalog, policies.policies().orElseThrow(() -> new AssertionError(policies.findings())));
  }

  public static List<String> validCases() throws Exception {
    try (Stream<Path> s = Files.list(GOLDEN)) {
      return s.filter(p -> Files.isRegularFile(p.resolve("in.yaml")))
          .map(p -> p.getFileName().toString())
          .filter(n -> !n.startsWith("invalid-"))
          .sorted()
          .toList();
    }
  }

  /**
   * Registry changes of every kind, each to one service, as Consul reports them: description →
   * catalog.
   */
  public static Map<String, ServiceCatalog> changes(ServiceCatalog catalog) {
    Map<String, ServiceCatalog> out = new TreeMap<>();
    out.put(
        "a service nobody uses appears",
        with(catalog, new Service("newcomer", List.of(ServiceInstance.of("10.9.9.9", 80)))));
    for (Service s : catalog.services().values()) {
      List<ServiceInstance> more = new ArrayList<>(s.instances());
      more.add(ServiceInstance.of("10.9.9.9", 8080));
      out.put(s.name() + ": an instance registers", with(catalog, new Service(s.name(), more)));
      out.put(
          s.name() + ": instances turn critical",
          with(
              catalog,
              new Service(
                  s.name(),
                  s.instances().stream()
                      .map(
                          i ->
                              new ServiceInstance(
                                  i.id(),
                                  i.address(),
                                  i.port(),
                                  i.tags(),
                                  i.meta(),
                                  Health.CRITICAL,
                                  i.region(),
                                  i.zone(),
                                  i.weight()))
                      .toList())));
      Map<String, Service> without = new TreeMap<>(catalog.services());
      without.remove(s.name());
      out.put(s.name() + ": the service deregisters", new ServiceCatalog(without));
    }
    return out;
  }

  /** The catalog with {@code s} added or replacing the service of its name. */
  public static ServiceCatalog with(ServiceCatalog catalog, Service s) {
    Map<String, Service> services = new TreeMap<>(catalog.services());
    services.put(s.name(), s);
    return new ServiceCatalog(services);
  }
}
