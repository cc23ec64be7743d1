package dev.sluice.ir;

import static dev.sluice.GoldenInputs.changes;
import static dev.sluice.GoldenInputs.load;
import static dev.sluice.GoldenInputs.validCases;
import static dev.sluice.GoldenInputs.with;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.GoldenInputs;
import dev.sluice.GoldenInputs.Input;
import dev.sluice.discovery.Service;
import dev.sluice.discovery.ServiceCatalog;
import dev.sluice.discovery.ServiceInstance;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class IncrementalCompilerTest {
  @TestFactory
  Stream<DynamicTest> everyRegistryChangeCompilesToWhatAFullCompileGives() throws Exception {
    return validCases().stream()
        .map(
            name ->
                DynamicTest.dynamicTest(
                    name,
                    () -> {
                      Input in = load(name);
                      IncrementalCompiler incremental = new IncrementalCompiler();
                      incremental.compile(in.catalog(), in.policies());
                      changes(in.catalog())
                          .forEach(
                              (change, catalog) -> {
                                assertThat(incremental.compile(catalog, in.policies()))
                                    .as(change)
                                    .isEqualTo(Compiler.compile(catalog, in.policies()));
                                // and back, from the changed state
                                assertThat(incremental.compile(in.catalog(), in.policies()))
                                    .as(change + ", undone")
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
    Map<String, ProxyConfig> second =
        incremental.compile(
            new ServiceCatalog(new TreeMap<>(in.catalog().services())), in.policies());

    assertThat(second).isSameAs(first);
  }

  @Test
  void aGroupThatDoesNotUseTheChangedServiceIsTheSameObject() throws Exception {
    Input in = load("multiple-gateways");
    IncrementalCompiler incremental = new IncrementalCompiler();
    Map<String, ProxyConfig> before = incremental.compile(in.catalog(), in.policies());

    // admin is routed by the internal gateway only
    Map<String, ProxyConfig> after =
        incremental.compile(
            with(
                in.catalog(), new Service("admin", List.of(ServiceInstance.of("127.0.0.1", 9010)))),
            in.policies());

    assertThat(after.get("edge")).isSameAs(before.get("edge"));
    assertThat(after.get("internal")).isNotEqualTo(before.get("internal"));
    assertThat(after.get("internal").listeners())
        .as("what comes from the policies alone is kept")
        .isSameAs(before.get("internal").listeners());
  }

  @Test
  void theUnchangedClustersOfAGatewayAreTheSameObjects() throws Exception {
    Input in = load("multiple-gateways");
    IncrementalCompiler incremental = new IncrementalCompiler();
    ProxyConfig before = incremental.compile(in.catalog(), in.policies()).get("edge");

    ProxyConfig after =
        incremental
            .compile(
                with(
                    in.catalog(),
                    new Service("users", List.of(ServiceInstance.of("127.0.0.1", 9011)))),
                in.policies())
            .get("edge");

    assertThat(after.clusters())
        .extracting(UpstreamCluster::name)
        .containsExactly("orders", "users");
    assertThat(after.clusters().get(0)).isSameAs(before.clusters().get(0));
    assertThat(after.clusters().get(1).endpoints())
        .extracting(Endpoint::port)
        .containsExactly(9011);
  }

  @Test
  void aPolicyChangeCompilesEverythingAgain() throws Exception {
    Input one = load("multiple-gateways");
    Input other = load("single-route");
    IncrementalCompiler incremental = new IncrementalCompiler();
    incremental.compile(one.catalog(), one.policies());

    assertThat(incremental.compile(one.catalog(), other.policies()))
        .isEqualTo(Compiler.compile(one.catalog(), other.policies()));
  }

  @Test
  void aPolicyChangeKeepsTheRoutesAndClustersItDidNotTouchAsTheSameObjects() throws Exception {
    Input in = load("multiple-gateways");
    IncrementalCompiler incremental = new IncrementalCompiler();
    ProxyConfig before = incremental.compile(in.catalog(), in.policies()).get("edge");
    var more = GoldenInputs.loadWith("multiple-gateways", GoldenInputs.ONE_MORE_ROUTE).policies();

    ProxyConfig after = incremental.compile(in.catalog(), more).get("edge");

    assertThat(after).isEqualTo(Compiler.compile(in.catalog(), more).get("edge"));
    List<HttpRoute> routesBefore = before.listeners().get(0).virtualHosts().get(0).routes();
    List<HttpRoute> routesAfter = after.listeners().get(0).virtualHosts().get(0).routes();
    assertThat(routesAfter)
        .extracting(HttpRoute::name)
        .containsExactly("users", "orders", "more-orders");
    assertThat(routesAfter.get(0)).isSameAs(routesBefore.get(0));
    assertThat(routesAfter.get(1)).isSameAs(routesBefore.get(1));
    assertThat(after.clusters()).hasSameSizeAs(before.clusters());
    for (int i = 0; i < after.clusters().size(); i++) {
      assertThat(after.clusters().get(i)).isSameAs(before.clusters().get(i));
    }
  }
}
