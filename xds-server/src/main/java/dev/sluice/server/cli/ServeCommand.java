package dev.sluice.server.cli;

import dev.sluice.discovery.consul.ConsulConfig;
import dev.sluice.server.Registry;
import dev.sluice.server.ServerOptions;
import dev.sluice.server.SluiceServer;
import dev.sluice.server.auth.ConsulAclTokens;
import dev.sluice.server.auth.ControlPlaneTls;
import dev.sluice.server.auth.SecurityOptions;
import dev.sluice.server.mesh.MeshOptions;
import dev.sluice.server.telemetry.Telemetry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Run the control plane: watch the registry and policies, serve ADS.")
final class ServeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--registry",
      required = true,
      description =
          "The service registry: a file (services.yaml), or Consul as consul://host:port or consul+https://host:port.")
  String registry;

  @Option(
      names = "--consul-token-file",
      description =
          "A file holding the Consul ACL token (default: the CONSUL_HTTP_TOKEN environment variable).")
  Path consulTokenFile;

  @Option(
      names = "--consul-datacenter",
      defaultValue = "",
      description = "The Consul datacenter to read (default: the agent's).")
  String consulDatacenter;

  @Option(
      names = "--consul-wait",
      defaultValue = "5m",
      converter = DurationConverter.class,
      description = "How long one Consul blocking query may wait (default: ${DEFAULT-VALUE}).")
  Duration consulWait;

  @Option(
      names = "--consul-include-warning",
      description = "Send traffic to instances whose checks warn (as DEGRADED endpoints).")
  boolean consulIncludeWarning;

  @Option(
      names = "--consul-recovery-grace",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description =
          "After Consul returns from an outage or a reset, keep instances it no longer lists this long (default: ${DEFAULT-VALUE}).")
  Duration consulRecoveryGrace;

  @Option(
      names = "--consul-ca-file",
      description = "CA bundle (PEM) to verify Consul's certificate.")
  Path consulCaFile;

  @Option(
      names = "--consul-cert-file",
      description = "Client certificate (PEM) for Consul's verify_incoming.")
  Path consulCertFile;

  @Option(names = "--consul-key-file", description = "Client key (PEM) for --consul-cert-file.")
  Path consulKeyFile;

  @Mixin PolicyFolderOption policies;

  @Option(
      names = "--xds-address",
      defaultValue = "0.0.0.0",
      description = "Address for ADS (default: ${DEFAULT-VALUE}).")
  String xdsAddress;

  @Option(
      names = "--xds-port",
      defaultValue = "18000",
      description = "Port for ADS (default: ${DEFAULT-VALUE}).")
  int xdsPort;

  @Option(
      names = "--admin-address",
      defaultValue = "127.0.0.1",
      description = "Address for /ready, /status, /metrics (default: ${DEFAULT-VALUE}).")
  String adminAddress;

  @Option(
      names = "--admin-port",
      defaultValue = "18001",
      description = "Admin port (default: ${DEFAULT-VALUE}).")
  int adminPort;

  @Option(
      names = "--admin-token-file",
      description =
          "A file holding a token the admin API then requires (Authorization: Bearer <token>, or as the password of basic auth in a browser). /healthz and /ready stay open.")
  Path adminTokenFile;

  @Option(
      names = "--ratelimit-port",
      defaultValue = "18002",
      description =
          "Port of the global rate-limit service, on --xds-address; -1: run none (default: ${DEFAULT-VALUE}).")
  int rateLimitPort;

  @Mixin CounterStoreOptions counterStore;

  @Option(
      names = "--mesh-ca-dir",
      description =
          "Folder of the mesh certificate authority (ca.pem, ca-key.pem, issued/<service>.pem), created on first use; replicas share it. Needed when policies have a Sidecar.")
  Path meshCaDir;

  @Option(
      names = "--mesh-cert-ttl",
      defaultValue = "1h",
      converter = DurationConverter.class,
      description =
          "Lifetime of sidecar workload certificates, rotated at two thirds of it (default: ${DEFAULT-VALUE}).")
  Duration meshCertTtl;

  @Option(
      names = "--xds-tls-dir",
      description =
          "Serve xDS and rate limits over TLS with a certificate from Sluice's own control-plane CA in this folder (ca.pem,"
              + " the bundle Envoys verify against, and ca-key.pem; created on first use, shared by replicas). Renewed without a restart.")
  Path xdsTlsDir;

  @Option(
      names = "--xds-tls-name",
      description =
          "A host name or address Envoys use to reach Sluice, put in the certificate of --xds-tls-dir (repeatable;"
              + " localhost, 127.0.0.1 and ::1 are always included).")
  List<String> xdsTlsNames = new ArrayList<>();

  @Option(
      names = "--xds-cert-file",
      description =
          "Serve xDS and rate limits over TLS with this certificate chain (PEM), re-read when it changes.")
  Path xdsCertFile;

  @Option(
      names = "--xds-key-file",
      description = "The private key (PEM) of --xds-cert-file, re-read when it changes.")
  Path xdsKeyFile;

  @Option(
      names = "--xds-client-ca",
      description =
          "Accept client certificates issued by this CA (PEM) as proxy credentials (mutual TLS): spiffe://<domain>/gateway/<name>"
              + " grants that gateway, spiffe://<domain>/service/<name> that service's sidecars.")
  Path xdsClientCa;

  @Option(
      names = "--xds-require-client-cert",
      description = "With --xds-client-ca: refuse clients without a certificate.")
  boolean xdsRequireClientCert;

  @Option(
      names = "--proxy-tokens",
      description =
          "A file of proxy tokens (hashes, each granting gateways or services); every Envoy must then present one"
              + " (authorization: Bearer <token> in the bootstrap's initial_metadata). Re-read when it changes; removed tokens end their streams.")
  Path proxyTokens;

  @Option(
      names = "--proxy-auth",
      paramLabel = "consul",
      description =
          "Proxies present Consul ACL tokens (authorization: Bearer <token>), checked with the --registry Consul: a sidecar's"
              + " must grant service:write on its service, a gateway Envoy's service:write on the gateway's name. Instead of --proxy-tokens.")
  ProxyAuth proxyAuth;

  /** Token sources besides --proxy-tokens. */
  enum ProxyAuth {
    consul
  }

  @Option(
      names = "--proxy-auth-ttl",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description =
          "How long Consul's answer about a token is used, and how often connected proxies' tokens are checked again:"
              + " a deleted token ends its streams within about this (default: ${DEFAULT-VALUE}).")
  Duration proxyAuthTtl;

  @Option(
      names = "--proxy-auth-outage-grace",
      defaultValue = "10m",
      converter = DurationConverter.class,
      description =
          "While Consul cannot answer, connected proxies stay this long after their token was last confirmed; new ones"
              + " are refused (default: ${DEFAULT-VALUE}).")
  Duration proxyAuthOutageGrace;

  @Option(
      names = "--insecure-xds",
      description =
          "Allow plaintext or unauthenticated xDS beyond loopback even when it carries keys (TLS keys, the mesh). Logged every hour.")
  boolean insecureXds;

  @Option(
      names = "--debounce",
      defaultValue = "10ms",
      description =
          "Quiet time after a file change before reloading (default: ${DEFAULT-VALUE}); raise it"
              + " for writers that pause mid-file (network file systems), or save atomically (write beside, rename).",
      converter = DurationConverter.class)
  Duration debounce;

  private Registry registry() throws IOException {
    if (!ConsulConfig.isConsul(registry)) {
      return new Registry.File(Path.of(registry));
    }
    Optional<String> token =
        consulTokenFile != null
            ? Optional.of(Files.readString(consulTokenFile).strip())
            : Optional.ofNullable(System.getenv("CONSUL_HTTP_TOKEN")).filter(t -> !t.isBlank());
    return new Registry.Consul(
        ConsulConfig.of(registry)
            .withToken(token)
            .withDatacenter(consulDatacenter)
            .withBlockingWait(consulWait)
            .withIncludeWarning(consulIncludeWarning)
            .withRecoveryGrace(consulRecoveryGrace)
            .withTls(
                Optional.ofNullable(consulCaFile),
                Optional.ofNullable(consulCertFile),
                Optional.ofNullable(consulKeyFile)));
  }

  SecurityOptions securityOptions() {
    SecurityOptions security = SecurityOptions.none();
    if (xdsTlsDir != null && xdsCertFile != null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--xds-tls-dir and --xds-cert-file are alternatives: give one");
    }
    if ((xdsCertFile == null) != (xdsKeyFile == null)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--xds-cert-file and --xds-key-file go together");
    }
    Optional<ControlPlaneTls.Options> tls = Optional.empty();
    if (xdsTlsDir != null) {
      List<String> names = new ArrayList<>(ControlPlaneTls.Options.defaultNames());
      xdsTlsNames.stream().filter(n -> !names.contains(n)).forEach(names::add);
      tls = Optional.of(ControlPlaneTls.Options.builtIn(xdsTlsDir, names));
    } else if (xdsCertFile != null) {
      tls = Optional.of(ControlPlaneTls.Options.files(xdsCertFile, xdsKeyFile));
    }
    if (xdsClientCa != null) {
      if (tls.isEmpty()) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--xds-client-ca needs TLS (--xds-tls-dir or --xds-cert-file)");
      }
      tls = Optional.of(tls.get().withClientCa(xdsClientCa, xdsRequireClientCert));
    }
    if (tls.isPresent()) {
      security = security.withTls(tls.get());
    }
    if (proxyTokens != null && proxyAuth != null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--proxy-tokens and --proxy-auth consul are alternatives: give one");
    }
    if (proxyTokens != null) {
      security = security.withProxyTokens(proxyTokens);
    }
    if (proxyAuth == ProxyAuth.consul) {
      security = security.withConsulTokens(consulTokens());
    }
    return insecureXds ? security.insecure() : security;
  }

  private ConsulAclTokens.Options consulTokens() {
    if (!ConsulConfig.isConsul(registry)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--proxy-auth consul checks tokens with the registry's Consul: it needs --registry consul://host:port or consul+https://host:port");
    }
    try {
      return new ConsulAclTokens.Options(proxyAuthTtl, proxyAuthOutageGrace);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  @Override
  public Integer call() throws InterruptedException, IOException {
    Optional<String> adminToken = Optional.empty();
    if (adminTokenFile != null) {
      adminToken = Optional.of(Files.readString(adminTokenFile).strip()).filter(t -> !t.isEmpty());
      if (adminToken.isEmpty()) {
        spec.commandLine()
            .getErr()
            .println(
                "serve: "
                    + adminTokenFile
                    + " is empty: refusing to start with an empty admin token");
        return 2;
      }
    }
    ServerOptions options =
        ServerOptions.builder()
            .registry(registry())
            .policies(policies.folder)
            .xdsHost(xdsAddress)
            .xdsPort(xdsPort)
            .adminHost(adminAddress)
            .adminPort(adminPort)
            .debounce(debounce)
            .telemetry(Telemetry::fromEnvironment)
            .adminToken(adminToken)
            .rateLimit(rateLimitPort, counterStore.options())
            .mesh(
                meshCaDir == null
                    ? MeshOptions.none()
                    : MeshOptions.none().withCa(meshCaDir, meshCertTtl))
            .security(securityOptions())
            .build();
    SluiceServer server;
    try {
      server = SluiceServer.start(options);
    } catch (IllegalArgumentException e) {
      // a refusal that names its file or flag (the secure-by-default rule, a proxy-token file with
      // errors)
      spec.commandLine().getErr().println("serve: " + e.getMessage());
      return 2;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "sluice-shutdown"));
    stopped.await();
    return 0;
  }
}
