package dev.sluice.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.server.auth.ConsulAclTokens;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code sluice serve}'s options: every default must parse, or the server cannot start at all. */
class ServeCommandTest {
  @Test
  void everyDefaultValueParses() {
    ServeCommand serve = new ServeCommand();
    new CommandLine(serve).parseArgs("--registry", "services.yaml", "--policies", "policies");
    assertThat(serve.rateLimitPort).isEqualTo(18002);
    assertThat(serve.debounce).isEqualTo(Duration.ofMillis(10));
    assertThat(serve.proxyAuthTtl).isEqualTo(Duration.ofSeconds(30));
    assertThat(serve.proxyAuthOutageGrace).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void consulTokensNeedTheRegistrysConsulAndAreTheOnlyTokenSource() {
    ServeCommand serve = new ServeCommand();
    CommandLine cli = new CommandLine(serve);
    cli.parseArgs(
        "--registry",
        "consul://127.0.0.1:8500",
        "--policies",
        "p",
        "--proxy-auth",
        "consul",
        "--proxy-auth-ttl",
        "5s");
    var options = serve.securityOptions().consulTokens();
    assertThat(options)
        .hasValue(new ConsulAclTokens.Options(Duration.ofSeconds(5), Duration.ofMinutes(10)));

    ServeCommand fileRegistry = new ServeCommand();
    new CommandLine(fileRegistry)
        .parseArgs("--registry", "services.yaml", "--policies", "p", "--proxy-auth", "consul");
    assertThatThrownBy(fileRegistry::securityOptions)
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("--proxy-auth consul")
        .hasMessageContaining("needs --registry consul://");

    ServeCommand both = new ServeCommand();
    new CommandLine(both)
        .parseArgs(
            "--registry",
            "consul://127.0.0.1:8500",
            "--policies",
            "p",
            "--proxy-auth",
            "consul",
            "--proxy-tokens",
            "tokens.yaml");
    assertThatThrownBy(both::securityOptions)
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessage("--proxy-tokens and --proxy-auth consul are alternatives: give one");

    assertThatThrownBy(
            () ->
                new CommandLine(new ServeCommand())
                    .parseArgs("--registry", "r", "--policies", "p", "--proxy-auth", "vault"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("consul");
  }

  @Test
  void durationsTakeHours() {
    assertThat(new DurationConverter().convert("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(new DurationConverter().convert("250ms")).isEqualTo(Duration.ofMillis(250));
  }
}
