package dev.sluice.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;

/** EnvoyExtension stops what it started and prints logs of failed tests. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EnvoyExtensionIT {
  @RegisterExtension static final EnvoyExtension envoy = new EnvoyExtension();

  private static long pidFromFirstTest;

  @Test
  @Order(1)
  void startsAnEnvoy() {
    EnvoyProcess p = envoy.startEdge(FreePorts.next());
    p.awaitLive(Duration.ofSeconds(30));
    pidFromFirstTest = p.pid();
    assertThat(envoy.processes()).containsExactly(p);
  }

  @Test
  @Order(2)
  void whichIsGoneAfterThatTest() {
    assertThat(pidFromFirstTest).isPositive();
    assertThat(ProcessHandle.of(pidFromFirstTest).map(ProcessHandle::isAlive).orElse(false))
        .isFalse();
    assertThat(envoy.processes()).isEmpty();
  }

  @Test
  @Order(3)
  void aFailedTestPrintsTheLogAndStillStops() {
    EnvoyExtension ext = new EnvoyExtension();
    ext.beforeEach(context(Optional.empty()));
    EnvoyProcess p = ext.startEdge(FreePorts.next()).awaitLive(Duration.ofSeconds(30));

    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      ext.afterEach(context(Optional.of(new AssertionError("boom"))));
    } finally {
      System.setErr(err);
    }
    String printed = captured.toString(StandardCharsets.UTF_8);
    assertThat(printed).contains("someTest() failed: " + p).contains("starting main dispatch loop");
    assertThat(p.isAlive()).isFalse();
    assertThat(ext.processes()).isEmpty();
  }

  @Test
  @Order(4)
  void aPassingTestPrintsNothing() {
    EnvoyExtension ext = new EnvoyExtension();
    ext.beforeEach(context(Optional.empty()));
    EnvoyProcess p = ext.startEdge(FreePorts.next());

    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      ext.afterEach(context(Optional.empty()));
    } finally {
      System.setErr(err);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(p.isAlive()).isFalse();
  }

  /** An ExtensionContext that only knows its display name and execution exception. */
  private static ExtensionContext context(Optional<Throwable> failure) {
    return (ExtensionContext)
        Proxy.newProxyInstance(
            ExtensionContext.class.getClassLoader(),
            new Class<?>[] {ExtensionContext.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "getExecutionException" -> failure;
                  case "getDisplayName" -> "someTest()";
                  case "toString" -> "fake context";
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }
}
