package dev.sluice.discovery.consul;

import com.google.common.util.concurrent.RateLimiter;
import dev.sluice.discovery.CatalogListener;
import dev.sluice.discovery.CatalogSource;
import dev.sluice.discovery.DaemonThreads;
import dev.sluice.discovery.Service;
import dev.sluice.discovery.ServiceCatalog;
import dev.sluice.discovery.ServiceInstance;
import dev.sluice.discovery.SourceStatus;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows Consul's catalog with blocking queries, the way Consul's own clients do: one loop on
 * {@code /v1/catalog/services} that starts and stops one loop per service on
 * {@code /v1/health/service/<name>}. Each loop keeps its index by Consul's rules
 * ({@link BlockingIndex}), is paced by a token bucket, and backs off with jitter on errors.
 *
 * <p>The first catalog is delivered only when the service list and every service's instances
 * have been read once (warm start). When Consul cannot be reached the last catalog stays in force
 * and the source reports itself stale; when Consul returns, {@link RecoveryHold} keeps instances
 * it has forgotten for a grace period.
 */
public final class ConsulSource implements CatalogSource {
  private static final Logger LOG = LoggerFactory.getLogger(ConsulSource.class);
  static final Duration INITIAL_SYNC_TIMEOUT = Duration.ofSeconds(30);
  private final ConsulConfig config;
  private final ConsulHttp http;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> DaemonThreads.create(r, "consul-timer"));
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
  private CatalogListener listener;
  private Thread servicesLoop;

  public ConsulSource(ConsulConfig config) {
    this.config = config;
    this.http = new ConsulHttp(config);
  }

  @Override
  public void start(CatalogListener listener) {
    this.listener = listener;
    servicesLoop = DaemonThreads.create(this::watchServiceList, "consul-services");
    servicesLoop.start();
    timer.schedule(this::initialSyncTimeout, INITIAL_SYNC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public String describe() {
    return config.toString();
  }

  @Override
  public SourceStatus status() {
    synchronized (this) {
      return new SourceStatus(stale, lastSuccess, lastError, http.requests(), hold.heldCount(), indexResets);
    }
  }

  private void watchServiceList() {
    BlockingIndex index = new BlockingIndex();
    RateLimiter bucket = RateLimiter.create(config.queriesPerSecond());
    Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5));
    while (running) {
      bucket.acquire();
      try {
        ConsulHttp.Answer a = http.get("/v1/catalog/services", index.current(), config.blockingWait());
        reachable();
        backoff.reset();
        if (index.update(a.index())) {
          wentBackwards("the service list");
        }
        Set<String> names = new HashSet<>();
        a.body().fieldNames().forEachRemaining(names::add);
        names.remove("consul");
        serviceList(names);
      } catch (IOException e) {
        unreachable(e);
        index.suspend();
        if (!pause(backoff.next())) {
          return;
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void watchService(String name) {
    BlockingIndex index = new BlockingIndex();
    RateLimiter bucket = RateLimiter.create(config.queriesPerSecond());
    Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5));
    String path = "/v1/health/service/" + URLEncoder.encode(name, StandardCharsets.UTF_8);
    while (running && !Thread.currentThread().isInterrupted()) {
      bucket.acquire();
      try {
        ConsulHttp.Answer a = http.get(path, index.current(), config.blockingWait());
        // Any answer means Consul is back: the grace must start before this answer is applied,
        // or a restarted, empty agent would empty the service before the list loop notices.
        reachable();
        backoff.reset();
        if (index.update(a.index())) {
          wentBackwards("service " + name);
        }
        instances(name, HealthEntries.instances(a.body(), config.includeWarning()));
      } catch (IOException e) {
        LOG.debug("health of {}: {}", name, e.getMessage());
        index.suspend();
        if (!pause(backoff.next())) {
          return;
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private synchronized void serviceList(Set<String> names) {
    for (String gone : new ArrayList<>(watchers.keySet())) {
      if (!names.contains(gone)) {
        watchers.remove(gone).interrupt();
        observed.remove(gone);
        answered.remove(gone);
      }
    }
    for (String name : names) {
      watchers.computeIfAbsent(name, n -> {
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
      LOG.warn("{}: not every service answered within {}s; publishing what is known ({} of {} services)", config,
          INITIAL_SYNC_TIMEOUT.toSeconds(), answered.size(), watchers.size());
      synced = serviceListRead;
      publish();
    }
  }

  private synchronized void reachable() {
    lastSuccess = Instant.now();
    if (stale) {
      stale = false;
      lastError = "";
      Duration down = Duration.between(unreachableSince, lastSuccess);
      startGrace();
      LOG.info("{} is reachable again after {} ms; instances it no longer lists are kept until {} unless they re-register",
          config, down.toMillis(), hold.graceEnd());
    }
  }

  private synchronized void unreachable(IOException e) {
    lastError = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (!stale) {
      stale = true;
      unreachableSince = Instant.now();
      LOG.warn("{} cannot be read ({}); serving the last known catalog ({} services) until it returns", config, lastError,
          published.size());
    }
  }

  private synchronized void wentBackwards(String what) {
    indexResets++;
    LOG.info("{}: the index of {} went backwards (restored snapshot or restarted agent); reset to 0", config, what);
    startGrace();
  }

  private void startGrace() {
    Instant end = Instant.now().plus(config.recoveryGrace());
    hold.startGrace(end);
    // Re-publish when the grace ends, so what is still held is dropped.
    timer.schedule(() -> {
      synchronized (this) {
        if (synced) {
          publish();
        }
      }
    }, config.recoveryGrace().toMillis() + 10, TimeUnit.MILLISECONDS);
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
