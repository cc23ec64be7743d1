package dev.sluice.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.discovery.FileCatalogSource;
import dev.sluice.policy.PolicyLoader;
import dev.sluice.server.render.Renderer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice diff}: which xDS resources a policy change touches, as a dry run. */
class DiffCommandTest {
  private static final String GATEWAY = "kind: Gateway\nname: edge\nport: 8080\n";
  private static final String ROUTES =
      """
      kind: Route
      name: users
      match: {prefix: /users}
      to: users
      ---
      kind: Route
      name: orders
      match: {prefix: /orders}
      to: orders
      ---
      kind: Route
      name: search
      match: {prefix: /search}
      to: search
      """;

  @TempDir Path dir;
  Path registry;
  Path old;
  Path changed;

  @BeforeEach
  void folders() throws Exception {
    registry = dir.resolve("services.yaml");
    Files.writeString(
        registry,
        """
        services:
          users: ["127.0.0.1:9001"]
          orders: ["127.0.0.1:9002"]
          search: ["127.0.0.1:9003"]
          payments: ["127.0.0.1:9004"]
        """);
    old = folder("old", ROUTES);
    changed = folder("new", ROUTES);
  }

  private Path folder(String name, String routes) throws Exception {
    Path p = Files.createDirectories(dir.resolve(name));
    Files.writeString(p.resolve("gateway.yaml"), GATEWAY);
    Files.writeString(p.resolve("routes.yaml"), routes);
    return p;
  }

  private CliRun diffFolders(String... extra) {
    String[] args = {
      "diff",
      "--policies",
      old.toString(),
      "--against",
      changed.toString(),
      "--registry",
      registry.toString()
    };
    String[] all = Arrays.copyOf(args, args.length + extra.length);
    System.arraycopy(extra, 0, all, args.length, extra.length);
    return CliRun.of(all);
  }

  @Test
  void oneChangedRouteShowsExactlyThatRoutesChangeAndNothingElse() throws Exception {
    Files.writeString(
        changed.resolve("routes.yaml"),
        ROUTES.replace("to: orders\n", "to: orders\ntimeout: 2s\n"));
    CliRun run = diffFolders();
    assertThat(run.exit()).isEqualTo(3);
    assertThat(run.err()).isEmpty();
    assertThat(run.out())
        .isEqualTo(
            "a: policies "
                + old
                + " (registry "
                + registry
                + ")\n"
                + "b: policies "
                + changed
                + " (registry "
                + registry
                + ")\n"
                + "\n"
                + "edge routes/http-8080: changed (route orders changed)\n"
                + "--- a/edge/routes/http-8080\n"
                + "+++ b/edge/routes/http-8080\n"
                + "@@ -14,7 +14,7 @@\n"
                + "       prefix: /orders\n"
                + "     route:\n"
                + "       cluster: orders\n"
                + "-      timeout: 15s\n"
                + "+      timeout: 2s\n"
                + "     name: orders\n"
                + "   - match:\n"
                + "       prefix: /search\n"
                + "\n"
                + "summary:\n"
                + "  edge routes: 1 changed (http-8080)\n"
                + "1 resource(s) differ in 1 proxy group(s)\n");
  }

  @Test
  void aChangedPrefixIsOneRemovedAndOneAddedLineOfThatRoute() throws Exception {
    Files.writeString(
        changed.resolve("routes.yaml"), ROUTES.replace("prefix: /search", "prefix: /find"));
    CliRun run = diffFolders();
    assertThat(run.exit()).isEqualTo(3);
    assertThat(run.outLines())
        .filteredOn(
            l ->
                (l.startsWith("-") || l.startsWith("+"))
                    && !l.startsWith("---")
                    && !l.startsWith("+++"))
        .containsExactly("-      prefix: /search", "+      prefix: /find");
    assertThat(run.outLines())
        .filteredOn(l -> l.startsWith("edge "))
        .containsExactly("edge routes/http-8080: changed (route search changed)");
  }

  @Test
  void identicalFoldersHaveNoChangesAndExitZero() {
    CliRun run = diffFolders();
    assertThat(run.exit()).isZero();
    assertThat(run.outLines()).endsWith("", "no changes");
  }

  @Test
  void aRouteToANewServiceAddsItsClusterAndEndpointsAndChangesTheRouteTable() throws Exception {
    Files.writeString(
        changed.resolve("routes.yaml"),
        ROUTES.replace(
            "kind: Route\nname: search\nmatch: {prefix: /search}\nto: search\n",
            "kind: Route\nname: payments\nmatch: {prefix: /pay}\nto: payments\n"));
    CliRun run = diffFolders();
    assertThat(run.exit()).isEqualTo(3);
    assertThat(run.outLines())
        .filteredOn(l -> l.startsWith("edge "))
        .containsExactly(
            "edge routes/http-8080: changed (route payments added; route search removed)",
            "edge clusters/payments: added",
            "edge clusters/search: removed",
            "edge endpoints/payments: added",
            "edge endpoints/search: removed");
    String out = run.out();
    assertThat(out)
        .contains("--- /dev/null\n+++ b/edge/clusters/payments\n@@ -0,0 +1,")
        .contains("--- a/edge/clusters/search\n+++ /dev/null\n@@ -1,");
    assertThat(run.outLines())
        .containsSubsequence(
            "summary:",
            "  edge routes: 1 changed (http-8080)",
            "  edge clusters: 1 added (payments), 1 removed (search)",
            "  edge endpoints: 1 added (payments), 1 removed (search)",
            "5 resource(s) differ in 1 proxy group(s)");
  }

  @Test
  void summaryAndTypeNarrowTheOutput() throws Exception {
    Files.writeString(changed.resolve("routes.yaml"), ROUTES.replace("to: search", "to: payments"));
    CliRun run = diffFolders("--summary", "--type", "clusters");
    assertThat(run.exit()).isEqualTo(3);
    assertThat(run.outLines())
        .as("--summary prints no line diffs")
        .noneMatch(
            l ->
                l.startsWith("@@")
                    || l.startsWith("--- ")
                    || l.startsWith("+++ ")
                    || l.startsWith("+  ")
                    || l.startsWith("-  "))
        .contains(
            "edge clusters/payments: added",
            "edge clusters/search: removed",
            "summary:",
            "  edge clusters: 1 added (payments), 1 removed (search)")
        .noneMatch(l -> l.contains("routes"));
  }

  @Test
  void invalidNewPoliciesPrintTheirFindingsAsValidateDoesAndExitOne() throws Exception {
    Files.writeString(
        changed.resolve("routes.yaml"),
        ROUTES.replace("to: orders\n", "to: orders\ntimeout: 2 seconds\n"));
    CliRun run = diffFolders();
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.errLines())
        .containsExactly(
            "error: "
                + changed.resolve("routes.yaml")
                + ":10:10: Route/orders field timeout: invalid duration \"2 seconds\" (write it like 250ms, 2s, 1m or 1h)",
            "1 error(s), 0 warning(s): nothing would be applied");
  }

  @Test
  void withoutAgainstOrServerItIsAUsageError() {
    CliRun run = CliRun.of("diff", "--policies", old.toString());
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "diff: give either --against NEW_DIR (compare two policy folders) or --server URL (compare with a running server)\n");
  }

  @Test
  void anUnknownProxyGroupIsAUsageError() {
    CliRun run = diffFolders("--proxy", "internal");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo("diff: unknown proxy group 'internal'; known proxy groups: edge\n");
  }

  @Test
  void theProxyMayBeNamedByItsEnvoysBootstrapFileAsForRender() throws Exception {
    Path bootstrap = old.getParent().resolve("edge-bootstrap.yaml");
    Files.writeString(bootstrap, "node:\n  id: edge-1\n  cluster: edge\n");
    CliRun byGroup = diffFolders("--proxy", "edge");
    CliRun byFile = diffFolders("--proxy", bootstrap.toString());
    assertThat(byFile.exit()).isEqualTo(byGroup.exit());
    assertThat(byFile.out()).isEqualTo(byGroup.out()).isNotEmpty();
  }

  @Test
  void aTokenFileWithoutAServerIsAUsageError() {
    CliRun run = diffFolders("--token-file", old.resolve("token").toString());
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("--server");
  }

  /** What the server's /config/edge would answer for the old folder: the same Renderer. */
  private String served(Path policies) {
    return Renderer.render(
            FileCatalogSource.read(registry).catalog().orElseThrow(),
            PolicyLoader.load(policies).policies().orElseThrow())
        .get("edge")
        .yaml();
  }

  @Test
  void againstAServerItComparesWhatTheServerServesWithTheNewFolder() throws Exception {
    Files.writeString(
        changed.resolve("routes.yaml"),
        ROUTES.replace("to: orders\n", "to: orders\ntimeout: 2s\n"));
    Files.writeString(dir.resolve("token"), "t0ken\n");
    try (FakeAdmin admin =
        new FakeAdmin("t0ken")
            .serve("/config/edge", served(old))
            .serve("/proxies", "{\"proxies\":[]}")) {
      CliRun run =
          CliRun.of(
              "diff",
              "--server",
              admin.url(),
              "--token-file",
              dir.resolve("token").toString(),
              "--policies",
              changed.toString(),
              "--registry",
              registry.toString());
      assertThat(run.exit()).as(run.err()).isEqualTo(3);
      assertThat(run.out())
          .startsWith(
              "a: server "
                  + admin.url()
                  + "\nb: policies "
                  + changed
                  + " (registry "
                  + registry
                  + ")\n")
          .contains(
              "edge routes/http-8080: changed (route orders changed)\n--- a/edge/routes/http-8080\n+++ b/edge/routes/http-8080\n")
          .contains("-      timeout: 15s\n+      timeout: 2s\n")
          .endsWith(
              "summary:\n  edge routes: 1 changed (http-8080)\n1 resource(s) differ in 1 proxy group(s)\n");
      assertThat(admin.requests).containsExactlyInAnyOrder("/proxies", "/config/edge");
      assertThat(admin.authorizations).containsOnly("Bearer t0ken");
    }
  }

  @Test
  void againstAServerWithoutARegistryEndpointsAreLeftOut() throws Exception {
    try (FakeAdmin admin = new FakeAdmin(null).serve("/config/edge", served(old))) {
      CliRun run = CliRun.of("diff", "--server", admin.url(), "--policies", old.toString());
      assertThat(run.exit()).as(run.out() + run.err()).isZero();
      assertThat(run.err())
          .isEqualTo(
              "note: endpoints are not compared: no --registry given"
                  + " (endpoints follow the server's registry, not the policies)\n");
      assertThat(run.outLines()).last().isEqualTo("no changes");
    }
  }

  @Test
  void aGroupTheServerDoesNotHaveIsAllAdded() throws Exception {
    try (FakeAdmin admin = new FakeAdmin(null)) {
      CliRun run =
          CliRun.of(
              "diff",
              "--server",
              admin.url(),
              "--policies",
              old.toString(),
              "--registry",
              registry.toString(),
              "--summary");
      assertThat(run.exit()).isEqualTo(3);
      assertThat(run.outLines())
          .filteredOn(l -> l.startsWith("edge "))
          .containsExactly(
              "edge listeners/http-8080: added",
              "edge routes/http-8080: added",
              "edge clusters/orders: added",
              "edge clusters/search: added",
              "edge clusters/users: added",
              "edge endpoints/orders: added",
              "edge endpoints/search: added",
              "edge endpoints/users: added");
    }
  }

  @Test
  void aServerThatWantsATokenIsAUsageErrorWithAHint() throws Exception {
    try (FakeAdmin admin = new FakeAdmin("t0ken")) {
      CliRun run = CliRun.of("diff", "--server", admin.url(), "--policies", old.toString());
      assertThat(run.exit()).isEqualTo(2);
      assertThat(run.err())
          .endsWith(
              "diff: GET "
                  + admin.url()
                  + "/proxies answered 401 (the admin API wants a token: give --token-file):"
                  + " a bearer token is required\n");
    }
  }

  @Test
  void aServerThatIsNotRunningIsNamedAsSuchAndExitsTwo() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    CliRun run =
        CliRun.of(
            "diff",
            "--server",
            "http://127.0.0.1:" + port,
            "--policies",
            old.toString(),
            "--registry",
            registry.toString());
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "diff: connection refused: is `sluice serve` running at http://127.0.0.1:"
                + port
                + "?\n");
  }

  @Test
  void anAnswerNotInRendersFormatIsAnError() throws Exception {
    try (FakeAdmin admin = new FakeAdmin(null).serve("/config/edge", "<html>hello</html>")) {
      CliRun run =
          CliRun.of(
              "diff", "--server", admin.url(), "--policies", old.toString(), "--proxy", "edge");
      assertThat(run.exit()).isEqualTo(2);
      assertThat(run.err())
          .contains(
              "diff: GET " + admin.url() + "/config/edge did not answer in render's format: ");
    }
  }
}
