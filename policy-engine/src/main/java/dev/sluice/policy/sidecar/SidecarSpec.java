package dev.sluice.policy.sidecar;

import dev.sluice.policy.PolicyResource;
import dev.sluice.policy.Source;
import java.util.List;

/**
 * The Envoy next to every instance of one service ({@code name} is the service).
 *
 * @param inboundPort the sidecar's public mTLS port, on every instance's address
 * @param appPort the application's port on 127.0.0.1
 * @param upstreams the services the application calls, each on a local plaintext port
 */
public record SidecarSpec(
    String name, Source source, int inboundPort, int appPort, List<Upstream> upstreams)
    implements PolicyResource {
  public static final String KIND = "Sidecar";

  @Override
  public String kind() {
    return KIND;
  }

  public SidecarSpec {
    upstreams = List.copyOf(upstreams);
  }

  /**
   * The proxy group of this service's sidecars (node metadata {@code sluice.role: sidecar}, {@code
   * sluice.service}).
   */
  public static String group(String service) {
    return "sidecar~" + service;
  }

  /**
   * @param source where the upstream is written, for warnings about it
   */
  public record Upstream(String service, int localPort, Source source) {}
}
