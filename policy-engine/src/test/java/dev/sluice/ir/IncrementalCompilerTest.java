package dev.sluice.ir;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.RepoRoot;
import dev.sluice.discovery.CatalogFileParser;
import dev.sluice.discovery.Health;
import dev.sluice.discovery.Service;
import dev.sluice.discovery.ServiceCatalog;
import dev.sluice.discovery.ServiceInstance;
import dev.sluice.policy.PolicyLoader;
import dev.sluice.policy.PolicySet;
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
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class IncrementalCompilerTest {
  static final Path GOLDEN = RepoRoot.find().resolve("policy-engine/src/test/resources/golden");

  record Input(ServiceCatalog catalog, PolicySet policies) {}

  /** A golden case's registry and policies (see GoldenTest). */
  static Input load(String name) throws Exception {
    List<YamlDocument> docs = YamlFiles.read(GOLDEN.resolve(name).resolve("in.yaml"));
    List<YamlDocument> registry = docs.stream().filter(d -> d.root().isObject() && d.root().has("services")).toList();
    List<YamlDocument> rest = docs.stream().filter(d -> !registry.contains(d)).toList();
    ServiceCatalog catalog = CatalogFileParser.parse(registry, new Diagnostics()).orElseThrow();
    PolicyLoader.Result policies = PolicyLoader.fromDocuments(rest, new Diagnostics());
    return new Input(catalog, policies.policies().orElseThrow(() -> new AssertionError(policies.findings())));
  }

  /** Registry changes of every kind, each to one service: what Consul reports. */
  static Map<String, ServiceCatalog> changes(ServiceCatalog catalog) {
    Map<String, ServiceCatalog> out = new TreeMap<>();
    out.put("a service nobody uses appears", with(catalog, new Service("newcomer", List.of(ServiceInstance.of("10.9.9.9", 80)))));
    for (Service s : catalog.services().values()) {
      List<ServiceInstance> more = new ArrayList<>(s.instances());
      more.add(ServiceInstance.of("10.9.9.9", 8080));
      out.put(s.name() + ": an instance registers", with(catalog, new Service(s.name(), more)));
      out.put(s.name() + ": instances turn critical", with(catalog, new Service(s.name(), s.instances().stream()
          .map(i -> new ServiceInstance(i.id(), i.address(), i.port(), i.tags(), i.meta(), Health.CRITICAL, i.region(), i.zone(), i.weight()))
          .toList())));
      Map<String, Service> without = new TreeMap<>(catalog.services());
      without.remove(s.name());
      out.put(s.name() + ": the service deregisters", new ServiceCatalog(without));
    }
    return out;
  }

  static ServiceCatalog with(ServiceCatalog catalog, Service s) {
    Map<String, Service> services = new TreeMap<>(catalog.services());
    services.put(s.name(), s);
    return new ServiceCatalog(services);
  }

  static List<String> validCases() throws Exception {
    try (Stream<Path> s = Files.list(GOLDEN)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("invalid-")).sorted().toList();
    }
  }

  @TestFactory
  Stream<DynamicTest> everyRegistryChangeCompilesToWhatAFullCompileGives() throws Exception {
    return validCases().stream().map(name -> DynamicTest.dynamicTest(name, () -> {
      Input in = load(name);
      IncrementalCompiler incremental = new IncrementalCompiler();
      incremental.compile(in.catalog(), in.policies());
      changes(in.catalog()).forEach((change, catalog) -> {
        assertThat(incremental.compile(catalog, in.policies())).as(change).isEqualTo(Compiler.compile(catalog, in.policies()));
        // and back, from the changed state
        assertThat(incremental.compile(in.catalog(), in.policies())).as(change + ", undone")
            .isEqualTo(Compiler.compile(in.catalog(), in.policies()));
      });
    }));
  }

  @Test
  void anUnchangedCatalogGivesTheSameConfigObjects() throws Exception {
    Input in = load("multiple-gateways");
    IncrementalCompiler incremental = new IncrementalCompiler();
    Map<String, ProxyConfig> first = incremental.compile(in.catalog(), in.policies());

    // an equal catalog, built anew, as a source that rebuilds it on every poll does
    Map<String, ProxyConfig> second = incremental.compile(new ServiceCatalog(new TreeMap<>(in.catalog().services())), in.policies());

    assertThat(second).isSameAs(first);
  }

  @Test
  void aGroupThatDoesNotUseTheChangedServiceIsTheSameObject() throws Exception {
    Input in = load("multiple-gateways");
    IncrementalCompiler incremental = new IncrementalCompiler();
    Map<String, ProxyConfig> before = incremental.compile(in.catalog(), in.policies());

    // admin is routed by the internal gateway only
    Map<String, ProxyConfig> after = incremental.compile(
        with(in.catalog(), new Service("admin", List.of(ServiceInstance.of("127.0.0.1", 9010)))), in.policies());

    assertThat(after.get("edge")).isSameAs(before.get("edge"));
    assertThat(after.get("internal")).isNotEqualTo(before.get("internal"));
    assertThat(after.get("internal").listeners()).as("what comes from the policies alone is kept")
        .isSameAs(before.get("internal").listeners());
  }

  @Test
  void theUnchangedClustersOfAGatewayAreTheSameObjects() throws Exception {
    Input in = load("multiple-gateways");
    IncrementalCompiler incremental = new IncrementalCompiler();
    ProxyConfig before = incremental.compile(in.catalog(), in.policies()).get("edge");

    ProxyConfig after = incremental.compile(
        with(in.catalog(), new Service("users", List.of(ServiceInstance.of("127.0.0.1", 9011)))), in.policies()).get("edge");

    assertThat(after.clusters()).extracting(UpstreamCluster::name).containsExactly("orders", "users");
    assertThat(after.clusters().get(0)).isSameAs(before.clusters().get(0));
    assertThat(after.clusters().get(1).endpoints()).extracting(Endpoint::port).containsExactly(9011);
  }

  @Test
  void aPolicyChangeCompilesEverythingAgain() throws Exception {
    Input one = load("multiple-gateways");
    Input other = load("single-route");
    IncrementalCompiler incremental = new IncrementalCompiler();
    incremental.compile(one.catalog(), one.policies());

    assertThat(incremental.compile(one.catalog(), other.policies())).isEqualTo(Compiler.compile(one.catalog(), other.policies()));
  }
}
