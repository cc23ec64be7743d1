package dev.sluice.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaId;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.sluice.discovery.CatalogFileParser;
import dev.sluice.policy.PolicyLoader;
import dev.sluice.testing.RepoPaths;
import dev.sluice.yaml.Diagnostics;
import dev.sluice.yaml.YamlDocument;
import dev.sluice.yaml.YamlFiles;
import dev.sluice.yaml.YamlSyntaxException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JSON Schemas for editors ({@code schema/sluice-policy.schema.json}, {@code
 * schema/sluice-services.schema.json}) agree with the loader: every example and valid golden input
 * passes, and the invalid golden inputs fail — except the mistakes a schema cannot see because it
 * checks one document at a time or does not know RE2.
 */
class SchemaTest {
  private static final Path ROOT = RepoPaths.root();
  private static final Path GOLDEN = ROOT.resolve("policy-engine/src/test/resources/golden");
  private static final JsonSchemaFactory FACTORY =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
  private static final JsonSchema POLICY = schema("schema/sluice-policy.schema.json");
  private static final JsonSchema SERVICES = schema("schema/sluice-services.schema.json");

  /** Invalid golden cases that every single document of passes the schema, and why. */
  private static final Map<String, String> BEYOND_THE_SCHEMA =
      Map.of(
          "invalid-duplicate-route", "names must be unique across documents",
          "invalid-unknown-gateway", "a route's gateway is defined in another document",
          "invalid-bad-regex", "the schema does not know RE2's syntax",
          "invalid-rewrite",
              "a prefix rewrite needs a prefix match: a rule across two fields the schema leaves to the loader",
          "invalid-grpc-json",
              "what a descriptor set file holds is read by the loader, not by the schema",
          "invalid-mesh-gateway-identity",
              "a Gateway and a Sidecar sharing a name are two documents");

  private static JsonSchema schema(String resource) {
    return FACTORY.getSchema(SchemaLocation.of("classpath:" + resource));
  }

  private static JsonNode json(String resource) throws IOException {
    try (InputStream in = SchemaTest.class.getClassLoader().getResourceAsStream(resource)) {
      assertThat(in).as(resource).isNotNull();
      return new ObjectMapper().readTree(in);
    }
  }

  /** One document and what the schema says about it. */
  record Checked(Path file, YamlDocument doc, Set<ValidationMessage> messages) {
    boolean valid() {
      return messages.isEmpty();
    }

    @Override
    public String toString() {
      return file.getFileName()
          + " document "
          + doc.index()
          + " (line "
          + doc.start().line()
          + "): "
          + messages;
    }
  }

  /**
   * Each document of a file checked against the registry schema if it is one, else the policy
   * schema.
   */
  static List<Checked> check(Path file) throws Exception {
    List<Checked> out = new ArrayList<>();
    for (YamlDocument doc : YamlFiles.read(file)) {
      boolean registry = doc.root().isObject() && doc.root().has("services");
      out.add(new Checked(file, doc, (registry ? SERVICES : POLICY).validate(doc.root())));
    }
    return out;
  }

  private static List<Path> yamlFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  private static List<Path> goldenCases() throws IOException {
    try (Stream<Path> s = Files.list(GOLDEN)) {
      return s.filter(p -> Files.isRegularFile(p.resolve("in.yaml"))).sorted().toList();
    }
  }

  @Test
  void theSchemasAreValidDraft2020_12() throws Exception {
    JsonSchema meta = FACTORY.getSchema(SchemaLocation.of(SchemaId.V202012));
    assertThat(meta.validate(json("schema/sluice-policy.schema.json"))).isEmpty();
    assertThat(meta.validate(json("schema/sluice-services.schema.json"))).isEmpty();
  }

  @TestFactory
  Stream<DynamicTest> composeExamplesPass() throws IOException {
    List<Path> files = new ArrayList<>(yamlFiles(ROOT.resolve("compose/demo/policies")));
    files.addAll(yamlFiles(ROOT.resolve("compose/validate-examples/warnings-only")));
    files.add(ROOT.resolve("compose/demo/services.yaml"));
    assertThat(files).hasSizeGreaterThanOrEqualTo(3);
    return files.stream()
        .map(
            f ->
                DynamicTest.dynamicTest(
                    ROOT.relativize(f).toString(),
                    () -> {
                      List<Checked> checked = check(f);
                      assertThat(checked).isNotEmpty();
                      assertThat(checked)
                          .allSatisfy(c -> assertThat(c.valid()).as("%s", c).isTrue());
                    }));
  }

  @TestFactory
  Stream<DynamicTest> validGoldenInputsPass() throws IOException {
    return goldenCases().stream()
        .filter(d -> !d.getFileName().toString().startsWith("invalid-"))
        .map(
            d ->
                DynamicTest.dynamicTest(
                    d.getFileName().toString(),
                    () ->
                        assertThat(check(d.resolve("in.yaml")))
                            .allSatisfy(c -> assertThat(c.valid()).as("%s", c).isTrue())));
  }

  @TestFactory
  Stream<DynamicTest> invalidGoldenInputsFail() throws IOException {
    List<Path> invalid =
        goldenCases().stream()
            .filter(d -> d.getFileName().toString().startsWith("invalid-"))
            .toList();
    assertThat(invalid.stream().map(d -> d.getFileName().toString()))
        .containsAll(BEYOND_THE_SCHEMA.keySet());
    return invalid.stream()
        .map(
            d ->
                DynamicTest.dynamicTest(
                    d.getFileName().toString(),
                    () -> {
                      String name = d.getFileName().toString();
                      List<Checked> checked;
                      try {
                        checked = check(d.resolve("in.yaml"));
                      } catch (YamlSyntaxException e) {
                        return; // not YAML: no schema can accept it, and editors flag it as such
                      }
                      if (BEYOND_THE_SCHEMA.containsKey(name)) {
                        assertThat(checked)
                            .as("the schema cannot tell: %s", BEYOND_THE_SCHEMA.get(name))
                            .allSatisfy(c -> assertThat(c.valid()).as("%s", c).isTrue());
                      } else {
                        assertThat(checked)
                            .as("some document of %s must fail the schema", name)
                            .anyMatch(c -> !c.valid());
                      }
                    }));
  }

  @Test
  void theMistakesExamplesFailDocumentByDocument() throws Exception {
    Path dir = ROOT.resolve("compose/validate-examples/mistakes");
    List<String> failing = new ArrayList<>();
    List<String> passing = new ArrayList<>();
    for (Path f : yamlFiles(dir)) {
      for (Checked c : check(f)) {
        String id =
            f.getFileName()
                + ":"
                + c.doc().start().line()
                + " "
                + c.doc().root().path("name").asText();
        (c.valid() ? passing : failing).add(id);
      }
    }
    assertThat(failing)
        .containsExactly(
            "gateway.yaml:7 internal", // port 70000
            "orders.yaml:2 orders", // timeout: 30 seconds
            "orders.yaml:10 orders-canary", // weights all 0
            "users.yaml:2 users", // timout
            "users.yaml:24 avatars"); // no 'to', timeout: [5s]
    assertThat(passing)
        .containsExactly(
            "gateway.yaml:2 edge",
            "orders.yaml:23 order-by-id", // a look-ahead: RE2 syntax is beyond the schema
            "users.yaml:10 users-admin", // shadowed: only a warning
            "users.yaml:17 orders", // a duplicate name: another document
            "users.yaml:31 invoices"); // an unknown service: only a warning
  }

  /**
   * Route documents on which the schema and the loader must agree. Each is read after a valid
   * Gateway document; the loader's verdict (any error or none) must equal the schema's.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "to: users",
        "to: {service: users, weight: 3}",
        "to: {service: users, weight: 0}",
        "to: [users, {service: users-v2, weight: 0}]",
        "to: [{service: users, weight: 0}, {service: users-v2, weight: 0}]",
        "to: []",
        "to: [Users]",
        "to: {service: users, weight: -1}",
        "to: {service: users, wieght: 1}",
        "match: {prefix: /a}\nto: a",
        "match: {prefix: a}\nto: a",
        "match: {prefix: /a, exact: /a}\nto: a",
        "match: {regex: '^/a/[0-9]+$'}\nto: a",
        "match: {methods: get}\nto: a",
        "match: {methods: [GET, Post]}\nto: a",
        "match: {methods: [FETCH]}\nto: a",
        "match: {headers: {x-a: b, x-b: 1, x-c: {exact: c}, x-d: {regex: d}, x-e: {present: false}}}\nto: a",
        "match: {headers: {x-a: true}}\nto: a",
        "match: {headers: {x-a: {exact: a, regex: b}}}\nto: a",
        "match: {headers: {x-a: {present: yes please}}}\nto: a",
        "match: {headers: {'x a': b}}\nto: a",
        "hosts: api.example.com\nto: a",
        "hosts: [api.example.com, '*.example.com', 'api.example.com:8080']\nto: a",
        "hosts: ['a b']\nto: a",
        "timeout: 0s\nto: a",
        "timeout: 1.5s\nto: a",
        "timeout: 10\nto: a",
        "gateway: edge\nto: a",
        "retries: 3\nto: a",
      })
  void schemaAndLoaderAgreeOnRoutes(String body) throws Exception {
    String gateway = "kind: Gateway\nname: edge\nport: 8080\n";
    String route = "kind: Route\nname: r\n" + body + "\n";
    List<YamlDocument> docs = YamlFiles.parse(Path.of("p.yaml"), gateway + "---\n" + route);
    boolean loaderAccepts = !PolicyLoader.fromDocuments(docs, new Diagnostics()).hasErrors();
    Set<ValidationMessage> messages = POLICY.validate(docs.get(1).root());
    assertThat(messages.isEmpty())
        .as(
            "schema %s, loader %s",
            messages,
            loaderAccepts
                ? "accepts"
                : PolicyLoader.fromDocuments(docs, new Diagnostics()).findings())
        .isEqualTo(loaderAccepts);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "kind: Gateway\nname: edge\nport: 8080",
        "kind: Gateway\nname: edge\nport: 8080\naddress: 127.0.0.1\nhosts: []",
        "kind: Gateway\nname: edge\nport: 0",
        "kind: Gateway\nname: edge\nport: '8080'",
        "kind: Gateway\nname: edge",
        "kind: Gateway\nname: Edge\nport: 8080",
        "kind: Gateway\nname: edge\nport: 8080\nhosts: {a: b}",
        "kind: Listener\nname: edge\nport: 8080",
        "name: edge\nport: 8080",
        // tls: paths are relative to p.yaml, i.e. to the module folder the tests run in
        "kind: Gateway\nname: edge\nport: 8443\ntls: {certificate: src/test/resources/golden/gateway-tls/certs/edge.pem,"
            + " key: src/test/resources/golden/gateway-tls/certs/edge-key.pem, minVersion: 1.3}",
        "kind: Gateway\nname: edge\nport: 8443\ntls: {certificate: src/test/resources/golden/gateway-tls/certs/edge.pem,"
            + " key: src/test/resources/golden/gateway-tls/certs/edge-key.pem, minVersion: '1.1'}",
        "kind: Gateway\nname: edge\nport: 8443\ntls: {certificate: src/test/resources/golden/gateway-tls/certs/edge.pem}",
        "kind: Gateway\nname: edge\nport: 8443\ntls: {cert: a.pem, key: b.pem}",
        "kind: Gateway\nname: edge\nport: 8080\ntelemetry: {accessLog: {}, tracing: {collector: 'otel:4317', sampling: 12.5},"
            + " metrics: {prometheus: {port: 9102}}}",
        "kind: Gateway\nname: edge\nport: 8080\ntelemetry: {accessLog: {format: text, line: '%RESPONSE_CODE% %PATH(NQ)%'},"
            + " tracing: {collector: '[::1]'}}",
        "kind: Gateway\nname: edge\nport: 8080\ntelemetry: {accessLog: {fields: {status: '%RESPONSE_CODE%', off: '100%% off'}}}",
        "kind: Gateway\nname: edge\nport: 8080\ntelemetry: {accessLog: {format: text, fields: {a: '%RESPONSE_CODE%'}}}",
        "kind: Gateway\nname: edge\nport: 8080\ntelemetry: {accessLog: {line: '%RESPONSE_CODE%'}}",
        "kind: Gateway\nname: edge\nport: 8080\ntelemetry: {accessLog: {fields: {share: '100% off'}}}",
        "kind: Gateway\nname: edge\nport: 8080\ntelemetry: {accessLog: {fields: {}}}",
        "kind: Gateway\nname: edge\nport: 8080\ntelemetry: {tracing: {sampling: 10}}",
        "kind: Gateway\nname: edge\nport: 8080\ntelemetry: {tracing: {collector: 'http://otel:4317'}}",
        "kind: Gateway\nname: edge\nport: 8080\ntelemetry: {metrics: {prometheus: {path: /metrics}}}",
      })
  void schemaAndLoaderAgreeOnGateways(String yaml) throws Exception {
    List<YamlDocument> docs = YamlFiles.parse(Path.of("p.yaml"), yaml + "\n");
    boolean loaderAccepts = !PolicyLoader.fromDocuments(docs, new Diagnostics()).hasErrors();
    Set<ValidationMessage> messages = POLICY.validate(docs.get(0).root());
    assertThat(messages.isEmpty()).as("schema %s", messages).isEqualTo(loaderAccepts);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "services:\n  users: [127.0.0.1:9001]",
        "services:\n  users:\n  orders: []",
        "services:\n  users: [{address: 10.0.0.1, port: 80, id: u1, tags: [a], meta: {v: '1'}, health: Critical, zone: z, weight: 128}]",
        "services:\n  users: [127.0.0.1]",
        "services:\n  users: ['127.0.0.1:0']",
        "services:\n  users: [{address: 10.0.0.1}]",
        "services:\n  users: [{address: 10.0.0.1, port: 80, weight: 129}]",
        "services:\n  users: [{address: 10.0.0.1, port: 80, health: sick}]",
        "services:\n  users: [{address: 10.0.0.1, port: 80, prot: 80}]",
        "services:\n  Users: [127.0.0.1:9001]",
        "services:\n  users: 127.0.0.1:9001",
        "service:\n  users: [127.0.0.1:9001]",
      })
  void schemaAndParserAgreeOnTheRegistry(String yaml) throws Exception {
    List<YamlDocument> docs = YamlFiles.parse(Path.of("services.yaml"), yaml + "\n");
    Diagnostics d = new Diagnostics();
    boolean parserAccepts = CatalogFileParser.parse(docs, d).isPresent();
    Set<ValidationMessage> messages = SERVICES.validate(docs.get(0).root());
    assertThat(messages.isEmpty())
        .as("schema %s, parser %s", messages, d.findings())
        .isEqualTo(parserAccepts);
  }

  @Test
  void messagesNameTheField() throws Exception {
    Path file = GOLDEN.resolve("invalid-unknown-field-typo/in.yaml");
    String messages = check(file).toString();
    assertThat(messages).contains("timout").contains("prefx");
    assertThat(check(GOLDEN.resolve("invalid-bad-duration/in.yaml")).toString())
        .contains("$.timeout");
    assertThat(check(GOLDEN.resolve("invalid-port-out-of-range/in.yaml")).toString())
        .contains("$.port");
  }
}
