package dev.sluice.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.yaml.Diagnostics;
import dev.sluice.yaml.Finding;
import dev.sluice.yaml.YamlFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CatalogFileParserTest {
  private static final Path FILE = Path.of("services.yaml");

  private record Parsed(Optional<ServiceCatalog> catalog, List<String> findings) {}

  private static Parsed parse(String yaml) throws Exception {
    Diagnostics d = new Diagnostics();
    Optional<ServiceCatalog> catalog = CatalogFileParser.parse(YamlFiles.parse(FILE, yaml), d);
    return new Parsed(catalog, d.findings().stream().map(Finding::format).toList());
  }

  private static List<String> errors(String yaml) throws Exception {
    Parsed p = parse(yaml);
    assertThat(p.catalog()).as("a registry with errors gives no catalog").isEmpty();
    return p.findings();
  }

  @Test
  void shorthandIsAddressColonPort() throws Exception {
    Parsed p =
        parse(
            """
        services:
          users:
            - 127.0.0.1:9001
            - 127.0.0.1:9003
          orders:
            - 10.0.0.7:80
        """);
    assertThat(p.findings()).isEmpty();
    ServiceCatalog c = p.catalog().orElseThrow();
    assertThat(c.services().keySet()).containsExactly("orders", "users");
    assertThat(c.service("users").orElseThrow().instances())
        .containsExactly(
            ServiceInstance.of("127.0.0.1", 9001), ServiceInstance.of("127.0.0.1", 9003));
    ServiceInstance i = c.service("orders").orElseThrow().instances().get(0);
    assertThat(i.id()).isEqualTo("10.0.0.7:80");
    assertThat(i.health()).isEqualTo(Health.PASSING);
    assertThat(i.weight()).isEqualTo(1);
    assertThat(i.zone()).isEmpty();
    assertThat(i.tags()).isEmpty();
  }

  @Test
  void fullFormReadsEveryField() throws Exception {
    Parsed p =
        parse(
            """
        services:
          users:
            - id: users-1
              address: 10.0.0.1
              port: 8080
              tags: [v1, canary]
              meta: {version: "1.2", team: identity}
              health: warning
              zone: eu-west-1a
              weight: 5
            - address: 10.0.0.2
              port: 8080
              tags: v2
              health: CRITICAL
        """);
    assertThat(p.findings()).isEmpty();
    List<ServiceInstance> instances =
        p.catalog().orElseThrow().service("users").orElseThrow().instances();
    assertThat(instances)
        .containsExactly(
            new ServiceInstance(
                "10.0.0.2:8080",
                "10.0.0.2",
                8080,
                List.of("v2"),
                Map.of(),
                Health.CRITICAL,
                "",
                "",
                1),
            new ServiceInstance(
                "users-1",
                "10.0.0.1",
                8080,
                List.of("v1", "canary"),
                Map.of("team", "identity", "version", "1.2"),
                Health.WARNING,
                "",
                "eu-west-1a",
                5));
  }

  @Test
  void aServiceWithNoInstancesIsKnownButEmpty() throws Exception {
    Parsed p =
        parse(
            """
        services:
          payments:
          billing: []
        """);
    assertThat(p.findings()).isEmpty();
    assertThat(p.catalog().orElseThrow().service("payments").orElseThrow().instances()).isEmpty();
    assertThat(p.catalog().orElseThrow().service("billing").orElseThrow().instances()).isEmpty();
  }

  @Test
  void servicesMaySpreadOverSeveralDocuments() throws Exception {
    Parsed p =
        parse(
            """
        services:
          users: [127.0.0.1:9001]
        ---
        services:
          orders: [127.0.0.1:9002]
        """);
    assertThat(p.catalog().orElseThrow().services().keySet()).containsExactly("orders", "users");
  }

  @Test
  void noDocumentsGiveAnEmptyCatalog() throws Exception {
    assertThat(parse("# nothing registered yet\n").catalog()).contains(ServiceCatalog.EMPTY);
  }

  @Test
  void equalFilesGiveEqualCatalogs() throws Exception {
    String a = "services:\n  users: [127.0.0.1:9002, 127.0.0.1:9001]\n";
    String b = "services:\n  users: [127.0.0.1:9001, 127.0.0.1:9002]\n";
    assertThat(parse(a).catalog()).isEqualTo(parse(b).catalog());
  }

  @Test
  void badShorthandIsReportedAtTheValue() throws Exception {
    assertThat(
            errors(
                """
        services:
          users:
            - 127.0.0.1
            - 127.0.0.1:http
            - 127.0.0.1:70000
        """))
        .containsExactly(
            "error: services.yaml:3:7: Service/users field services.users[0]: expected address:port or a map with address and port, got \"127.0.0.1\"",
            "error: services.yaml:4:7: Service/users field services.users[1]: port in \"127.0.0.1:http\" is not a number in 1..65535",
            "error: services.yaml:5:7: Service/users field services.users[2]: port in \"127.0.0.1:70000\" is not a number in 1..65535");
  }

  @Test
  void fullFormErrorsHavePositionsAndFieldPaths() throws Exception {
    assertThat(
            errors(
                """
        services:
          users:
            - address: 10.0.0.1
              prot: 8080
            - address: 10.0.0.2
              port: "http"
              health: sick
              weight: 500
            - port: 8080
        """))
        .containsExactly(
            "error: services.yaml:3:7: Service/users field services.users[0].port: required field is missing",
            "error: services.yaml:4:7: Service/users field services.users[0].prot: unknown field 'prot' (did you mean 'port'?)",
            "error: services.yaml:6:13: Service/users field services.users[1].port: expected a whole number, got a string \"http\"",
            "error: services.yaml:7:15: Service/users field services.users[1].health: expected passing, warning or critical, got \"sick\"",
            "error: services.yaml:8:15: Service/users field services.users[1].weight: 500 is out of range 1..128",
            "error: services.yaml:9:7: Service/users field services.users[2].address: required field is missing");
  }

  @Test
  void badServiceNamesAndDuplicates() throws Exception {
    assertThat(
            errors(
                """
        services:
          Users_API!:
            - 127.0.0.1:9001
          orders:
            - 127.0.0.1:9002
            - address: 127.0.0.1
              port: 9002
        ---
        services:
          orders: [127.0.0.1:9009]
        """))
        .containsExactly(
            "error: services.yaml:2:3: Service/Users_API! field services.Users_API!: service names are lower-case letters, digits, '-', '_' and '.', at most 63 characters",
            "error: services.yaml:6:7: Service/orders field services.orders[1]: duplicate instance 127.0.0.1:9002",
            "error: services.yaml:10:3: Service/orders field services.orders: service is defined twice");
  }

  @Test
  void wrongShapes() throws Exception {
    assertThat(
            errors(
                """
        service:
          users: [127.0.0.1:9001]
        """))
        .containsExactly(
            "error: services.yaml:1:1: field service: unknown field 'service' (did you mean 'services'?)");
    assertThat(
            errors(
                """
        services:
          - users
        """))
        .containsExactly(
            "error: services.yaml:2:3: field services: expected a map of service name → instances, got a list");
    assertThat(
            errors(
                """
        services:
          users: 127.0.0.1:9001
        """))
        .containsExactly(
            "error: services.yaml:2:10: Service/users field services.users: expected a list of instances, got a string");
    assertThat(errors("- users\n"))
        .containsExactly("error: services.yaml:1:1: expected a map, got a list");
  }
}
