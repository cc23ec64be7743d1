package dev.sluice.discovery.consul;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.util.concurrent.RateLimiter;
import dev.sluice.core.DaemonThreads;
import dev.sluice.discovery.CatalogListener;
import dev.sluice.discovery.CatalogSource;
import dev.sluice.discovery.Service;
import dev.sluice.discovery.ServiceCatalog;
import dev.sluice.discovery.ServiceInstance;
import dev.sluice.discovery.SourceStatus;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows Consul's catalog with blocking queries, the way Consul's own clients do: one loop on
 * {@code /v1/catalog/services} that starts and stops one loop per service on {@code
 * /v1/health/service/<name>}. Each loop keeps its index by Consul's rules ({@link BlockingIndex}),
 * is paced by a token bucket, and backs off with jitter on errors.
 *
 * <p>The first catalog is delivered only when the service list and every service's instances have
 * been read once (warm start). When Consul cannot be reached the last catalog stays in force and
 * the source reports itself stale; when Consul returns, {@link RecoveryHold} keeps instances it has
 * forgotten for a grace period.
 */
public final class ConsulSource implements CatalogSource {
  private static final Logger LOG = LoggerFactory.getLogger(ConsulSource.class);
  static final Duration INITIAL_SYNC_TIMEOUT = Duration.ofSeconds(30);
  private final ConsulConfig config;
  private final ConsulHttp http;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(r -> DaemonThreads.create(r, "consul-timer"));
  private final Map<String, Thread> watchers = new HashMap<>();
  private final Map<String, List<ServiceInstance>> observed = new TreeMap<>();
  private final Set<String> answered = new HashSet<>();
  private final RecoveryHold hold = new RecoveryHold();
  private Map<String, List<ServiceInstance>> published = Map.of();
  private ServiceCatalog lastCatalog;
  private boolean serviceListRead;
  private boolean synced;
  private volatile boolean running = true;
  private volatile boolean stale;
  private volatile Instant lastSuccess;
  private volatile Instant unreachableSince;
  private volatile String lastError = "";
  private long indexResets;

  /**
   * The loops whose last request failed (the service list, "service X"), with the reason, oldest
   * first.
   */
  private final Map<String, String> failing = new LinkedHashMap<>();

  private boolean graceStarted;
  private static final String SERVICE_LIST = "the service list";
  private CatalogListener listener;
  private Thread servicesLoop;

  private final ConsulRequestErrors requestErrors;

  public ConsulSource(ConsulConfig config) {
    this(config, ConsulRequestErrors.NONE);
  }

  /**
   * @param requestErrors told about each failed request
   */
  public ConsulSource(ConsulConfig config, ConsulRequestErrors requestErrors) {
    this.config = config;
    this.http = new ConsulHttp(config);
    this.requestErrors = requestErrors;
  }

  @Override
  public void start(CatalogListener listener) {
    this.listener = listener;
    servicesLoop = DaemonThreads.create(this::watchServiceList, "consul-services");
    servicesLoop.start();
    var unused =
        timer.schedule(
            this::initialSyncTimeout, INITIAL_SYNC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public String describe() {
    return config.toString();
  }

  @Override
  public SourceStatus status() {
    synchronized (this) {
      return new SourceStatus(
          stale, lastSuccess, lastError, http.requests(), hold.heldCount(), indexResets);
    }
  }

  /**
   * What one answer becomes: read (and checked) first, applied only if the whole answer is good.
   */
  private interface Reader<T> {
    T read(JsonNode body) throws IOException;
  }

  private void watchServiceList() {
    String path = "/v1/catalog/services";
    loop(
        SERVICE_LIST,
        null,
        path,
        body -> {
          Set<String> names = new HashSet<>();
          ConsulHttp.object(body, path).fieldNames().forEachRemaining(names::add);
          names.remove("consul");
          return names;
        },
        this::serviceList);
  }

  private void watchService(String name) {
    String path = "/v1/health/service/" + ConsulHttp.segment(name);
    Set<String> droppedBefore = new HashSet<>();
    loop(
        "service " + name,
        name,
        path,
        body -> {
          HealthEntries.Read read =
              HealthEntries.read(name, ConsulHttp.array(body, path), config.includeWarning());
          // each dropped instance is said once, not again at every answer while it stays registered
          for (String d : read.dropped()) {
            if (!droppedBefore.contains(d)) {
              LOG.warn("{}: {}; see docs/consul.md", config, d);
            }
          }
          droppedBefore.clear();
          droppedBefore.addAll(read.dropped());
          return read.instances();
        },
        list -> instances(name, list));
  }

  /**
   * One blocking-query loop. Any failure of a request — Consul unreachable, not 200, an answer it
   * never sends, even a bug of ours — is an error of that request: it marks the source stale with
   * its reason, the loop backs off and keeps its index, and the next answer is read as usual. No
   * exception ends the loop; only {@link #close()} or (for a service) its deregistration does.
   *
   * @param service the service this loop follows, null for the service list
   */
  private <T> void loop(
      String what, String service, String path, Reader<T> reader, Consumer<T> apply) {
    BlockingIndex index = new BlockingIndex();
    RateLimiter bucket = RateLimiter.create(config.queriesPerSecond());
    Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5));
    while (running && !Thread.currentThread().isInterrupted()) {
      bucket.acquire();
      try {
        ConsulHttp.Answer a = http.get(path, index.current(), config.blockingWait());
        // Any answer means Consul is back: the grace must start before this answer is applied,
        // or a restarted, empty agent would empty the service before the list loop notices.
        reachable();
        T value = reader.read(a.body());
        if (index.update(a.index())) {
          wentBackwards(what);
        }
        apply.accept(value);
        succeeded(what);
        backoff.reset();
      } catch (InterruptedException e) {
        return;
      } catch (IOException e) {
        count(service, e);
        failed(what, service, message(e), null);
        index.suspend();
        if (!pause(backoff.next())) {
          return;
        }
      } catch (RuntimeException | Error e) {
        // a bug of ours (or an answer we did not foresee): this request failed, the loop goes on
        count(service, e);
        failed(what, service, "unexpected " + e, e);
        index.suspend();
        if (!pause(backoff.next())) {
          return;
        }
      }
    }
  }

  private void count(String service, Throwable e) {
    try {
      requestErrors.failed(
          service == null
              ? ConsulRequestErrors.Endpoint.CATALOG_SERVICES
              : ConsulRequestErrors.Endpoint.HEALTH_SERVICE,
          ConsulRequestErrors.Reason.of(e));
    } catch (RuntimeException countFailed) {
      LOG.error("counting a failed Consul request failed: {}", countFailed.toString());
    }
  }

  private static String message(IOException e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private synchronized void serviceList(Set<String> names) {
    for (String gone : new ArrayList<>(watchers.keySet())) {
      if (!names.contains(gone)) {
        watchers.remove(gone).interrupt();
        succeeded("service " + gone); // a failure of a service that is gone is no longer one
        observed.remove(gone);
        answered.remove(gone);
      }
    }
    for (String name : names) {
      watchers.computeIfAbsent(
          name,
          n -> {
            Thread t = DaemonThreads.create(() -> watchService(n), "consul-health-" + n);
            t.start();
            return t;
          });
    }
    serviceListRead = true;
    publish();
  }

  private synchronized void instances(String service, List<ServiceInstance> instances) {
    if (!watchers.containsKey(service)) {
      return; // deregistered while this answer was in flight
    }
    observed.put(service, instances);
    answered.add(service);
    publish();
  }

  /** Delivers the catalog if it changed; before the first sync is complete, only once it is. */
  private synchronized void publish() {
    if (!synced) {
      if (!serviceListRead || !answered.containsAll(watchers.keySet())) {
        return;
      }
      synced = true;
      LOG.info("{}: first sync complete, {} services", config, observed.size());
    }
    Instant now = Instant.now();
    Map<String, List<ServiceInstance>> effective = hold.apply(published, observed, now);
    published = effective;
    List<Service> services = new ArrayList<>();
    effective.forEach((name, list) -> services.add(new Service(name, list)));
    ServiceCatalog catalog = ServiceCatalog.of(services);
    if (!catalog.equals(lastCatalog)) {
      lastCatalog = catalog;
      listener.onCatalog(catalog);
    }
  }

  private synchronized void initialSyncTimeout() {
    if (!synced && running) {
      LOG.warn(
          "{}: not every service answered within {}s; publishing what is known ({} of {} services)",
          config,
          INITIAL_SYNC_TIMEOUT.toSeconds(),
          answered.size(),
          watchers.size());
      synced = serviceListRead;
      publish();
    }
  }

  /** Consul answered (well or not): after an outage, start the recovery grace once. */
  private synchronized void reachable() {
    lastSuccess = Instant.now();
    if (stale && !graceStarted) {
      graceStarted = true;
      startGrace();
      LOG.info(
          "{} answers again after {} ms; instances it no longer lists are kept until {} unless they re-register",
          config,
          Duration.between(unreachableSince, lastSuccess).toMillis(),
          hold.graceEnd());
    }
  }

  /** A loop's request succeeded: the source is fresh again once no loop has a failure left. */
  private synchronized void succeeded(String what) {
    if (failing.remove(what) == null) {
      return;
    }
    if (failing.isEmpty()) {
      stale = false;
      lastError = "";
      LOG.info(
          "{}: every query succeeds again after {} ms",
          config,
          Duration.between(unreachableSince, Instant.now()).toMillis());
    } else {
      lastError = last(failing);
    }
  }

  /**
   * A loop's request failed: the source is stale with this reason until every failing loop has
   * succeeded since. Logged at WARN when a loop starts failing or fails for another reason; the
   * retries of the same failure at DEBUG.
   */
  private synchronized void failed(String what, String service, String reason, Throwable bug) {
    if (service != null && !watchers.containsKey(service)) {
      return; // deregistered meanwhile: its loop is ending
    }
    String before = failing.remove(what);
    failing.put(what, reason);
    lastError = reason;
    if (!stale) {
      stale = true;
      graceStarted = false;
      unreachableSince = Instant.now();
    }
    if (!reason.equals(before)) {
      what =
          ConsulHttp.shorten(
              what); // a service's name is Consul's: printable and short in a log line
      if (bug != null) {
        LOG.warn(
            "{}: reading {} failed ({}); serving the last known catalog ({} services) until it succeeds",
            config,
            what,
            reason,
            published.size(),
            bug);
      } else {
        LOG.warn(
            "{}: reading {} failed ({}); serving the last known catalog ({} services) until it succeeds",
            config,
            what,
            reason,
            published.size());
      }
    } else {
      LOG.debug("{}: reading {} failed again ({})", config, what, reason);
    }
  }

  private static String last(Map<String, String> m) {
    String out = "";
    for (String v : m.values()) {
      out = v;
    }
    return out;
  }

  private synchronized void wentBackwards(String what) {
    indexResets++;
    LOG.info(
        "{}: the index of {} went backwards (restored snapshot or restarted agent); reset to 0",
        config,
        what);
    startGrace();
  }

  private void startGrace() {
    Instant end = Instant.now().plus(config.recoveryGrace());
    hold.startGrace(end);
    // Re-publish when the grace ends, so what is still held is dropped.
    var unused =
        timer.schedule(
            () -> {
              synchronized (this) {
                if (synced) {
                  publish();
                }
              }
            },
            config.recoveryGrace().toMillis() + 10,
            TimeUnit.MILLISECONDS);
  }

  private boolean pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
      return running;
    } catch (InterruptedException e) {
      return false;
    }
  }

  @Override
  public void close() {
    running = false;
    timer.shutdownNow();
    if (servicesLoop != null) {
      servicesLoop.interrupt();
    }
    synchronized (this) {
      watchers.values().forEach(Thread::interrupt);
      watchers.clear();
    }
  }
}
