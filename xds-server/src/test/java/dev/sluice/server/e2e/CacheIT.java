package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.HttpUpstream;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code cache: true}: Envoy answers a repeated request from its cache, as Cache-Control allows.
 */
class CacheIT {
  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  @Test
  void theCacheAnswersTheSecondRequestWithoutReachingTheUpstream() {
    try (HttpUpstream catalog =
            HttpUpstream.start("catalog").responseHeader("cache-control", "public, max-age=60");
        SluiceFixture sluice = new SluiceFixture()) {
      sluice.writeRegistry("services:\n  catalog: [\"" + catalog.address() + "\"]\n");
      sluice.writePolicy(
          "routes.yaml",
          """
          kind: Route
          name: products
          match: {prefix: /products}
          to: catalog
          cache: true
          ---
          kind: Route
          name: cart
          match: {prefix: /cart}
          to: catalog
          """);
      sluice.start();
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));

      HttpResponse<String> first = sluice.get("/products/1");
      HttpResponse<String> second = sluice.get("/products/1");
      assertThat(first.body()).isEqualTo("catalog");
      assertThat(second.body()).isEqualTo("catalog");
      assertThat(second.headers().firstValue("age")).as("served from the cache").isPresent();
      assertThat(catalog.requests()).as("the upstream saw only the first request").isEqualTo(1);

      sluice.get("/cart/1");
      sluice.get("/cart/1");
      assertThat(catalog.requests())
          .as("a route without cache: true always reaches the upstream")
          .isEqualTo(3);
    }
  }
}
