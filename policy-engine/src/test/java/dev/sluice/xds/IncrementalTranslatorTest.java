package dev.sluice.xds;

import static dev.sluice.GoldenInputs.changes;
import static dev.sluice.GoldenInputs.load;
import static dev.sluice.GoldenInputs.validCases;
import static dev.sluice.GoldenInputs.with;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import dev.sluice.GoldenInputs;
import dev.sluice.GoldenInputs.Input;
import dev.sluice.discovery.Service;
import dev.sluice.discovery.ServiceInstance;
import dev.sluice.ir.Compiler;
import dev.sluice.ir.IncrementalCompiler;
import dev.sluice.ir.ProxyConfig;
import dev.sluice.policy.PolicySet;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class IncrementalTranslatorTest {

  private static Map<String, XdsResources> fresh(Map<String, ProxyConfig> groups) {
    Map<String, XdsResources> out = new TreeMap<>();
    groups.forEach((g, ir) -> out.put(g, Translator.translate(ir)));
    return out;
  }

  /** Every resource of a group as type/name → content hash. */
  private static Map<String, String> versions(XdsResources r) {
    Map<String, String> out = new TreeMap<>();
    r.listeners().forEach(m -> out.put("listener/" + m.getName(), ContentHash.of(m)));
    r.routes().forEach(m -> out.put("route/" + m.getName(), ContentHash.of(m)));
    r.clusters().forEach(m -> out.put("cluster/" + m.getName(), ContentHash.of(m)));
    r.endpoints().forEach(m -> out.put("endpoint/" + m.getClusterName(), ContentHash.of(m)));
    r.secrets().forEach(m -> out.put("secret/" + m.getName(), ContentHash.of(m)));
    return out;
  }

  private static List<Message> all(XdsResources r) {
    List<Message> out = new ArrayList<>();
    out.addAll(r.listeners());
    out.addAll(r.routes());
    out.addAll(r.clusters());
    out.addAll(r.endpoints());
    out.addAll(r.secrets());
    return out;
  }

  @TestFactory
  Stream<DynamicTest> everyRegistryChangeTranslatesToWhatAFreshTranslationGives() throws Exception {
    return validCases().stream()
        .map(
            name ->
                DynamicTest.dynamicTest(
                    name,
                    () -> {
                      Input in = load(name);
                      IncrementalCompiler compiler = new IncrementalCompiler();
                      IncrementalTranslator translator = new IncrementalTranslator();
                      translator.translate(compiler.compile(in.catalog(), in.policies()));
                      changes(in.catalog())
                          .forEach(
                              (change, catalog) -> {
                                Map<String, ProxyConfig> ir =
                                    compiler.compile(catalog, in.policies());
                                assertThat(translator.translate(ir))
                                    .as(change)
                                    .isEqualTo(fresh(ir));
                                Map<String, ProxyConfig> back =
                                    compiler.compile(in.catalog(), in.policies());
                                assertThat(translator.translate(back))
                                    .as(change + ", undone")
                                    .isEqualTo(fresh(back));
                              });
                    }));
  }

  @Test
  void anUnchangedGroupIsNotTranslatedAgain() throws Exception {
    Input in = load("multiple-gateways");
    IncrementalCompiler compiler = new IncrementalCompiler();
    IncrementalTranslator translator = new IncrementalTranslator();
    Map<String, XdsResources> before =
        translator.translate(compiler.compile(in.catalog(), in.policies()));

    // admin is routed by the internal gateway only
    Map<String, XdsResources> after =
        translator.translate(
            compiler.compile(
                with(
                    in.catalog(),
                    new Service("admin", List.of(ServiceInstance.of("127.0.0.1", 9010)))),
                in.policies()));

    assertThat(after.get("edge")).isSameAs(before.get("edge"));
    assertThat(after.get("internal")).isNotEqualTo(before.get("internal"));
  }

  @Test
  void anEqualConfigBuiltAnewIsNotTranslatedAgain() throws Exception {
    Input in = load("edge-auth");
    IncrementalTranslator translator = new IncrementalTranslator();
    Map<String, XdsResources> before =
        translator.translate(Compiler.compile(in.catalog(), in.policies()));

    Map<String, XdsResources> after =
        translator.translate(Compiler.compile(in.catalog(), in.policies()));

    assertThat(after).allSatisfy((group, r) -> assertThat(r).isSameAs(before.get(group)));
  }

  @Test
  void oneServicesEndpointChangeChangesOnlyItsEndpointResource() throws Exception {
    Input in = load("multiple-gateways");
    IncrementalCompiler compiler = new IncrementalCompiler();
    IncrementalTranslator translator = new IncrementalTranslator();
    XdsResources before =
        translator.translate(compiler.compile(in.catalog(), in.policies())).get("edge");

    XdsResources after =
        translator
            .translate(
                compiler.compile(
                    with(
                        in.catalog(),
                        new Service("users", List.of(ServiceInstance.of("127.0.0.1", 9011)))),
                    in.policies()))
            .get("edge");

    Map<String, String> was = versions(before);
    Map<String, String> now = versions(after);
    assertThat(now.keySet()).isEqualTo(was.keySet());
    assertThat(now.keySet().stream().filter(k -> !now.get(k).equals(was.get(k))))
        .containsExactly("endpoint/users");
    // and every other resource is the very same object: nothing is encoded or compared again
    ClusterLoadAssignment users =
        after.endpoints().stream()
            .filter(c -> c.getClusterName().equals("users"))
            .findFirst()
            .orElseThrow();
    List<Message> kept = all(after).stream().filter(m -> m != users).toList();
    assertThat(kept)
        .allSatisfy(m -> assertThat(all(before)).anySatisfy(b -> assertThat(b).isSameAs(m)));
  }

  @Test
  void aPolicyChangeTranslatesTheGroupAgain() throws Exception {
    Input one = load("multiple-gateways");
    Input other = load("single-route");
    IncrementalTranslator translator = new IncrementalTranslator();
    translator.translate(Compiler.compile(one.catalog(), one.policies()));

    Map<String, ProxyConfig> changed = Compiler.compile(one.catalog(), other.policies());

    assertThat(translator.translate(changed)).isEqualTo(fresh(changed));
  }

  @Test
  void aNewRouteChangesOnlyTheRouteTableAndEveryOtherResourceIsLastTimesObject() throws Exception {
    Input in = load("multiple-gateways");
    IncrementalCompiler compiler = new IncrementalCompiler();
    IncrementalTranslator translator = new IncrementalTranslator();
    XdsResources before =
        translator.translate(compiler.compile(in.catalog(), in.policies())).get("edge");
    PolicySet more =
        GoldenInputs.loadWith("multiple-gateways", GoldenInputs.ONE_MORE_ROUTE).policies();

    Map<String, ProxyConfig> ir = compiler.compile(in.catalog(), more);
    XdsResources after = translator.translate(ir).get("edge");

    assertThat(after).isEqualTo(fresh(ir).get("edge"));
    Map<String, String> was = versions(before);
    Map<String, String> now = versions(after);
    assertThat(now.keySet().stream().filter(k -> !now.get(k).equals(was.get(k))))
        .containsExactly("route/http-8080");
    List<Message> kept =
        all(after).stream().filter(m -> !(m instanceof RouteConfiguration)).toList();
    assertThat(kept)
        .isNotEmpty()
        .allSatisfy(m -> assertThat(all(before)).anySatisfy(b -> assertThat(b).isSameAs(m)));
    // within the changed table, the entries of the routes that were there are last time's too
    List<Route> entriesBefore = before.routes().get(0).getVirtualHosts(0).getRoutesList();
    List<Route> entriesAfter = after.routes().get(0).getVirtualHosts(0).getRoutesList();
    assertThat(entriesAfter).hasSize(entriesBefore.size() + 1);
    assertThat(entriesAfter.stream().filter(r -> !r.getName().equals("more-orders")))
        .allSatisfy(r -> assertThat(entriesBefore).anySatisfy(w -> assertThat(w).isSameAs(r)));
  }
}
