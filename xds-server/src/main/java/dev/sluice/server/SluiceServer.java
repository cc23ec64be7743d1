package dev.sluice.server;

import dev.sluice.discovery.CatalogListener;
import dev.sluice.discovery.CatalogSource;
import dev.sluice.discovery.FileSetWatcher;
import dev.sluice.discovery.FileWatcher;
import dev.sluice.discovery.ServiceCatalog;
import dev.sluice.policy.ParsedFiles;
import dev.sluice.policy.PolicyLoader;
import dev.sluice.server.admin.AdminServer;
import dev.sluice.server.auth.ChannelSecurity;
import dev.sluice.server.auth.ConsulAclTokens;
import dev.sluice.server.auth.ControlPlaneTls;
import dev.sluice.server.auth.ProxyAuthenticator;
import dev.sluice.server.auth.ProxyAuthenticators;
import dev.sluice.server.auth.ProxyTokens;
import dev.sluice.server.auth.RateLimitCallTokens;
import dev.sluice.server.config.ConfigPipeline;
import dev.sluice.server.mesh.MeshIdentities;
import dev.sluice.server.ratelimit.RateLimitServer;
import dev.sluice.server.telemetry.Metrics;
import dev.sluice.server.telemetry.Telemetry;
import dev.sluice.server.xds.XdsServer;
import dev.sluice.xds.RateLimitCallCredentials;
import dev.sluice.xds.XdsResources;
import dev.sluice.yaml.Diagnostics;
import dev.sluice.yaml.Finding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running control plane: sources → pipeline → snapshot cache → ADS, plus the admin endpoint. Only
 * wiring lives here.
 */
public final class SluiceServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SluiceServer.class);
  private final Telemetry telemetry;
  private final Metrics metrics;

  /** Everything started, closed in reverse order — also when start-up fails half-way. */
  private final Deque<AutoCloseable> started;

  private final XdsServer xds;
  private final ConfigPipeline pipeline;
  private final RateLimitServer rateLimits;
  private final AdminServer admin;
  private final CatalogSource registry;
  private final ServerOptions options;
  private final ChannelSecurity security;

  /**
   * The credential each gateway's ratelimit filter presents; put into its config when Envoys must
   * authenticate.
   */
  private final RateLimitCallTokens rateLimitTokens;

  /**
   * Whether xDS is reachable beyond loopback without TLS and credentials, and what that forbids.
   */
  private final XdsExposure exposure;

  /** Files the policies point at outside the policy folder (certificates, keys...). */
  private final FileSetWatcher referencedFiles;

  /**
   * Policy files parsed by earlier loads, so a reload parses only what changed; used under this
   * server's lock.
   */
  private final ParsedFiles parsedPolicies = new ParsedFiles();

  private SluiceServer(
      ServerOptions options,
      List<UnaryOperator<XdsResources>> extraSteps,
      Deque<AutoCloseable> started)
      throws IOException {
    this.options = options;
    this.started = started;
    telemetry = track(options.telemetry().get());
    metrics = telemetry.metrics();
    security = channelSecurity();
    // the key beside the control-plane CA, so replicas sharing that folder mint the same tokens
    rateLimitTokens =
        options
            .security()
            .tls()
            .flatMap(ControlPlaneTls.Options::dir)
            .map(RateLimitCallTokens::loadOrCreate)
            .orElseGet(RateLimitCallTokens::ephemeral);
    exposure = XdsExposure.of(options, security);
    exposure.checkStart(options);
    xds =
        track(
            new XdsServer(
                    options.xdsHost(), options.xdsPort(), metrics, telemetry.tracer(), security)
                .start());
    if (options.rateLimitPort() >= 0) {
      rateLimits =
          track(
              new RateLimitServer(
                      options.xdsHost(),
                      options.rateLimitPort(),
                      options.rateLimit(),
                      metrics,
                      security,
                      rateLimitTokens)
                  .start());
    } else {
      rateLimits = null;
    }
    pipeline =
        track(
            new ConfigPipeline(
                xds.publisher()::publish,
                pipelineSteps(extraSteps),
                metrics,
                telemetry.tracer(),
                table -> {
                  if (rateLimits != null) {
                    rateLimits.table(table);
                  }
                },
                options
                    .mesh()
                    .caDir()
                    .map(
                        dir ->
                            new MeshIdentities(
                                dir, options.mesh().certificateTtl(), Clock.systemUTC()))));
    registry = track(openRegistry());
    admin =
        track(
            new AdminServer(
                    options.adminHost(),
                    options.adminPort(),
                    new ServerAdminView(xds, pipeline, registry, metrics, security, exposure),
                    options.adminToken())
                .start());
    referencedFiles =
        track(
            new FileSetWatcher(options.debounce(), this::reloadPolicies, this::policyWatchFailed));
    reloadPolicies();
    // every file under the folder counts, not only *.yaml: certificates may live there too
    track(
        new FileWatcher(
            options.policies(), options.debounce(), this::reloadPolicies, this::policyWatchFailed));
    registry.start(
        new CatalogListener() {
          @Override
          public void onCatalog(ServiceCatalog catalog) {
            pipeline.catalogChanged(catalog);
          }

          @Override
          public void onError(List<Finding> problems) {
            pipeline.catalogRejected(problems);
          }
        });
    LOG.info(
        "sluice serving xDS on {}:{} ({}), admin on {}:{}, registry {}, policies {}",
        options.xdsHost(),
        xds.port(),
        security.describe(),
        options.adminHost(),
        admin.port(),
        registry.describe(),
        options.policies());
    track(exposure.warnHourly());
  }

  /**
   * Reads the policy folder and hands the result to the pipeline; then watches the files the
   * policies point at outside the folder (the folder watcher sees the ones inside). Also the files
   * of a rejected load, so that creating a missing certificate is noticed. Synchronized: both
   * watchers call it, and loads must reach the pipeline in the order they were read.
   */
  private synchronized void reloadPolicies() {
    PolicyLoader.Result result =
        exposure.checkPolicies(PolicyLoader.load(options.policies(), parsedPolicies));
    Path folder = options.policies().toAbsolutePath().normalize();
    Set<Path> outside =
        result.referencedFiles().stream()
            .filter(p -> !p.startsWith(folder))
            .collect(Collectors.toSet());
    referencedFiles.watch(outside);
    pipeline.policiesChanged(result);
  }

  /** Counted and shown as a failure of the policy source until the watch, set up again, reloads. */
  private void policyWatchFailed(Throwable e) {
    Diagnostics d = new Diagnostics();
    d.fileError(
        options.policies(),
        "watching the policies failed ("
            + e
            + "); watching them again, edits meanwhile are read then");
    pipeline.policySourceFailed(d.findings());
  }

  /**
   * What is done to each group's translated resources, in order: the credential each gateway's
   * ratelimit filter presents, when Envoys must authenticate; then {@code extra} (tests only),
   * which so sees what Envoy gets.
   */
  private List<UnaryOperator<XdsResources>> pipelineSteps(List<UnaryOperator<XdsResources>> extra) {
    List<UnaryOperator<XdsResources>> steps = new ArrayList<>();
    if (security.authenticator().authenticates()) {
      steps.add(new RateLimitCallCredentials(rateLimitTokens::tokenFor));
    }
    steps.addAll(extra);
    return List.copyOf(steps);
  }

  /** The registry, its failed Consul requests counted and its state exported; not yet started. */
  private CatalogSource openRegistry() {
    CatalogSource source =
        options
            .registry()
            .open(
                options.debounce(),
                (endpoint, reason) ->
                    metrics.increment(
                        "sluice_consul_request_errors_total",
                        "endpoint",
                        endpoint.label(),
                        "reason",
                        reason.label()));
    metrics.gauge("sluice_registry_stale", () -> source.status().stale() ? 1 : 0);
    metrics.observedCounter("sluice_registry_requests_total", () -> source.status().requests());
    metrics.gauge("sluice_registry_held_instances", () -> source.status().held());
    return source;
  }

  /** TLS and the credential sources of the xDS and rate-limit ports, as the options say. */
  private ChannelSecurity channelSecurity() {
    var tls = options.security().tls().map(t -> track(ControlPlaneTls.start(t, Clock.systemUTC())));
    var tokens =
        options
            .security()
            .proxyTokens()
            .map(f -> (ProxyAuthenticator) track(ProxyTokens.watch(f, options.debounce(), metrics)))
            .or(() -> options.security().consulTokens().map(this::consulTokens));
    return new ChannelSecurity(
        tls,
        ProxyAuthenticators.of(tokens, tls.map(ControlPlaneTls::verifiesClients).orElse(false)));
  }

  private ProxyAuthenticator consulTokens(ConsulAclTokens.Options tokens) {
    if (!(options.registry() instanceof Registry.Consul consul)) {
      throw new IllegalArgumentException(
          "--proxy-auth consul checks tokens with the registry's Consul: it needs --registry consul://…");
    }
    ConsulAclTokens source = ConsulAclTokens.of(consul.config(), tokens);
    metrics.gauge("sluice_proxy_auth_cached", source::cached);
    return source;
  }

  public ChannelSecurity security() {
    return security;
  }

  /** True when xDS listens beyond loopback without TLS and credentials ({@code --insecure-xds}). */
  public boolean insecureXds() {
    return exposure.exposed();
  }

  private <T extends AutoCloseable> T track(T resource) {
    started.push(resource);
    return resource;
  }

  public static SluiceServer start(ServerOptions options) {
    return start(options, List.of());
  }

  /**
   * A server whose pipeline applies {@code extraSteps} to each group's resources after its own
   * steps: the seam through which tests make Envoy see what it must reject. Production starts with
   * none.
   */
  static SluiceServer start(ServerOptions options, List<UnaryOperator<XdsResources>> extraSteps) {
    Deque<AutoCloseable> started = new ArrayDeque<>();
    try {
      return new SluiceServer(options, extraSteps, started);
    } catch (IOException | RuntimeException e) {
      closeAll(started);
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
  }

  public int xdsPort() {
    return xds.port();
  }

  public int adminPort() {
    return admin.port();
  }

  /** The rate-limit service's port; -1 when it does not run. */
  public int rateLimitPort() {
    return rateLimits == null ? -1 : rateLimits.port();
  }

  public Optional<RateLimitServer> rateLimits() {
    return Optional.ofNullable(rateLimits);
  }

  /** Ready once the first complete config has been published to the cache. */
  public boolean ready() {
    return pipeline.published();
  }

  public CatalogSource registry() {
    return registry;
  }

  public Metrics metrics() {
    return metrics;
  }

  public Telemetry telemetry() {
    return telemetry;
  }

  public ServerOptions options() {
    return options;
  }

  public XdsServer xds() {
    return xds;
  }

  public ConfigPipeline pipeline() {
    return pipeline;
  }

  @Override
  public void close() {
    closeAll(started);
  }

  private static void closeAll(Deque<AutoCloseable> started) {
    while (!started.isEmpty()) {
      try {
        started.pop().close();
      } catch (Exception e) {
        LOG.warn("while stopping: {}", e.toString());
      }
    }
  }
}
