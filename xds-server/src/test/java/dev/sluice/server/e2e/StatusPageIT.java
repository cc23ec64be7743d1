package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.EnvoyProcess;
import dev.sluice.testing.FreePorts;
import dev.sluice.testing.HeadlessChromium;
import dev.sluice.testing.HttpUpstream;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The admin port's status page in a real browser (headless Chromium): a connected proxy in sync and
 * a proxy that rejected its config, with Envoy's error and the policy behind it. The screenshot is
 * kept in xds-server/target/status-page.png.
 */
class StatusPageIT {
  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  @Test
  void theStatusPageShowsAConnectedProxyAndANackedOne() throws Exception {
    HeadlessChromium chromium = HeadlessChromium.find();
    try (HttpUpstream users = HttpUpstream.start("users");
        SluiceFixture sluice =
            new SluiceFixture()
                .hook(
                    r ->
                        r.clusters().stream().anyMatch(c -> c.getName().equals("broken"))
                            ? InvalidResources.withInvalidTimeoutOn(r, "broken")
                            : r)) {
      int internalPort = FreePorts.next();
      sluice.writeRegistry(
          "services:\n  users: [\"" + users.address() + "\"]\n  broken: [\"127.0.0.1:9\"]\n");
      sluice.writePolicy(
          "gateway.yaml",
          "kind: Gateway\nname: edge\nport: "
              + sluice.gatewayPort
              + "\n---\n"
              + "kind: Gateway\nname: internal\nport: "
              + internalPort
              + "\n---\n"
              + "kind: Route\nname: users\ngateway: edge\nto: users\n---\n"
              + "kind: Route\nname: broken\ngateway: internal\nto: broken\n");
      sluice.start();
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));
      envoys.start(
          EnvoyExtension.edgeBootstrap(),
          EnvoyProcess.Options.ads(sluice.xdsPort).node("internal-1", "internal"));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> sluice.admin("/proxies").body().contains("Invalid duration"));

      String url = "http://127.0.0.1:" + sluice.adminPort + "/";
      String dom = chromium.dom(url);
      assertThat(dom).contains("<h1>Sluice</h1>", "Proxies (2)");
      assertThat(row(dom, "edge-1")).contains("in sync").doesNotContain("rejected");
      assertThat(row(dom, "internal-1"))
          .contains("rejected (clusters)", "Invalid duration", "Route/broken (", "gateway.yaml:");
      assertThat(dom).contains("Recent changes", "Policies (last load: accepted)");

      Path png = Path.of("target", "status-page.png");
      Files.deleteIfExists(png);
      chromium.screenshot(url, png, 1400, 900);
      byte[] bytes = Files.readAllBytes(png);
      assertThat(bytes.length).isGreaterThan(5_000);
      assertThat(new String(bytes, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
      // the page's inline style applies under the Content-Security-Policy it is served with
      assertThat(sluice.admin("/").headers().firstValue("content-security-policy"))
          .hasValueSatisfying(
              csp -> assertThat(csp).contains("default-src 'none'", "frame-ancestors 'none'"));
      assertThat(pixels(ImageIO.read(png.toFile()), 0xf4f4f4))
          .as("pixels of the table headers' grey")
          .isGreaterThan(1_000);
    }
  }

  private static int pixels(BufferedImage image, int rgb) {
    int n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if ((image.getRGB(x, y) & 0xffffff) == rgb) {
          n++;
        }
      }
    }
    return n;
  }

  /** The table row of one proxy in the rendered DOM. */
  private static String row(String dom, String node) {
    int start = dom.indexOf("data-node=\"" + node + "\"");
    assertThat(start).as("a row for %s", node).isPositive();
    int end = dom.indexOf("</tr>", start);
    return dom.substring(start, end);
  }
}
