package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.testing.CapturedStderr;
import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.HeadlessChromium;
import dev.sluice.testing.HttpUpstream;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The changes list (/changes and the status page in headless Chromium) and the log tell what each
 * change came from: an accepted change names the documents behind it and, once every Envoy has it,
 * is logged with the groups it reached and how long that took; a refused change is listed with its
 * reason; changes that touched no proxy's config fold into one row; times are to the second, with
 * how long ago.
 */
class ChangesListIT {
  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  private static final String USERS =
      "kind: Route\nname: users\nmatch: {prefix: /users}\nto: users\n";

  @Test
  void eachChangeSaysWhatItCameFromAndRefusedAndNoOpChangesAreShownAsSuch() throws Exception {
    HeadlessChromium chromium = HeadlessChromium.find();
    try (CapturedStderr log = new CapturedStderr();
        HttpUpstream users = HttpUpstream.start("users");
        SluiceFixture sluice = new SluiceFixture()) {
      sluice.writeRegistry("services:\n  users: [\"" + users.address() + "\"]\n");
      sluice.writePolicy("routes.yaml", USERS);
      sluice.start();
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));
      await().atMost(Duration.ofSeconds(20)).until(() -> sluice.answer("/users").equals("users"));

      sluice.writePolicy("routes.yaml", USERS.replace("/users", "/people"));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> sluice.answer("/people/1").equals("users"));
      JsonNode changed =
          await()
              .atMost(Duration.ofSeconds(10))
              .until(
                  () -> newest(sluice),
                  c ->
                      !c.path("completedAfterMs").isNull()
                          && c.path("sources").toString().contains("Route/users changed"));
      assertThat(changed.path("sources").get(0).asText())
          .isEqualTo("Route/users changed (" + sluice.policies.resolve("routes.yaml") + ")");
      long id = changed.path("id").asLong();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> log.text().contains("change #" + id + " (policies: Route/users changed ("));
      assertThat(line(log.text(), "change #" + id + " "))
          .containsPattern("accepted by every connected proxy of edge within \\d+ ms$");

      sluice.writePolicy("broken.yaml", "kind: Route\nname: broken\nto: users\ntimeout: soon\n");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> sluice.adminJson("/changes").path("refused").size() == 1);
      sluice.writePolicy("broken.yaml", "# nothing here\n");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> sluice.adminJson("/policies").path("lastLoad").asText().equals("accepted"));
      sluice.writePolicy("comment.yaml", "# a comment: a change that touches no proxy's config\n");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> sluice.adminJson("/changes").path("changes").size() >= 4);

      JsonNode refused = sluice.adminJson("/changes").path("refused").get(0);
      assertThat(refused.path("files").get(0).asText()).endsWith("broken.yaml");
      assertThat(refused.path("firstError").asText())
          .contains("broken.yaml:4:10", "invalid duration \"soon\"");

      String dom = chromium.dom("http://127.0.0.1:" + sluice.adminPort + "/");
      String changes = dom.substring(dom.indexOf("id=\"changes\""), dom.indexOf("id=\"policies\""));
      assertThat(row(changes, "class=\"refused-change\""))
          .contains("refused", "broken.yaml:4:10", "invalid duration");
      assertThat(row(changes, "class=\"change\"")).contains("Route/users changed");
      assertThat(row(changes, "class=\"no-op-changes\""))
          .contains("2 changes that touched no proxy's config");
      assertThat(changes)
          .containsPattern(
              "\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} UTC <span class=\"ago\">\\(\\d+ s ago\\)</span>")
          .doesNotContainPattern("\\d{2}:\\d{2}:\\d{2}\\.\\d");
    }
  }

  private static JsonNode newest(SluiceFixture sluice) {
    return sluice.adminJson("/changes").path("changes").get(0);
  }

  private static String row(String html, String marker) {
    int start = html.indexOf(marker);
    assertThat(start).as("%s in %s", marker, html).isPositive();
    return html.substring(start, html.indexOf("</tr>", start));
  }

  private static String line(String text, String marker) {
    int start = text.indexOf(marker);
    return text.substring(start, text.indexOf('\n', start));
  }
}
