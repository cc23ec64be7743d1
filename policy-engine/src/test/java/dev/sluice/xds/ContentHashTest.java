package dev.sluice.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import com.google.protobuf.StringValue;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ContentHashTest {
  private static RouteConfiguration routes(String... filterNames) {
    VirtualHost.Builder vh = VirtualHost.newBuilder().setName("api").addDomains("*");
    for (String f : filterNames) {
      vh.putTypedPerFilterConfig(f, Any.pack(StringValue.of(f)));
    }
    return RouteConfiguration.newBuilder().setName("http-8080").addVirtualHosts(vh).build();
  }

  /**
   * The first encoding, through a stream: versions must not change when the encoding gets faster.
   */
  private static String throughStream(Message m) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.useDeterministicSerialization();
    m.writeTo(out);
    out.flush();
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray()), 0, 8);
  }

  @Test
  void versionIsTheSameAsTheFirstEncodingGave() throws Exception {
    RouteConfiguration r = routes("envoy.filters.http.cors", "envoy.filters.http.local_ratelimit");
    Cluster c = Cluster.newBuilder().setName("users").build();

    assertThat(ContentHash.of(r)).isEqualTo(throughStream(r));
    // sha256 of the bytes 0a 05 "users" (field 1, length 5), by hand
    assertThat(ContentHash.of(c)).isEqualTo(throughStream(c)).isEqualTo("999b70404287fd99");
  }

  @Test
  void mapEntriesInAnotherOrderGiveTheSameVersion() {
    assertThat(ContentHash.of(routes("a", "b"))).isEqualTo(ContentHash.of(routes("b", "a")));
  }

  @Test
  void anotherContentGivesAnotherVersion() {
    assertThat(ContentHash.of(routes("a"))).isNotEqualTo(ContentHash.of(routes("a", "b")));
  }
}
