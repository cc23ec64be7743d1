package dev.sluice.server;

import dev.sluice.xds.XdsResources;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Starts servers whose pipeline ends with a step of the test's own, applied to what each group
 * would get (for instance a resource Envoy must reject). Production has no such step.
 */
public final class TestServers {
  private TestServers() {}

  public static SluiceServer start(ServerOptions options, UnaryOperator<XdsResources> step) {
    return SluiceServer.start(options, List.of(step));
  }
}
