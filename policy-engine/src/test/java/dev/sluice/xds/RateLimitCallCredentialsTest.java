package dev.sluice.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import dev.sluice.ir.DnsCluster;
import dev.sluice.ir.GlobalRateLimitFilter;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.http.ratelimit.v3.RateLimit;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RateLimitCallCredentialsTest {
  private final RateLimitCallCredentials credentials =
      new RateLimitCallCredentials(domain -> "token-of-" + domain);

  private static Listener listener(String domain, Optional<DnsCluster> service) {
    HttpConnectionManager hcm =
        HttpConnectionManager.newBuilder()
            .addHttpFilters(
                GlobalRateLimitFilters.filter(
                    new GlobalRateLimitFilter(domain, false, 429, Duration.ofMillis(100), service)))
            .build();
    return Listener.newBuilder()
        .setName("http-" + domain)
        .addFilterChains(
            FilterChain.newBuilder()
                .addFilters(Filter.newBuilder().setName("hcm").setTypedConfig(Any.pack(hcm))))
        .build();
  }

  private static XdsResources of(Listener... listeners) {
    return new XdsResources(
        List.of(listeners), List.of(), List.of(), List.of(), List.of(), Map.of());
  }

  private static RateLimit rateLimitFilter(Listener l) throws Exception {
    HttpConnectionManager hcm =
        l.getFilterChains(0).getFilters(0).getTypedConfig().unpack(HttpConnectionManager.class);
    return hcm.getHttpFilters(0).getTypedConfig().unpack(RateLimit.class);
  }

  @Test
  void aFilterCallingSluicesServiceGetsItsGatewaysToken() throws Exception {
    Listener out = credentials.apply(of(listener("edge", Optional.empty()))).listeners().get(0);
    var metadata =
        rateLimitFilter(out).getRateLimitService().getGrpcService().getInitialMetadataList();
    assertThat(metadata).hasSize(1);
    assertThat(metadata.get(0).getKey()).isEqualTo("authorization");
    assertThat(metadata.get(0).getValue()).isEqualTo("Bearer token-of-edge");
  }

  @Test
  void aServiceTheGatewayNamesItselfIsNotHandedSluicesToken() throws Exception {
    Listener in =
        listener(
            "edge", Optional.of(new DnsCluster("_ratelimit_rl_8081", "rl", 8081, false, true)));
    XdsResources out = credentials.apply(of(in));
    assertThat(out.listeners().get(0)).isSameAs(in);
    assertThat(
            rateLimitFilter(out.listeners().get(0))
                .getRateLimitService()
                .getGrpcService()
                .getInitialMetadataList())
        .isEmpty();
  }

  @Test
  void theSameListenerComesBackAsTheSameObject() {
    Listener in = listener("edge", Optional.empty());
    assertThat(credentials.apply(of(in)).listeners().get(0))
        .isSameAs(credentials.apply(of(in)).listeners().get(0));
  }

  @Test
  void printedConfigRedactsTheToken() {
    String yaml = XdsYaml.of(credentials.apply(of(listener("edge", Optional.empty()))).listeners());
    assertThat(yaml)
        .contains("authorization")
        .contains("<redacted>")
        .doesNotContain("token-of-edge");
  }
}
