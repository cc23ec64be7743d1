package dev.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.RepoPaths;
import dev.sluice.yaml.Finding;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The examples for {@code sluice validate} in {@code compose/validate-examples/}: every finding of
 * each folder, as severity, file name, line:column and message, checked against {@code
 * compose/demo/services.yaml} as the registry — what the CLI does.
 */
class ValidateExamplesTest {
  private static final Path ROOT = RepoPaths.root();
  private static final Path EXAMPLES = ROOT.resolve("compose/validate-examples");

  /**
   * Loads a folder the way {@code sluice validate} does, and prints the findings with short paths.
   */
  private static List<String> validate(Path dir) {
    List<Finding> findings =
        PolicyValidation.run(dir, Optional.of(ROOT.resolve("compose/demo/services.yaml")))
            .findings();
    String prefix = dir + File.separator;
    return findings.stream().map(f -> f.format().replace(prefix, "")).toList();
  }

  @Test
  void mistakes() {
    assertThat(validate(EXAMPLES.resolve("mistakes")))
        .containsExactly(
            "error: gateway.yaml:9:7: Gateway/internal field port: 70000 is out of range 1..65535",
            "error: orders.yaml:8:10: Route/orders field timeout: invalid duration \"30 seconds\" (write it like 250ms, 2s, 1m or 1h)",
            "error: orders.yaml:16:23: Route/orders-canary field match.headers.x-canary.regex: invalid regex \"^(yes|true\" at column 1: missing ): ^(yes|true",
            "error: orders.yaml:18:3: Route/orders-canary field to: weights sum to 0: at least one service needs a weight above 0",
            "error: orders.yaml:27:10: Route/order-by-id field match.regex: invalid regex \"^/orders/(?!new)[0-9]+$\" at column 10: invalid perl operator: (?!",
            "error: users.yaml:8:1: Route/users field timout: unknown field 'timout' (did you mean 'timeout'?)",
            "warning: users.yaml:10:1: Route/users-admin field match: never matches: route \"users\" at users.yaml:2:1 comes first and matches every request this one does",
            "error: users.yaml:18:7: Route/orders field name: duplicate name: Route/orders is already defined at orders.yaml:2:1",
            "error: users.yaml:24:1: Route/avatars field to: required field is missing: name the service to send traffic to, e.g. 'to: users'",
            "error: users.yaml:29:10: Route/avatars field timeout: expected a duration like 250ms, 2s, 1m or 1h, got a list",
            "warning: users.yaml:36:5: Route/invoices field to: service \"invoices\" is not in the registry: requests will get 503 until it appears");
  }

  @Test
  void warningsOnly() {
    List<String> findings = validate(EXAMPLES.resolve("warnings-only"));
    assertThat(findings).noneMatch(f -> f.startsWith("error:"));
    assertThat(findings)
        .containsExactly(
            "warning: routes.yaml:9:1: Route/users-admin field match: never matches: route \"users\" at routes.yaml:2:1 comes first and matches every request this one does",
            "warning: routes.yaml:26:5: Route/invoices field to: service \"invoices\" is not in the registry: requests will get 503 until it appears");
    assertThat(PolicyLoader.load(EXAMPLES.resolve("warnings-only")).policies()).isPresent();
  }

  @Test
  void theComposeExampleIsClean() {
    assertThat(validate(ROOT.resolve("compose/demo/policies"))).isEmpty();
    PolicySet set =
        PolicyLoader.load(ROOT.resolve("compose/demo/policies")).policies().orElseThrow();
    assertThat(set.gateway("edge"))
        .hasValueSatisfying(g -> assertThat(g.listen().port()).isEqualTo(8080));
    assertThat(set.routes())
        .extracting(r -> r.name() + " " + r.path().value() + " -> " + r.backends().get(0).service())
        .containsExactly("users /users -> users", "orders /orders -> orders");
  }
}
