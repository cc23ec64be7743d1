package dev.sluice.server;

import dev.sluice.core.DaemonThreads;
import dev.sluice.policy.PolicyLoader;
import dev.sluice.policy.PolicySet;
import dev.sluice.policy.Source;
import dev.sluice.server.auth.ChannelSecurity;
import dev.sluice.yaml.Finding;
import dev.sluice.yaml.Severity;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Secure by default: xDS carries private keys (a gateway's TLS keys, every sidecar's workload key),
 * so a server that anyone beyond loopback can reach without TLS and a credential must not serve
 * them. Such a server refuses to start with a mesh CA, and refuses policies that hold keys, unless
 * the operator passed {@code --insecure-xds}, which is then logged at start and every hour and
 * shown on the status page.
 */
final class XdsExposure {
  private static final Logger LOG = LoggerFactory.getLogger(XdsExposure.class);
  static final String HOW =
      "serve xDS with TLS and proxy credentials (--xds-tls-dir or --xds-cert-file, and --proxy-tokens or --proxy-auth consul), listen on loopback, or pass --insecure-xds";

  /** Beyond loopback, without TLS and credentials. */
  private final boolean exposed;

  private final boolean allowed;
  private final String address;

  private XdsExposure(boolean exposed, boolean allowed, String address) {
    this.exposed = exposed;
    this.allowed = allowed;
    this.address = address;
  }

  static XdsExposure of(ServerOptions options, ChannelSecurity security) {
    return new XdsExposure(
        !loopback(options.xdsHost()) && !security.secure(),
        options.security().insecureXds(),
        options.xdsHost());
  }

  boolean exposed() {
    return exposed;
  }

  void checkStart(ServerOptions options) {
    if (exposed && !allowed && options.mesh().caDir().isPresent()) {
      throw new IllegalArgumentException(
          "refusing to serve the mesh's workload keys over plaintext or unauthenticated xDS on "
              + address
              + ": "
              + HOW);
    }
  }

  /** The load, refused whole when it holds keys that this server may not serve. */
  PolicyLoader.Result checkPolicies(PolicyLoader.Result result) {
    if (!exposed || allowed || result.policies().isEmpty()) {
      return result;
    }
    List<Finding> refusals = refusals(result.policies().get());
    if (refusals.isEmpty()) {
      return result;
    }
    List<Finding> findings = new ArrayList<>(result.findings());
    findings.addAll(refusals);
    return new PolicyLoader.Result(
        Optional.empty(), result.readable(), findings, result.referencedFiles());
  }

  private List<Finding> refusals(PolicySet policies) {
    List<Finding> out = new ArrayList<>();
    policies.gateways().stream()
        .filter(g -> g.listen().tls().isPresent())
        .forEach(
            g ->
                out.add(
                    refusal(
                        g.source(),
                        "Gateway/" + g.name(),
                        "tls",
                        "this gateway's TLS key would travel over plaintext or unauthenticated xDS on "
                            + address
                            + ": "
                            + HOW)));
    policies
        .sidecars()
        .forEach(
            s ->
                out.add(
                    refusal(
                        s.source(),
                        "Sidecar/" + s.name(),
                        "",
                        "this service's workload key would travel over plaintext or unauthenticated xDS on "
                            + address
                            + ": "
                            + HOW)));
    return out;
  }

  private static Finding refusal(Source source, String resource, String field, String message) {
    return new Finding(Severity.ERROR, source.file(), source.position(), resource, field, message);
  }

  /**
   * A warning now and every hour while xDS is exposed by the operator's choice; a no-op otherwise.
   */
  // its task reports its own failures; nothing waits for it
  @SuppressWarnings("FutureReturnValueIgnored")
  AutoCloseable warnHourly() {
    if (!exposed) {
      return () -> {};
    }
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> DaemonThreads.create(r, "sluice-insecure-xds"));
    String flag = allowed ? " (--insecure-xds)" : "";
    timer.scheduleAtFixedRate(
        () ->
            LOG.warn(
                "xDS on {} is plaintext or unauthenticated{}: any client that reaches it can claim"
                    + " any proxy's identity and read its config. To fix: {}",
                address,
                flag,
                HOW),
        0,
        1,
        TimeUnit.HOURS);
    return timer::shutdownNow;
  }

  static boolean loopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
