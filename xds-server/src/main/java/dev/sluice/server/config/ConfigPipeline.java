package dev.sluice.server.config;

import dev.sluice.core.DaemonThreads;
import dev.sluice.discovery.ServiceCatalog;
import dev.sluice.ir.GlobalRateLimitTables;
import dev.sluice.ir.IncrementalCompiler;
import dev.sluice.ir.MeshClient;
import dev.sluice.ir.ProxyConfig;
import dev.sluice.policy.CrossChecks;
import dev.sluice.policy.PolicyLoader;
import dev.sluice.policy.PolicySet;
import dev.sluice.ratelimit.RateLimitTable;
import dev.sluice.server.mesh.CaException;
import dev.sluice.server.mesh.MeshIdentities;
import dev.sluice.server.telemetry.Metrics;
import dev.sluice.server.xds.PropagationTracker.Change;
import dev.sluice.xds.ConsistencyCheck;
import dev.sluice.xds.IncrementalTranslator;
import dev.sluice.xds.XdsResources;
import dev.sluice.yaml.Finding;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The middle of the server: holds the latest valid catalog and policy set and turns them into one
 * set of Envoy resources per proxy group whenever either changes. Runs on one thread so rebuilds
 * never interleave. Publishes nothing until both inputs have arrived once (warm start).
 *
 * <p>User errors (a bad policy file) keep the last good policies; system errors (an inconsistent
 * snapshot, which is a bug of ours) keep the last good snapshot.
 */
public final class ConfigPipeline implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigPipeline.class);
  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(r -> DaemonThreads.create(r, "sluice-config"));

  /**
   * Sidecar identities; empty when the server runs without a mesh CA (then sidecar groups are
   * refused).
   */
  private final Optional<MeshIdentities> mesh;

  private ScheduledFuture<?> rotation;
  static final Duration ROTATION_RETRY = Duration.ofSeconds(10);
  private final BiConsumer<Change, Map<String, XdsResources>> publish;
  private final Tracer tracer;
  private final Consumer<RateLimitTable> rateLimits;
  private long changes;

  /**
   * Applied in order to each group's translated resources, before its mesh identities are attached
   * and the whole is checked.
   */
  private final List<UnaryOperator<XdsResources>> steps;

  private final Metrics metrics;
  private volatile ServiceCatalog catalog;
  private volatile PolicySet policies;
  private volatile List<Finding> policyFindings = List.of();
  private volatile PolicyLoader.Result lastPolicyLoad;
  private volatile List<Finding> registryFindings = List.of();
  private volatile Set<String> loggedWarnings = Set.of();
  private volatile boolean published;
  private final Refusals refusals = new Refusals();

  /** Remember the previous rebuild, so a registry change recomputes only what it touches. */
  private final IncrementalCompiler compiler = new IncrementalCompiler();

  private final IncrementalTranslator translator = new IncrementalTranslator();

  public ConfigPipeline(
      BiConsumer<Change, Map<String, XdsResources>> publish,
      List<UnaryOperator<XdsResources>> steps,
      Metrics metrics,
      Tracer tracer,
      Consumer<RateLimitTable> rateLimits) {
    this(publish, steps, metrics, tracer, rateLimits, Optional.empty());
  }

  public ConfigPipeline(
      BiConsumer<Change, Map<String, XdsResources>> publish,
      List<UnaryOperator<XdsResources>> steps,
      Metrics metrics,
      Tracer tracer,
      Consumer<RateLimitTable> rateLimits,
      Optional<MeshIdentities> mesh) {
    this.mesh = mesh;
    this.publish = publish;
    this.rateLimits = rateLimits;
    this.tracer = tracer;
    this.steps = List.copyOf(steps);
    this.metrics = metrics;
  }

  public void catalogChanged(ServiceCatalog next) {
    Instant seen = Instant.now();
    executor.execute(
        () -> {
          List<String> sources =
              ChangeSources.catalog(catalog == null ? ServiceCatalog.EMPTY : catalog, next);
          catalog = next;
          registryFindings = List.of();
          rebuild("registry", seen, sources);
        });
  }

  public void catalogRejected(List<Finding> problems) {
    Instant seen = Instant.now();
    executor.execute(
        () -> {
          registryFindings = List.copyOf(problems);
          refusals.add(Refusal.of("registry", seen, problems));
          metrics.increment("sluice_config_rejected_total", "source", "registry");
        });
  }

  /**
   * The policy source failed without a load (its watch broke): counted as a rejection and shown
   * with the policies' findings until the next load replaces them.
   */
  public void policySourceFailed(List<Finding> problems) {
    executor.execute(
        () -> {
          policyFindings = List.copyOf(problems);
          metrics.increment("sluice_config_rejected_total", "source", "policies");
        });
  }

  public void policiesChanged(PolicyLoader.Result result) {
    Instant seen = Instant.now();
    executor.execute(
        () -> {
          policyFindings = result.findings();
          lastPolicyLoad = result;
          if (result.policies().isEmpty()) {
            metrics.increment("sluice_config_rejected_total", "source", "policies");
            refusals.add(Refusal.of("policies", seen, result.findings()));
            LOG.error("policy change rejected, the previous policies keep serving:");
            result.findings().stream()
                .filter(Finding::isError)
                .forEach(f -> LOG.error("  {}", f.format()));
            return;
          }
          List<String> sources =
              ChangeSources.policies(
                  policies == null ? PolicySet.EMPTY : policies, result.policies().get());
          policies = result.policies().get();
          rebuild("policies", seen, sources);
        });
  }

  /**
   * Compiles and translates every group and hands the result to the publisher as one change,
   * numbered, with its cause and the time its input was seen (for propagation tracking). Only what
   * the change touched is compiled and translated again; the rest is the previous objects.
   */
  private void rebuild(String cause, Instant seen, List<String> sources) {
    if (catalog == null || policies == null) {
      return;
    }
    Change change = new Change(++changes, cause, seen, sources);
    Span span =
        tracer
            .spanBuilder("sluice.rebuild")
            .setAttribute("sluice.change.id", change.id())
            .setAttribute("sluice.change.cause", cause)
            .startSpan();
    long start = System.nanoTime();
    try (Scope ignored = span.makeCurrent()) {
      logNewWarnings();
      Map<String, XdsResources> groups = new TreeMap<>();
      Map<String, ProxyConfig> compiled = compiler.compile(catalog, policies);
      Map<String, XdsResources> translated = translator.translate(compiled);
      for (Map.Entry<String, ProxyConfig> e : compiled.entrySet()) {
        XdsResources resources = translated.get(e.getKey());
        for (UnaryOperator<XdsResources> step : steps) {
          resources = step.apply(resources);
        }
        if (e.getValue().meshClient().isPresent()) {
          try {
            resources =
                mesh.orElseThrow(
                        () ->
                            new CaException(
                                "mesh identities (sidecars, gateways routing to them) need the mesh certificate authority:"
                                    + " start the server with --mesh-ca-dir"))
                    .attach(e.getValue(), resources);
          } catch (RuntimeException ex) {
            metrics.increment("sluice_config_rejected_total", "source", "mesh");
            span.setStatus(StatusCode.ERROR, "no identity for group " + e.getKey());
            LOG.error(
                "group {} gets no mesh identity, the last good config keeps serving: {}",
                e.getKey(),
                ex.getMessage());
            return;
          }
        }
        // after the mesh secrets: the snapshot Envoy gets must be whole
        List<String> problems = ConsistencyCheck.problems(resources);
        if (!problems.isEmpty()) {
          metrics.increment("sluice_snapshot_inconsistent_total");
          span.setStatus(StatusCode.ERROR, "inconsistent snapshot for group " + e.getKey());
          LOG.error(
              "BUG: group {} would get an inconsistent snapshot, keeping the last good one: {}",
              e.getKey(),
              problems);
          return;
        }
        groups.put(e.getKey(), resources);
      }
      mesh.ifPresent(
          m ->
              m.retain(
                  compiled.values().stream()
                      .flatMap(c -> c.meshClient().stream())
                      .map(MeshClient::identity)
                      .collect(Collectors.toSet())));
      span.setAttribute("sluice.groups", groups.size());
      metrics.seconds("sluice_translate_seconds", (System.nanoTime() - start) / 1e9);
      // the service's limits before Envoy's actions, so a new descriptor never meets an old table
      rateLimits.accept(GlobalRateLimitTables.of(compiled));
      publish.accept(change, groups);
      metrics.increment("sluice_config_builds_total");
      if (!published) {
        JitWarmUp.start(catalog, policies);
      }
      published = true;
      scheduleRotation();
    } finally {
      span.end();
    }
  }

  /** Rebuilds (on this thread) when the earliest workload certificate is due for rotation. */
  private void scheduleRotation() {
    if (rotation != null) {
      rotation.cancel(false);
      rotation = null;
    }
    mesh.flatMap(MeshIdentities::nextRotation)
        .ifPresent(
            at -> {
              long delay = Math.max(0, Duration.between(Instant.now(), at).toMillis());
              rotation = executor.schedule(this::rotate, delay, TimeUnit.MILLISECONDS);
            });
  }

  /**
   * A rebuild for rotation. A successful one schedules the next rotation itself; if it was refused
   * (policies or the CA in a bad state), try again shortly rather than let certificates run out
   * unnoticed.
   */
  private void rotate() {
    var self = rotation;
    rebuild("certificate rotation", Instant.now(), List.of());
    if (rotation == self) {
      LOG.warn("certificate rotation did not publish; retrying in {}", ROTATION_RETRY);
      rotation = executor.schedule(this::rotate, ROTATION_RETRY.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void logNewWarnings() {
    List<Finding> warnings =
        new ArrayList<>(policyFindings.stream().filter(f -> !f.isError()).toList());
    warnings.addAll(CrossChecks.againstCatalog(policies, catalog));
    Set<String> lines = new TreeSet<>();
    warnings.forEach(w -> lines.add(w.format()));
    for (String line : lines) {
      if (!loggedWarnings.contains(line)) {
        LOG.warn("{}", line);
      }
    }
    loggedWarnings = lines;
  }

  /** True once a snapshot has been built from a complete first sync. */
  public boolean published() {
    return published;
  }

  /** The last policy load, accepted or not; empty before the first. */
  public Optional<PolicyLoader.Result> lastPolicyLoad() {
    return Optional.ofNullable(lastPolicyLoad);
  }

  /**
   * The policies the running config was built from: the last accepted load; empty before the first.
   */
  public Optional<PolicySet> servingPolicies() {
    return Optional.ofNullable(policies);
  }

  /** The latest refused changes, newest first. */
  public List<Refusal> recentRefusals() {
    return refusals.recent();
  }

  /** The catalog the running config was built from; empty before the first sync. */
  public Optional<ServiceCatalog> catalog() {
    return Optional.ofNullable(catalog);
  }

  public List<Finding> policyFindings() {
    return policyFindings;
  }

  public List<Finding> registryFindings() {
    return registryFindings;
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
