package dev.sluice.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.RepoPaths;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice validate}: one line per finding, exit 1 on any error, 0 with warnings only. */
class ValidateCommandTest {
  private static final Path ROOT = RepoPaths.root();

  private record Run(int exit, List<String> lines) {}

  private static Run validate(String... args) {
    StringWriter text = new StringWriter();
    String[] all = new String[args.length + 1];
    all[0] = "validate";
    System.arraycopy(args, 0, all, 1, args.length);
    int exit = SluiceCli.run(new PrintWriter(text), all);
    return new Run(exit, text.toString().lines().map(l -> l.replace(ROOT + "/", "")).toList());
  }

  @Test
  void realisticMistakesPrintOneLinePerFindingAndExitOne() {
    Run run =
        validate(
            ROOT.resolve("compose/validate-examples/mistakes").toString(),
            "--registry",
            ROOT.resolve("compose/demo/services.yaml").toString());
    assertThat(run.exit()).isEqualTo(1);
    String dir = "compose/validate-examples/mistakes/";
    assertThat(run.lines())
        .containsExactly(
            "error: "
                + dir
                + "gateway.yaml:9:7: Gateway/internal field port: 70000 is out of range 1..65535",
            "error: "
                + dir
                + "orders.yaml:8:10: Route/orders field timeout: invalid duration \"30 seconds\" (write it like 250ms, 2s, 1m or 1h)",
            "error: "
                + dir
                + "orders.yaml:16:23: Route/orders-canary field match.headers.x-canary.regex: invalid regex \"^(yes|true\" at column 1: missing ): ^(yes|true",
            "error: "
                + dir
                + "orders.yaml:18:3: Route/orders-canary field to: weights sum to 0: at least one service needs a weight above 0",
            "error: "
                + dir
                + "orders.yaml:27:10: Route/order-by-id field match.regex: invalid regex \"^/orders/(?!new)[0-9]+$\" at column 10: invalid perl operator: (?!",
            "error: "
                + dir
                + "users.yaml:8:1: Route/users field timout: unknown field 'timout' (did you mean 'timeout'?)",
            "warning: "
                + dir
                + "users.yaml:10:1: Route/users-admin field match: never matches: route \"users\" at "
                + dir
                + "users.yaml:2:1 comes first and matches every request this one does",
            "error: "
                + dir
                + "users.yaml:18:7: Route/orders field name: duplicate name: Route/orders is already defined at "
                + dir
                + "orders.yaml:2:1",
            "error: "
                + dir
                + "users.yaml:24:1: Route/avatars field to: required field is missing: name the service to send traffic to, e.g. 'to: users'",
            "error: "
                + dir
                + "users.yaml:29:10: Route/avatars field timeout: expected a duration like 250ms, 2s, 1m or 1h, got a list",
            "warning: "
                + dir
                + "users.yaml:36:5: Route/invoices field to: service \"invoices\" is not in the registry: requests will get 503 until it appears",
            "9 error(s), 2 warning(s): nothing would be applied");
  }

  @Test
  void warningsOnlyExitZero() {
    Run run =
        validate(
            ROOT.resolve("compose/validate-examples/warnings-only").toString(),
            "--registry",
            ROOT.resolve("compose/demo/services.yaml").toString());
    assertThat(run.exit()).isZero();
    assertThat(run.lines()).hasSize(3);
    assertThat(run.lines().subList(0, 2))
        .allMatch(
            l -> l.startsWith("warning: compose/validate-examples/warnings-only/routes.yaml:"));
    assertThat(run.lines().get(2))
        .isEqualTo(
            "ok: 5 documents (Gateway: 1, Route: 4) checked against compose/demo/services.yaml, 2 warning(s)");
  }

  @Test
  void theExamplePoliciesAreValidAgainstTheRegistryBesideThem() {
    Run run = validate(ROOT.resolve("compose/demo/policies").toString());
    assertThat(run.exit()).isZero();
    assertThat(run.lines())
        .containsExactly(
            "ok: 3 documents (Gateway: 1, Route: 2) checked against compose/demo/services.yaml, 0 warning(s)");
  }

  @Test
  void theSummaryCountsEveryKindOfDocument() {
    Run run = validate(ROOT.resolve("compose/policies").toString());
    assertThat(run.exit()).isZero();
    assertThat(run.lines())
        .last()
        .isEqualTo(
            "ok: 10 documents (Gateway: 1, Route: 2, Mesh: 1, Sidecar: 3, ServiceAccess: 3)"
                + ", 0 warning(s)");
  }

  @Test
  void aMissingFolderIsAUsageErrorNamingTheFolder(@TempDir Path dir) {
    CliRun run = CliRun.of("validate", dir.resolve("nope").toString());
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err())
        .isEqualTo("validate: no such policy folder or file: " + dir.resolve("nope") + "\n");
  }

  @Test
  void anEmptyFolderWarnsThatNothingWasFound(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("notes.txt"), "kind: Route\n");
    Run run = validate(dir.toString());
    assertThat(run.exit()).isZero();
    assertThat(run.lines())
        .containsExactly(
            "warning: "
                + dir
                + ": no policy documents found (policies are read from *.yaml and *.yml files;"
                + " names starting with a dot are skipped)",
            "ok: 0 documents, 1 warning(s)");
  }

  @Test
  void aRegistryFileGivenAsThePoliciesIsNamedAsSuch() {
    Run run = validate(ROOT.resolve("compose/demo/services.yaml").toString());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.lines())
        .containsExactly(
            "error: compose/demo/services.yaml:3:1: this looks like a registry file: pass it with"
                + " --registry",
            "1 error(s), 0 warning(s): nothing would be applied");
  }

  @Test
  void aRegistryFileInsideThePolicyFolderIsNamedAsSuch(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("edge.yaml"), "kind: Gateway\nname: edge\nport: 8080\n");
    Files.writeString(
        dir.resolve("services.yaml"),
        "# the registry\nservices:\n  users:\n    - address: 127.0.0.1\n      port: 9001\n");
    Run run = validate(dir.toString());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.lines())
        .containsExactly(
            "error: "
                + dir.resolve("services.yaml")
                + ":2:1: this looks like a registry file: pass it with --registry",
            "1 error(s), 0 warning(s): nothing would be applied");
  }

  @Test
  void aRegistryWithErrorsIsReportedToo(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("services.yaml"),
        "services:\n  users:\n    - address: 127.0.0.1\n      port: 99999\n");
    Run run =
        validate(
            ROOT.resolve("compose/demo/policies").toString(),
            "--registry",
            dir.resolve("services.yaml").toString());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.lines().get(0))
        .isEqualTo(
            "error: "
                + dir.resolve("services.yaml")
                + ":4:13: Service/users field services.users[0].port: 99999 is out of range 1..65535");
  }

  @Test
  void aRegexRepeatCountAboveRe2sLimitIsAFindingWithItsPosition(@TempDir Path dir)
      throws Exception {
    Files.writeString(
        dir.resolve("routes.yaml"),
        """
        kind: Gateway
        name: edge
        port: 8080
        ---
        kind: Route
        name: huge
        match:
          regex: "^/a{1001}"
        to: users
        """);
    Run run = validate(dir.toString());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.lines())
        .containsExactly(
            "error: "
                + dir.resolve("routes.yaml")
                + ":8:10: Route/huge field match.regex: invalid regex \"^/a{1001}\" at column 4: "
                + "invalid repetition size: {1001}",
            "1 error(s), 0 warning(s): nothing would be applied");
  }

  @Test
  void inputBeyondTheLimitsOrNotTextIsReportedAtItsPlace(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("a-gateway.yaml"), "kind: Gateway\nname: edge\nport: 8080\n");
    Files.write(
        dir.resolve("b-latin1.yaml"),
        "kind: Route\nname: caf\u00e9\nto: users\n".getBytes(StandardCharsets.ISO_8859_1));
    Files.writeString(dir.resolve("c-nul.yaml"), "kind: Route\nname: us\u0000ers\nto: users\n");
    Files.writeString(
        dir.resolve("d-deep.yaml"),
        "kind: Route\nname: deep\nto: users\nx: " + "[".repeat(5000) + "]".repeat(5000) + "\n");
    Files.writeString(
        dir.resolve("e-long.yaml"),
        "kind: Route\nname: long\nto: \"" + "u".repeat(300_000) + "\"\n");
    Run run = validate(dir.toString());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.lines())
        .containsExactly(
            "error: "
                + dir.resolve("b-latin1.yaml")
                + ":2:10: not UTF-8: the byte 0xE9 (at byte offset 21) does not decode; policy files are UTF-8 text",
            "error: "
                + dir.resolve("c-nul.yaml")
                + ":2:9: invalid YAML: the character U+0000 is not allowed in a YAML file",
            "error: "
                + dir.resolve("d-deep.yaml")
                + ":4:35: invalid YAML: more than 32 maps and lists nested in one another (sluice.yaml.maxDepth)",
            "error: "
                + dir.resolve("e-long.yaml")
                + ":3:262145: invalid YAML: a line longer than the 262144 characters a value may have (sluice.yaml.maxScalarChars): not parsed",
            "4 error(s), 0 warning(s): nothing would be applied");
  }
}
