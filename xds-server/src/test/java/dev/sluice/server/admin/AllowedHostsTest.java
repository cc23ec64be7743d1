package dev.sluice.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AllowedHostsTest {
  private final AllowedHosts loopback = new AllowedHosts("127.0.0.1", List.of());

  @Test
  void localhostAndAnyAddressWithOrWithoutAPort() {
    for (String host :
        List.of(
            "localhost",
            "localhost:18001",
            "LOCALHOST:1",
            "localhost.",
            "127.0.0.1",
            "127.0.0.1:18001",
            "[::1]",
            "[::1]:18001",
            "10.0.0.5:8080",
            "0.0.0.0",
            "[fe80::1:2]:80",
            "[::ffff:127.0.0.1]",
            " localhost ")) {
      assertThat(loopback.allows(host)).as(host).isTrue();
    }
  }

  @Test
  void aNameOfSomeoneElseOrSomethingThatIsNotAHostIsRefused() {
    for (String host :
        List.of(
            "evil.example",
            "evil.example:18001",
            "localhost.evil.example",
            "127.0.0.1.evil.example",
            "evillocalhost",
            "1.2.3.4.nip.io",
            "256.0.0.1",
            "127.1",
            "127.000.0.1",
            "localhost:",
            "localhost:x",
            "localhost:18001:1",
            "localhost@evil.example",
            "[::1",
            "[::1]x",
            "[evil.example]",
            "::1",
            "",
            " ")) {
      assertThat(loopback.allows(host)).as(host).isFalse();
    }
    assertThat(loopback.allows(null)).as("no Host header").isFalse();
  }

  @Test
  void theListenAddressAndGivenNamesCountWhenTheyAreNames() {
    AllowedHosts named =
        new AllowedHosts("sluice.internal", List.of("Ops.Example.COM.", "status.example.com"));
    for (String host :
        List.of(
            "sluice.internal:18001",
            "ops.example.com",
            "OPS.example.com.:443",
            "status.example.com",
            "localhost")) {
      assertThat(named.allows(host)).as(host).isTrue();
    }
    assertThat(named.allows("example.com")).isFalse();
    assertThat(named.names())
        .containsExactly("localhost", "ops.example.com", "sluice.internal", "status.example.com");
    // a wildcard listen address is nobody's Host, and addresses are answered anyway
    assertThat(new AllowedHosts("0.0.0.0", List.of()).names()).containsExactly("localhost");
    assertThat(new AllowedHosts("::", List.of()).names()).containsExactly("localhost");
  }
}
