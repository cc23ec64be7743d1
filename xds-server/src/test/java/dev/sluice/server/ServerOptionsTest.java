package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ServerOptionsTest {
  private final ServerOptions.Builder minimal =
      ServerOptions.builder()
          .registry(new Registry.File(Path.of("services.yaml")))
          .policies(Path.of("policies"));

  @Test
  void defaultsServeOnLoopback() {
    ServerOptions o = minimal.build();

    assertThat(o.xdsHost()).isEqualTo("127.0.0.1");
    assertThat(o.xdsPort()).isEqualTo(18000);
    assertThat(o.adminHost()).isEqualTo("127.0.0.1");
    assertThat(o.adminPort()).isEqualTo(18001);
    assertThat(o.adminToken()).isEmpty();
    assertThat(o.rateLimitPort()).isZero();
  }

  @Test
  void toBuilderKeepsEveryOptionAndChangesOnlyWhatIsSet() {
    ServerOptions o =
        minimal.ports(1, 2).xdsHost("0.0.0.0").adminToken("t").debounce(Duration.ZERO).build();

    ServerOptions changed = o.toBuilder().adminPort(3).build();

    assertThat(o.toBuilder().build()).isEqualTo(o);
    assertThat(changed.adminPort()).isEqualTo(3);
    assertThat(changed.toBuilder().adminPort(2).build()).isEqualTo(o);
  }

  @Test
  void aMissingRegistryOrPolicyFolderIsNamed() {
    assertThatThrownBy(() -> ServerOptions.builder().policies(Path.of("p")).build())
        .hasMessage("ServerOptions needs a registry");
    assertThatThrownBy(
            () -> ServerOptions.builder().registry(new Registry.File(Path.of("s"))).build())
        .hasMessage("ServerOptions needs a policy folder");
  }

  @Test
  void neverPrintsTheAdminToken() {
    assertThat(minimal.adminToken("s3cret").build().toString())
        .contains("adminToken=set")
        .doesNotContain("s3cret");
  }
}
