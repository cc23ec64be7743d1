package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.HeadlessChromium;
import dev.sluice.testing.HttpUpstream;
import dev.sluice.testing.RepoPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What {@code /policies} and the status page (in headless Chromium) say about each document is what
 * the Envoys run: a file that is not YAML is a row of its own with its position and reason, under a
 * banner that says the change was refused and which change keeps serving; the documents that were
 * not touched are shown serving, not failed; every kind is listed; and what the registry says about
 * a route is on that route.
 */
class PolicyStatesIT {
  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  @Test
  void aFileThatIsNotYamlIsItsOwnRowUnderABannerAndTheOtherDocumentsKeepServing() throws Exception {
    HeadlessChromium chromium = HeadlessChromium.find();
    try (HttpUpstream users = HttpUpstream.start("users");
        SluiceFixture sluice = new SluiceFixture()) {
      sluice.writeRegistry("services:\n  users: [\"" + users.address() + "\"]\n");
      sluice.writePolicy(
          "routes.yaml", "kind: Route\nname: users\nmatch: {prefix: /users}\nto: users\n");
      sluice.start();
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));
      await().atMost(Duration.ofSeconds(20)).until(() -> sluice.answer("/users").equals("users"));
      long serving = sluice.adminJson("/policies").path("servingChange").asLong();
      String page = "http://127.0.0.1:" + sluice.adminPort + "/";
      assertThat(chromium.dom(page)).doesNotContain("id=\"policy-refused\"");

      sluice.writePolicy("broken.yaml", "kind: Route\nname: broken\nmatch: {prefix: /broken\n");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> sluice.adminJson("/policies").path("lastLoad").asText().equals("rejected"));

      JsonNode policies = sluice.adminJson("/policies");
      JsonNode file =
          find(policies.path("policies"), sluice.policies.resolve("broken.yaml").toString());
      assertThat(file.path("state").asText()).isEqualTo("rejected");
      assertThat(file.path("findings").get(0).asText()).contains("broken.yaml:4:1");
      assertThat(find(policies.path("policies"), "Route/users").path("state").asText())
          .isEqualTo("serving");
      assertThat(find(policies.path("policies"), "Gateway/edge").path("state").asText())
          .isEqualTo("serving");
      assertThat(policies.path("servingChange").asLong()).isEqualTo(serving);
      assertThat(sluice.answer("/users")).isEqualTo("users");

      String dom = chromium.dom(page);
      assertThat(between(dom, "id=\"policy-refused\"", "</a></div>"))
          .contains(
              "The last policy change was refused",
              "broken.yaml",
              "broken.yaml:4:1",
              "The Envoys keep running change #" + serving);
      assertThat(row(dom, sluice.policies.resolve("broken.yaml").toString()))
          .contains("data-state=\"rejected\"", "broken.yaml:4:1");
      assertThat(row(dom, "Route/users"))
          .contains("data-state=\"serving\"")
          .doesNotContain("class=\"bad\"");

      sluice.writePolicy(
          "broken.yaml", "kind: Route\nname: broken\nmatch: {prefix: /broken}\nto: users\n");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> sluice.adminJson("/policies").path("lastLoad").asText().equals("accepted"));
      await().atMost(Duration.ofSeconds(10)).until(() -> sluice.answer("/broken").equals("users"));
      assertThat(chromium.dom(page)).doesNotContain("id=\"policy-refused\"");
    }
  }

  @Test
  void aDocumentWhoseEditWasRefusedShowsItsLastGoodVersionServing() throws Exception {
    try (HttpUpstream users = HttpUpstream.start("users");
        SluiceFixture sluice = new SluiceFixture()) {
      sluice.writeRegistry("services:\n  users: [\"" + users.address() + "\"]\n");
      sluice.writePolicy(
          "routes.yaml", "kind: Route\nname: users\nmatch: {prefix: /users}\nto: users\n");
      sluice.start();
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));
      await().atMost(Duration.ofSeconds(20)).until(() -> sluice.answer("/users").equals("users"));

      sluice.writePolicy(
          "routes.yaml",
          "kind: Route\nname: users\nmatch: {prefix: /people}\nto: users\n---\n"
              + "kind: Route\nname: orders\nmatch: {prefix: /orders}\nto: users\ntimeout: soon\n---\n"
              + "kind: Route\nname: teams\nmatch: {prefix: /teams}\nto: users\n");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> sluice.adminJson("/policies").path("lastLoad").asText().equals("rejected"));

      JsonNode policies = sluice.adminJson("/policies").path("policies");
      assertThat(find(policies, "Route/users").path("state").asText())
          .isEqualTo("serving-last-good");
      assertThat(find(policies, "Route/orders").path("state").asText()).isEqualTo("rejected");
      assertThat(find(policies, "Route/teams").path("state").asText()).isEqualTo("not-applied");
      assertThat(find(policies, "Gateway/edge").path("state").asText()).isEqualTo("serving");
      assertThat(sluice.answer("/users")).isEqualTo("users");
    }
  }

  @Test
  void aRouteToAServiceTheRegistryDoesNotKnowCarriesTheWarningEverywhere() throws Exception {
    HeadlessChromium chromium = HeadlessChromium.find();
    try (HttpUpstream users = HttpUpstream.start("users");
        SluiceFixture sluice = new SluiceFixture()) {
      sluice.writeRegistry("services:\n  users: [\"" + users.address() + "\"]\n");
      sluice.writePolicy(
          "routes.yaml",
          "kind: Route\nname: users\nmatch: {prefix: /users}\nto: users\n---\n"
              + "kind: Route\nname: ghosts\nmatch: {prefix: /ghosts}\nto: ghosts\n");
      sluice.start();
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));
      await().atMost(Duration.ofSeconds(20)).until(() -> sluice.answer("/users").equals("users"));
      assertThat(sluice.get("/ghosts").statusCode()).isEqualTo(503);

      JsonNode ghosts = find(sluice.adminJson("/policies").path("policies"), "Route/ghosts");
      assertThat(ghosts.path("state").asText()).isEqualTo("serving");
      assertThat(ghosts.path("findings").get(0).asText())
          .startsWith("warning: ")
          .contains("routes.yaml:9:5", "service \"ghosts\" is not in the registry");
      assertThat(row(chromium.dom("http://127.0.0.1:" + sluice.adminPort + "/"), "Route/ghosts"))
          .contains("service \"ghosts\" is not in the registry");
    }
  }

  @Test
  void everyKindOfDocumentIsListedOnThePageWithTheGroupsItReaches() throws Exception {
    HeadlessChromium chromium = HeadlessChromium.find();
    try (SluiceFixture sluice = new SluiceFixture().meshCa(Duration.ofHours(1))) {
      sluice.writeRegistry(
          "services:\n  web: [\"127.0.0.1:21001\"]\n  orders: [\"127.0.0.1:21002\"]\n  users: [\"127.0.0.1:21003\"]\n");
      Path quickstart = RepoPaths.root().resolve("compose/policies");
      for (String file : List.of("gateway.yaml", "routes.yaml", "mesh.yaml", "access.yaml")) {
        sluice.writePolicy(file, Files.readString(quickstart.resolve(file)));
      }
      sluice.start();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> sluice.adminJson("/policies").path("servingChange").asLong() > 0);

      String dom = chromium.dom("http://127.0.0.1:" + sluice.adminPort + "/");
      assertThat(row(dom, "Mesh/mesh"))
          .contains("data-state=\"serving\"", "sidecar~orders", "sidecar~web", "edge");
      assertThat(row(dom, "Sidecar/users"))
          .contains("data-state=\"serving\"", "sidecar~users", "sidecar~web");
      assertThat(row(dom, "ServiceAccess/web-to-orders"))
          .contains("data-state=\"serving\"", "sidecar~orders");
      assertThat(sluice.adminJson("/policies").path("policies").size())
          .as("every document of the mesh quickstart")
          .isEqualTo(10);
    }
  }

  private static JsonNode find(JsonNode list, String resource) {
    for (JsonNode n : list) {
      if (n.path("resource").asText().equals(resource)) {
        return n;
      }
    }
    throw new AssertionError("no row for " + resource + " in " + list);
  }

  private static String row(String dom, String resource) {
    int start = dom.indexOf("data-resource=\"" + resource + "\"");
    assertThat(start).as("a row for %s in %s", resource, dom).isPositive();
    return dom.substring(start, dom.indexOf("</tr>", start));
  }

  private static String between(String dom, String from, String to) {
    int start = dom.indexOf(from);
    assertThat(start).as("%s in %s", from, dom).isPositive();
    return dom.substring(start, dom.indexOf(to, start));
  }
}
