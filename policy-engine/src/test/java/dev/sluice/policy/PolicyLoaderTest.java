package dev.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import dev.sluice.discovery.Service;
import dev.sluice.discovery.ServiceCatalog;
import dev.sluice.discovery.ServiceInstance;
import dev.sluice.policy.gateway.GatewaySpec;
import dev.sluice.policy.route.RouteSpec;
import dev.sluice.policy.route.RouteSpec.Backend;
import dev.sluice.policy.route.RouteSpec.HeaderMatch;
import dev.sluice.policy.route.RouteSpec.PathMatch;
import dev.sluice.yaml.Diagnostics;
import dev.sluice.yaml.Finding;
import dev.sluice.yaml.Position;
import dev.sluice.yaml.Severity;
import dev.sluice.yaml.YamlFiles;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loader and validators: exact messages, 1-based positions, every mistake in one run. */
class PolicyLoaderTest {
  private static final Path FILE = Path.of("p.yaml");
  private static final String GATEWAY =
      """
      kind: Gateway
      name: edge
      port: 8080
      ---
      """;

  private static PolicyLoader.Result load(String yaml) throws Exception {
    return PolicyLoader.fromDocuments(YamlFiles.parse(FILE, yaml), new Diagnostics());
  }

  private static List<String> findings(String yaml) throws Exception {
    return load(yaml).findings().stream().map(Finding::format).toList();
  }

  /** Findings of input that must be rejected: no policy set comes back. */
  private static List<String> errors(String yaml) throws Exception {
    PolicyLoader.Result r = load(yaml);
    assertThat(r.hasErrors()).isTrue();
    assertThat(r.policies()).as("any error means no policy set").isEmpty();
    return r.findings().stream().map(Finding::format).toList();
  }

  private static PolicySet valid(String yaml) throws Exception {
    PolicyLoader.Result r = load(yaml);
    assertThat(r.findings()).isEmpty();
    return r.policies().orElseThrow();
  }

  @Test
  void aValidSetWithDefaults() throws Exception {
    PolicySet set =
        valid(
            GATEWAY
                + """
        kind: Route
        name: users
        to: users
        """);
    GatewaySpec g = set.gateway("edge").orElseThrow();
    assertThat(g.listen().address()).isEqualTo("0.0.0.0");
    assertThat(g.listen().port()).isEqualTo(8080);
    assertThat(g.listen().hosts()).containsExactly("*");
    assertThat(g.source()).isEqualTo(new Source(FILE, new Position(1, 1)));
    RouteSpec r = set.routes().get(0);
    assertThat(r.gateway()).as("the only gateway is the default").isEqualTo("edge");
    assertThat(r.hosts()).as("empty means the gateway's").isEmpty();
    assertThat(r.path()).isEqualTo(PathMatch.ALL);
    assertThat(r.headers()).isEmpty();
    assertThat(r.methods()).isEmpty();
    assertThat(r.timeout()).isEqualTo(Duration.ofSeconds(15));
    assertThat(r.backends())
        .containsExactly(new Backend("users", List.of(), 1, new Source(FILE, new Position(7, 5))));
    assertThat(r.source()).isEqualTo(new Source(FILE, new Position(5, 1)));
  }

  @Test
  void everyFieldIsRead() throws Exception {
    PolicySet set =
        valid(
            """
        kind: Gateway
        name: edge
        address: 127.0.0.1
        port: 8443
        hosts: [api.example.com, "*.example.org"]
        ---
        kind: Route
        name: users
        gateway: edge
        hosts: api.example.com
        match:
          regex: ^/users/[0-9]+$
          methods: [get, POST, GET]
          headers:
            X-Canary: "true"
            x-user: {regex: "^u-[0-9]+$"}
            x-debug: {present: true}
            x-internal: {present: false}
            x-version: {exact: v2}
        to:
          - service: users
            weight: 90
          - users-v2
        timeout: 250ms
        """);
    GatewaySpec g = set.gateways().get(0);
    assertThat(g.listen().address()).isEqualTo("127.0.0.1");
    assertThat(g.listen().hosts()).containsExactly("api.example.com", "*.example.org");
    RouteSpec r = set.routes().get(0);
    assertThat(r.hosts()).containsExactly("api.example.com");
    assertThat(r.path()).isEqualTo(new PathMatch(PathMatch.Type.REGEX, "^/users/[0-9]+$"));
    assertThat(r.methods()).containsExactly("GET", "POST");
    assertThat(r.headers())
        .containsExactly(
            new HeaderMatch("x-canary", HeaderMatch.Type.EXACT, "true"),
            new HeaderMatch("x-user", HeaderMatch.Type.REGEX, "^u-[0-9]+$"),
            new HeaderMatch("x-debug", HeaderMatch.Type.PRESENT, ""),
            new HeaderMatch("x-internal", HeaderMatch.Type.ABSENT, ""),
            new HeaderMatch("x-version", HeaderMatch.Type.EXACT, "v2"));
    assertThat(r.backends())
        .extracting(Backend::service, Backend::weight)
        .containsExactly(Tuple.tuple("users", 90), Tuple.tuple("users-v2", 1));
    assertThat(r.timeout()).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void durationsInEveryUnit() throws Exception {
    for (var c :
        List.of(
            new Object[] {"250ms", Duration.ofMillis(250)},
            new Object[] {"2s", Duration.ofSeconds(2)},
            new Object[] {"1m", Duration.ofMinutes(1)},
            new Object[] {"1h", Duration.ofHours(1)},
            new Object[] {"0s", Duration.ZERO})) {
      PolicySet set = valid(GATEWAY + "kind: Route\nname: r\nto: a\ntimeout: " + c[0] + "\n");
      assertThat(set.routes().get(0).timeout()).as("%s", c[0]).isEqualTo(c[1]);
    }
  }

  @Test
  void typoInAKeySuggestsTheField() throws Exception {
    assertThat(
            errors(
                GATEWAY
                    + """
        kind: Route
        name: users
        match:
          prefx: /users
        to: users
        timout: 2s
        """))
        .containsExactly(
            "error: p.yaml:8:3: Route/users field match.prefx: unknown field 'prefx' (did you mean 'prefix'?)",
            "error: p.yaml:10:1: Route/users field timout: unknown field 'timout' (did you mean 'timeout'?)");
    assertThat(
            errors(
                """
        kind: Gateway
        name: edge
        port: 8080
        adress: 0.0.0.0
        listener: x
        """))
        .containsExactly(
            "error: p.yaml:4:1: Gateway/edge field adress: unknown field 'adress' (did you mean 'address'?)",
            "error: p.yaml:5:1: Gateway/edge field listener: unknown field 'listener'");
  }

  @Test
  void badDuration() throws Exception {
    assertThat(
            errors(
                GATEWAY
                    + """
        kind: Route
        name: users
        to: users
        timeout: 2 seconds
        """))
        .containsExactly(
            "error: p.yaml:8:10: Route/users field timeout: invalid duration \"2 seconds\" (write it like 250ms, 2s, 1m or 1h)");
    assertThat(errors(GATEWAY + "kind: Route\nname: a\nto: a\ntimeout: 5\n"))
        .containsExactly(
            "error: p.yaml:8:10: Route/a field timeout: invalid duration \"5\" (write it like 250ms, 2s, 1m or 1h)");
    assertThat(errors(GATEWAY + "kind: Route\nname: a\nto: a\ntimeout: 1.5s\n"))
        .containsExactly(
            "error: p.yaml:8:10: Route/a field timeout: invalid duration \"1.5s\" (write it like 250ms, 2s, 1m or 1h)");
    assertThat(errors(GATEWAY + "kind: Route\nname: a\nto: a\ntimeout: 99999999999999999999h\n"))
        .containsExactly(
            "error: p.yaml:8:10: Route/a field timeout: duration \"99999999999999999999h\" is too long (at most 315576000000s)");
    assertThat(errors(GATEWAY + "kind: Route\nname: a\nto: a\ntimeout: 100000000h\n"))
        .containsExactly(
            "error: p.yaml:8:10: Route/a field timeout: duration \"100000000h\" is too long (at most 315576000000s)");
  }

  @Test
  void duplicateRouteNameAcrossTwoFiles(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("a.yaml"), GATEWAY + "kind: Route\nname: users\nto: users\n");
    Files.writeString(
        dir.resolve("b.yaml"), "# the same name again\nkind: Route\nname: users\nto: users-v2\n");
    PolicyLoader.Result r = PolicyLoader.load(dir);
    assertThat(r.policies()).isEmpty();
    assertThat(r.findings())
        .extracting(Finding::format)
        .containsExactly(
            "error: "
                + dir.resolve("b.yaml")
                + ":3:7: Route/users field name: duplicate name: Route/users is already defined at "
                + dir.resolve("a.yaml")
                + ":5:1");
  }

  @Test
  void aGatewayAndARouteMayShareAName() throws Exception {
    assertThat(valid(GATEWAY + "kind: Route\nname: edge\nto: edge\n").routes()).hasSize(1);
  }

  @Test
  void missingRequiredFields() throws Exception {
    assertThat(
            errors(
                """
        kind: Gateway
        name: edge
        ---
        kind: Route
        match:
          prefix: /users
        to: users
        ---
        kind: Route
        name: orders
        match:
          prefix: /orders
        ---
        kind: Route
        name: nothing
        to:
        ---
        name: no-kind
        """))
        .containsExactly(
            "error: p.yaml:1:1: Gateway/edge field port: required field is missing",
            "error: p.yaml:4:1: field name: required field is missing",
            "error: p.yaml:9:1: Route/orders field to: required field is missing: name the service to send traffic to, e.g. 'to: users'",
            "error: p.yaml:16:4: Route/nothing field to: required field is missing: name the service to send traffic to, e.g. 'to: users'",
            "error: p.yaml:18:1: field kind: required field is missing");
  }

  @Test
  void emptyValues() throws Exception {
    assertThat(
            errors(GATEWAY + "kind: Route\nname: \"\"\nto: a\n---\nkind: Route\nname: b\nto: []\n"))
        .containsExactly(
            "error: p.yaml:6:7: field name: must not be empty",
            "error: p.yaml:11:5: Route/b field to: needs at least one service");
  }

  @Test
  void wrongTypes() throws Exception {
    assertThat(
            errors(
                """
        kind: Gateway
        name: edge
        port: "abc"
        ---
        kind: Route
        name: users
        to: users
        timeout: [1]
        """))
        .containsExactly(
            "error: p.yaml:3:7: Gateway/edge field port: expected a whole number, got a string \"abc\"",
            "error: p.yaml:8:10: Route/users field timeout: expected a duration like 250ms, 2s, 1m or 1h, got a list");
    assertThat(
            errors(
                """
        kind: Gateway
        name: edge
        port: 8080.5
        hosts: {a: b}
        ---
        kind: Route
        name: users
        match: /users
        to: {service: users, weight: ten}
        """))
        .containsExactly(
            "error: p.yaml:3:7: Gateway/edge field port: expected a whole number, got a number",
            "error: p.yaml:4:8: Gateway/edge field hosts: expected a list of strings, got a map",
            "error: p.yaml:8:8: Route/users field match: expected a map, got a string",
            "error: p.yaml:9:30: Route/users field to.weight: expected a whole number, got a string \"ten\"");
    assertThat(
            errors(
                GATEWAY
                    + """
        kind: Route
        name: users
        match:
          prefix: [/a]
          headers: [x-a]
        to: users
        """))
        .containsExactly(
            "error: p.yaml:8:11: Route/users field match.prefix: expected a string, got a list",
            "error: p.yaml:9:12: Route/users field match.headers: expected a map, got a list");
    assertThat(errors("- kind: Gateway\n"))
        .containsExactly(
            "error: p.yaml:1:1: a policy document is a map with kind and name, got a list");
  }

  @Test
  void badRegexes() throws Exception {
    assertThat(
            errors(
                GATEWAY
                    + """
        kind: Route
        name: by-id
        match:
          regex: ^/users/[0-9+$
        to: users
        ---
        kind: Route
        name: not-admin
        match:
          regex: ^/(?!admin).*
        to: users
        ---
        kind: Route
        name: look-ahead
        match:
          regex: ^/a(?=b)
        to: users
        ---
        kind: Route
        name: header
        match:
          headers:
            x-user: {regex: "(a)\\\\1"}
            x-id: {regex: "[0-9"}
        to: users
        """))
        .containsExactly(
            "error: p.yaml:8:10: Route/by-id field match.regex: invalid regex \"^/users/[0-9+$\" at column 9: missing ]: [0-9+$",
            "error: p.yaml:14:10: Route/not-admin field match.regex: invalid regex \"^/(?!admin).*\" at column 3: invalid perl operator: (?!",
            "error: p.yaml:20:10: Route/look-ahead field match.regex: invalid regex \"^/a(?=b)\" at column 4: invalid perl operator: (?=",
            "error: p.yaml:27:21: Route/header field match.headers.x-user.regex: invalid regex \"(a)\\1\" at column 4: invalid escape sequence: \\1",
            "error: p.yaml:28:19: Route/header field match.headers.x-id.regex: invalid regex \"[0-9\" at column 1: missing ]: [0-9");
  }

  @Test
  void aHugeRepeatCountIsAFindingAtItsFieldNotACrash() throws Exception {
    assertThat(
            errors(
                GATEWAY
                    + """
        kind: Route
        name: huge
        match:
          regex: a{1001}
        to: users
        ---
        kind: Route
        name: big
        match:
          headers:
            x-id: {regex: "[0-9]{0,100}"}
        to: users
        """))
        .containsExactly(
            "error: p.yaml:8:10: Route/huge field match.regex: invalid regex \"a{1001}\" at column 2: invalid repetition size: {1001}",
            "error: p.yaml:15:19: Route/big field match.headers.x-id.regex: invalid regex \"[0-9]{0,100}\": RE2 program size of 204 > max program size of 100, which Envoy refuses (write fewer or smaller repeats, or smaller classes)");
  }

  @Test
  void weightsSummingToZero() throws Exception {
    assertThat(
            errors(
                GATEWAY
                    + """
        kind: Route
        name: users
        to:
          - service: users
            weight: 0
          - {service: users-v2, weight: 0}
        """))
        .containsExactly(
            "error: p.yaml:8:3: Route/users field to: weights sum to 0: at least one service needs a weight above 0");
    assertThat(
            valid(
                    GATEWAY
                        + "kind: Route\nname: users\nto: [{service: a, weight: 0}, {service: b, weight: 1}]\n")
                .routes()
                .get(0)
                .backends())
        .extracting(Backend::weight)
        .containsExactly(0, 1);
    assertThat(errors(GATEWAY + "kind: Route\nname: users\nto: [{service: a, weight: -1}]\n"))
        .containsExactly(
            "error: p.yaml:7:27: Route/users field to[0].weight: -1 is out of range 0..1000000");
  }

  @Test
  void portOutOfRange() throws Exception {
    // The Gateway's own error only: its routes are not also told there is no gateway.
    assertThat(
            errors(
                """
        kind: Gateway
        name: edge
        port: 70000
        ---
        kind: Route
        name: users
        to: users
        ---
        kind: Route
        name: orders
        gateway: edge
        to: orders
        """))
        .containsExactly(
            "error: p.yaml:3:7: Gateway/edge field port: 70000 is out of range 1..65535");
    assertThat(errors("kind: Gateway\nname: edge\nport: 0\n"))
        .containsExactly("error: p.yaml:3:7: Gateway/edge field port: 0 is out of range 1..65535");
  }

  @Test
  void unknownKindSuggestsTheNearest() throws Exception {
    assertThat(errors("kind: Rout\nname: users\nto: users\n---\nkind: Listener\nname: x\n"))
        .containsExactly(
            "error: p.yaml:1:7: field kind: unknown kind \"Rout\" (did you mean Route?)",
            "error: p.yaml:5:7: field kind: unknown kind \"Listener\" (known kinds: Gateway, Route, Upstream, JwtProvider, Consumer, Mesh, Sidecar, ServiceAccess)");
    assertThat(errors("kind: route\nname: users\nto: users\n"))
        .containsExactly(
            "error: p.yaml:1:7: field kind: unknown kind \"route\" (did you mean Route?)");
  }

  @Test
  void namesAndHostsAndMethods() throws Exception {
    assertThat(
            errors(
                """
        kind: Gateway
        name: Edge_1
        port: 8080
        hosts: ["api example.com", "*.ok.com"]
        ---
        kind: Route
        name: users
        gateway: edge
        match:
          prefix: users
          methods: [GET, FETCH]
          headers:
            "x user": v
        to: Users
        """))
        .containsExactly(
            "error: p.yaml:2:7: field name: \"Edge_1\" is not a valid name: use lower-case letters, digits, '.', '_' and '-' (at most 63, starting and ending with a letter or digit)",
            "error: p.yaml:4:9: Gateway/Edge_1 field hosts[0]: \"api example.com\" is not a host name (examples: *, *.example.com, api.example.com)",
            "error: p.yaml:10:11: Route/users field match.prefix: a path must start with '/', got \"users\"",
            "error: p.yaml:11:18: Route/users field match.methods[1]: unknown HTTP method \"FETCH\"",
            "error: p.yaml:13:5: Route/users field match.headers.x user: \"x user\" is not a valid header name",
            "error: p.yaml:14:5: Route/users field to: \"Users\" is not a valid name: use lower-case letters, digits, '.', '_' and '-' (at most 63, starting and ending with a letter or digit)");
  }

  @Test
  void onlyOneWayToMatchAPathOrAHeader() throws Exception {
    assertThat(
            errors(
                GATEWAY
                    + """
        kind: Route
        name: users
        match:
          prefix: /users
          exact: /users
          headers:
            x-a: {exact: a, regex: b}
        to: users
        """))
        .containsExactly(
            "error: p.yaml:8:3: Route/users field match: give only one of prefix, exact and regex",
            "error: p.yaml:11:10: Route/users field match.headers.x-a: give exactly one of exact, regex and present");
  }

  @Test
  void routesAttachToTheirGateway() throws Exception {
    assertThat(errors("kind: Route\nname: users\nto: users\n"))
        .containsExactly(
            "error: p.yaml:1:1: Route/users field gateway: no Gateway is defined to attach this route to (add a document with kind: Gateway)");
    assertThat(
            errors(
                """
        kind: Gateway
        name: edge
        port: 8080
        ---
        kind: Gateway
        name: internal
        port: 9090
        ---
        kind: Route
        name: users
        to: users
        ---
        kind: Route
        name: orders
        gateway: egde
        to: orders
        """))
        .containsExactly(
            "error: p.yaml:9:1: Route/users field gateway: several gateways exist (edge, internal): name one with 'gateway:'",
            "error: p.yaml:13:1: Route/orders field gateway: unknown gateway \"egde\"");
  }

  @Test
  void severalDocumentsPerFileKeepTheirLines() throws Exception {
    String yaml =
        """
        # policies for the edge
        kind: Gateway
        name: edge
        port: 8080
        ---
        kind: Route
        name: users
        match:
          prefix: /users
        to: users
        ---

        # orders come second
        kind: Route
        name: orders
        match: {prefix: /orders}
        to: orders
        """;
    PolicySet set = valid(yaml);
    assertThat(set.routes()).extracting(RouteSpec::name).containsExactly("users", "orders");
    assertThat(set.gateways().get(0).source().position()).isEqualTo(new Position(2, 1));
    assertThat(set.routes().get(0).source().position()).isEqualTo(new Position(6, 1));
    assertThat(set.routes().get(1).source().position()).isEqualTo(new Position(14, 1));
    assertThat(set.routes().get(1).backends().get(0).source().position())
        .isEqualTo(new Position(17, 5));
    // An error in the third document is reported at its line in the file.
    assertThat(
            errors(yaml.replace("match: {prefix: /orders}", "match: {prefix: /orders, exakt: /x}")))
        .containsExactly(
            "error: p.yaml:16:26: Route/orders field match.exakt: unknown field 'exakt' (did you mean 'exact'?)");
  }

  @Test
  void everyMistakeOfEveryFileIsReported(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("a.yaml"), GATEWAY + "kind: Route\nname: a\nto: a\ntimeout: soon\n");
    Files.writeString(dir.resolve("b.yaml"), "kind: Route\nname: b\n  to: b\n");
    Files.writeString(dir.resolve("c.yml"), "kind: Route\nname: c\nto: c\nretry: 3\n");
    Files.writeString(dir.resolve(".hidden.yaml"), "this is: [not read\n");
    Files.writeString(dir.resolve("notes.txt"), "not read either");
    assertThat(PolicyLoader.load(dir).findings())
        .extracting(Finding::format)
        .containsExactly(
            "error: "
                + dir.resolve("a.yaml")
                + ":8:10: Route/a field timeout: invalid duration \"soon\" (write it like 250ms, 2s, 1m or 1h)",
            "error: "
                + dir.resolve("b.yaml")
                + ":3:5: invalid YAML: mapping values are not allowed here",
            // warnings about what could be read come with the errors
            "warning: "
                + dir.resolve("c.yml")
                + ":1:1: Route/c field match: never matches: route \"a\" at "
                + dir.resolve("a.yaml")
                + ":5:1 comes first and matches every request this one does",
            "error: " + dir.resolve("c.yml") + ":4:1: Route/c field retry: unknown field 'retry'");
  }

  /**
   * Writes the files the way the kubelet mounts a ConfigMap or Secret: the data in a timestamped
   * folder, {@code ..data} a link to it, each key a top-level link into {@code ..data}; an update
   * writes a new folder and swaps {@code ..data} in one rename.
   */
  static void configMap(Path dir, String stamp, Map<String, String> files) throws Exception {
    Path data = Files.createDirectory(dir.resolve("..2026_12_07_20_" + stamp + ".000000001"));
    for (var e : files.entrySet()) {
      Files.writeString(data.resolve(e.getKey()), e.getValue());
    }
    Path tmp = Files.createSymbolicLink(dir.resolve("..data_tmp"), data.getFileName());
    Files.move(
        tmp,
        dir.resolve("..data"),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    for (String name : files.keySet()) {
      if (!Files.isSymbolicLink(dir.resolve(name))) {
        Files.createSymbolicLink(dir.resolve(name), Path.of("..data", name));
      }
    }
  }

  @Test
  void aKubernetesConfigMapMountIsReadOnceAndItsAtomicUpdateIsSeen(@TempDir Path dir)
      throws Exception {
    configMap(
        dir,
        "00",
        Map.of("gateway.yaml", GATEWAY, "routes.yaml", "kind: Route\nname: users\nto: users\n"));
    ParsedFiles parsed = new ParsedFiles();
    PolicyLoader.Result first = PolicyLoader.load(dir, parsed);
    assertThat(first.findings()).as("nothing read twice from ..2026_…/ or ..data/").isEmpty();
    assertThat(first.policies().orElseThrow().routes())
        .extracting(r -> r.backends().get(0).service())
        .containsExactly("users");
    assertThat(first.policies().orElseThrow().routes().get(0).source().file())
        .isEqualTo(dir.resolve("routes.yaml"));

    configMap(
        dir,
        "01",
        Map.of("gateway.yaml", GATEWAY, "routes.yaml", "kind: Route\nname: users\nto: orders\n"));
    PolicyLoader.Result second = PolicyLoader.load(dir, parsed);
    assertThat(second.findings()).isEmpty();
    assertThat(second.policies().orElseThrow().routes())
        .extracting(r -> r.backends().get(0).service())
        .containsExactly("orders");
  }

  @Test
  void whatCannotBeReadAsAPolicyFileIsNamedInAWarning(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("gateway.yaml"), GATEWAY);
    Files.createSymbolicLink(dir.resolve("dangling.yaml"), Path.of("gone.yaml"));
    Files.createDirectory(dir.resolve("sub"));
    Files.createSymbolicLink(dir.resolve("sub/loop"), Path.of(".."));
    Path fifo = dir.resolve("pipe.yaml");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    Path elsewhere =
        Files.createDirectories(dir.resolve(".elsewhere")); // hidden: read through the link only
    Files.writeString(elsewhere.resolve("routes.yaml"), "kind: Route\nname: users\nto: users\n");
    Files.createSymbolicLink(dir.resolve("linked"), Path.of(".elsewhere"));
    Files.writeString(dir.resolve(".swap.yaml"), "not: [read\n");
    PolicyLoader.Result r = PolicyLoader.load(dir);
    assertThat(r.findings())
        .extracting(Finding::format)
        .containsExactly(
            "warning: "
                + dir.resolve("dangling.yaml")
                + ":1:1: not read: a link to nothing (it points at gone.yaml)",
            "warning: "
                + dir.resolve("pipe.yaml")
                + ":1:1: not read: not a regular file (a FIFO, socket or device)",
            "warning: "
                + dir.resolve("sub/loop")
                + ":1:1: not read: a link to a folder that contains it (a loop)");
    assertThat(r.policies().orElseThrow().routes()).as("a linked sub-folder is read").hasSize(1);
  }

  @Test
  void aFileLargerThanTheLimitIsRefusedBeforeItIsRead(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("gateway.yaml"), GATEWAY);
    Path big = dir.resolve("big.yaml");
    try (var out = FileChannel.open(big, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      out.write(ByteBuffer.wrap(new byte[] {'\n'}), 4L * 1024 * 1024); // sparse: 4 MiB + 1 byte
    }
    PolicyLoader.Result r = PolicyLoader.load(dir);
    assertThat(r.policies()).isEmpty();
    assertThat(r.findings())
        .extracting(Finding::format)
        .containsExactly(
            "error: "
                + big
                + ":1:1: the file is 4194305 bytes, more than the 4194304 a file may have (sluice.yaml.maxFileBytes): not read");
  }

  @Test
  void filesAreReadInPathOrderThenDocumentOrder(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("b"));
    // "b.yaml" sorts before "b/z.yaml": paths compare character by character and '.' < '/'.
    Files.writeString(
        dir.resolve("b/z.yaml"), "kind: Route\nname: third\nmatch: {prefix: /d}\nto: s\n");
    Files.writeString(
        dir.resolve("b.yaml"), "kind: Route\nname: second\nmatch: {prefix: /c}\nto: s\n");
    Files.writeString(
        dir.resolve("a.yaml"),
        GATEWAY
            + "kind: Route\nname: first\nmatch: {prefix: /a}\nto: s\n---\n"
            + "kind: Route\nname: first-b\nmatch: {prefix: /b}\nto: s\n");
    Files.writeString(
        dir.resolve("c.yaml"), "kind: Route\nname: fourth\nmatch: {prefix: /e}\nto: s\n");
    PolicyLoader.Result r = PolicyLoader.load(dir);
    assertThat(r.findings()).isEmpty();
    assertThat(r.policies().orElseThrow().routesOf("edge"))
        .extracting(RouteSpec::name)
        .containsExactly("first", "first-b", "second", "third", "fourth");
  }

  @Test
  void aSingleFileOrAMissingFolder(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("one.yaml");
    Files.writeString(file, GATEWAY + "kind: Route\nname: a\nto: a\n");
    assertThat(PolicyLoader.load(file).policies()).isPresent();
    assertThat(PolicyLoader.load(dir.resolve("absent")).findings())
        .extracting(Finding::format)
        .containsExactly("error: " + dir.resolve("absent") + ":1:1: no such policy folder");
  }

  @Test
  void routeToAnUnknownServiceIsAWarning() throws Exception {
    PolicySet set =
        valid(
            GATEWAY
                + """
        kind: Route
        name: users
        match: {prefix: /users}
        to: users
        ---
        kind: Route
        name: split
        match: {prefix: /split}
        to:
          - service: users
            weight: 9
          - service: users-v2
            weight: 1
        """);
    ServiceCatalog catalog =
        ServiceCatalog.of(
            List.of(new Service("users", List.of(ServiceInstance.of("127.0.0.1", 9001)))));
    List<Finding> warnings = CrossChecks.againstCatalog(set, catalog);
    assertThat(warnings).allMatch(f -> f.severity() == Severity.WARNING);
    assertThat(warnings)
        .extracting(Finding::format)
        .containsExactly(
            "warning: p.yaml:16:5: Route/split field to[1]: service \"users-v2\" is not in the registry: requests will get 503 until it appears");
    assertThat(CrossChecks.againstCatalog(set, ServiceCatalog.EMPTY))
        .extracting(Finding::format)
        .containsExactly(
            "warning: p.yaml:8:5: Route/users field to: service \"users\" is not in the registry: requests will get 503 until it appears",
            "warning: p.yaml:14:5: Route/split field to[0]: service \"users\" is not in the registry: requests will get 503 until it appears",
            "warning: p.yaml:16:5: Route/split field to[1]: service \"users-v2\" is not in the registry: requests will get 503 until it appears");
  }

  @Test
  void shadowedRouteIsAWarningAndTheSetIsStillValid() throws Exception {
    PolicyLoader.Result r =
        load(
            GATEWAY
                + """
        kind: Route
        name: users
        match:
          prefix: /users
        to: users
        ---
        kind: Route
        name: users-admin
        match:
          prefix: /users/admin
        to: admin
        ---
        kind: Route
        name: users-get
        match:
          exact: /users
          methods: [GET]
          headers: {x-a: b}
        to: users
        ---
        kind: Route
        name: catch-all
        to: web
        ---
        kind: Route
        name: after-catch-all
        match:
          regex: ^/x$
        to: web
        """);
    assertThat(r.policies()).isPresent();
    assertThat(r.findings())
        .extracting(Finding::format)
        .containsExactly(
            "warning: p.yaml:11:1: Route/users-admin field match: never matches: route \"users\" at p.yaml:5:1 comes first and matches every request this one does",
            "warning: p.yaml:17:1: Route/users-get field match: never matches: route \"users\" at p.yaml:5:1 comes first and matches every request this one does",
            "warning: p.yaml:29:1: Route/after-catch-all field match: never matches: route \"catch-all\" at p.yaml:25:1 comes first and matches every request this one does");
  }

  @Test
  void narrowerEarlierRoutesDoNotShadow() throws Exception {
    assertThat(
            findings(
                GATEWAY
                    + """
        kind: Route
        name: get-only
        match: {prefix: /users, methods: [GET]}
        to: a
        ---
        kind: Route
        name: with-header
        match: {prefix: /users, headers: {x-a: b}}
        to: a
        ---
        kind: Route
        name: other-host
        hosts: [api.example.com]
        to: a
        ---
        kind: Route
        name: exact
        match: {exact: /users/1}
        to: a
        ---
        kind: Route
        name: users
        match: {prefix: /users}
        to: a
        """))
        .isEmpty();
  }

  @Test
  void amongThousandsOfRoutesEachShadowedOneNamesTheFirstRouteThatCoversIt() throws Exception {
    StringBuilder yaml = new StringBuilder(GATEWAY);
    for (int i = 0; i < 3000; i++) {
      yaml.append("kind: Route\nname: r-")
          .append(i)
          .append("\nmatch: {prefix: /r-")
          .append(i)
          .append("/}\nto: a\n---\n");
    }
    // covered by r-17's prefix, by the same exact match earlier, by the same regex earlier; not by
    // r-1's prefix /r-1/ (a different segment), nor a regex by a prefix that is not /
    yaml.append(
        """
        kind: Route
        name: deeper
        match: {prefix: /r-17/x}
        to: a
        ---
        kind: Route
        name: exact-1
        match: {exact: /only}
        to: a
        ---
        kind: Route
        name: exact-2
        match: {exact: /only}
        to: a
        ---
        kind: Route
        name: regex-1
        match: {regex: ^/r-2/.*$}
        to: a
        ---
        kind: Route
        name: regex-2
        match: {regex: ^/r-2/.*$}
        to: a
        ---
        kind: Route
        name: not-shadowed
        match: {prefix: /r-10}
        to: a
        """);
    List<String> shadows =
        findings(yaml.toString()).stream()
            .map(
                f ->
                    f.replaceAll(
                        ".*Route/([^ ]+) field match: never matches: route \"([^\"]+)\".*",
                        "$1 < $2"))
            .toList();
    assertThat(shadows).containsExactly("deeper < r-17", "exact-2 < exact-1", "regex-2 < regex-1");
  }

  @Test
  void aGlobalRateLimitKeyWithAnUnknownFieldIsAnErrorAtThatField() throws Exception {
    List<String> errors =
        errors(
            GATEWAY
                + """
        kind: Route
        name: reports
        match: {prefix: /reports}
        to: orders
        globalRateLimit:
          rules:
            - {requests: 10, per: day, by: [{clai: sub}]}
        """);
    assertThat(errors)
        .containsExactly(
            "error: p.yaml:11:37: Route/reports field globalRateLimit.rules[0].by[0]: give one key: clientIp, consumer, path, method, header or claim",
            "error: p.yaml:11:38: Route/reports field globalRateLimit.rules[0].by[0].clai: unknown field 'clai' (did you mean 'claim'?)");
  }

  @Test
  void aJwtTokenSourceWithAnUnknownFieldIsAnErrorAtThatField() throws Exception {
    List<String> errors =
        errors(
            """
        kind: JwtProvider
        name: corp
        issuer: https://auth.example.com/
        jwks: {url: "https://auth.example.com/jwks.json"}
        tokenFrom: [{cookies: session}]
        """);
    assertThat(errors)
        .containsExactly(
            "error: p.yaml:5:13: JwtProvider/corp field tokenFrom[0]: give exactly one of header, query and cookie",
            "error: p.yaml:5:14: JwtProvider/corp field tokenFrom[0].cookies: unknown field 'cookies' (did you mean 'cookie'?)");
  }

  /**
   * The check for shadowed routes looks up the earlier routes' prefixes in a long path, not every
   * start of it: measured in bytes allocated, which a loaded machine does not stretch.
   */
  @Test
  void aLongPathPrefixCostsInProportionToItsLength() throws Exception {
    String yaml =
        GATEWAY
            + """
        kind: Route
        name: short
        match: {prefix: /a}
        to: users
        ---
        kind: Route
        name: long
        match: {prefix: /%s}
        to: users
        """
                .formatted("a".repeat(50_000));
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    List<String> findings = findings(yaml);
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertThat(findings)
        .anySatisfy(
            f -> assertThat(f).contains("Route/long field match: never matches: route \"short\""));
    assertThat(allocated).as("bytes allocated for a 50,000-character path").isLessThan(64L << 20);
  }

  @Test
  void anInvalidNameDoesNotHideTheDocumentsOtherMistakes() throws Exception {
    assertThat(
            findings(
                GATEWAY
                    + """
        kind: Route
        name: Bad_Name
        to: users
        timout: 5s
        """))
        .containsExactly(
            "error: p.yaml:6:7: field name: \"Bad_Name\" is not a valid name: use lower-case letters, digits, '.', '_'"
                + " and '-' (at most 63, starting and ending with a letter or digit)",
            "error: p.yaml:8:1: Route/Bad_Name field timout: unknown field 'timout' (did you mean 'timeout'?)");
  }

  @Test
  void aYamlMistakeInALaterDocumentDoesNotHideTheFindingsOfTheEarlierOnes(@TempDir Path dir)
      throws Exception {
    Files.writeString(
        dir.resolve("routes.yaml"),
        GATEWAY
            + """
        kind: Route
        name: orders
        to: orders
        timeout: soon
        ---
        kind: Route
        name: broken
        match: {prefix: /broken
        """);

    List<String> found =
        PolicyLoader.load(dir).findings().stream()
            .map(f -> f.format().replace(dir + "/", ""))
            .toList();

    assertThat(found)
        .containsExactly(
            "error: routes.yaml:8:10: Route/orders field timeout: invalid duration \"soon\" (write it like 250ms, 2s, 1m or 1h)",
            "error: routes.yaml:13:1: invalid YAML: expected ',' or '}', but got <stream end> (while parsing a flow mapping started at 12:8)");
  }
}
