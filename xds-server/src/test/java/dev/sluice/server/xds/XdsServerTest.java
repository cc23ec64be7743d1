package dev.sluice.server.xds;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.server.telemetry.Telemetry;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class XdsServerTest {
  @Test
  void aPortAlreadyTakenIsNamedInTheErrorWithTheReason() throws Exception {
    try (Telemetry telemetry = Telemetry.withSpanExporter(InMemorySpanExporter.create());
        ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      XdsServer server =
          new XdsServer("127.0.0.1", taken.getLocalPort(), telemetry.metrics(), telemetry.tracer());

      assertThatThrownBy(server::start)
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining(
              "cannot listen for xDS on /127.0.0.1:" + taken.getLocalPort() + ": ")
          .hasMessageContaining("in use");
    }
  }
}
