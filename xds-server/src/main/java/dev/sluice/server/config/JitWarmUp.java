package dev.sluice.server.config;

import com.google.protobuf.Message;
import dev.sluice.core.DaemonThreads;
import dev.sluice.discovery.ServiceCatalog;
import dev.sluice.ir.IncrementalCompiler;
import dev.sluice.policy.PolicySet;
import dev.sluice.xds.ContentHash;
import dev.sluice.xds.IncrementalTranslator;
import dev.sluice.xds.XdsResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compiles, translates and hashes the first config again and again, throwing the results away, on a
 * low-priority thread of its own, for a bounded time after start-up. Policy changes are rare, so
 * without this the code that handles them would run interpreted every time: a one-route change took
 * 10 ms of rebuild instead of 1, a fifth of the propagation target. Nothing it does is published or
 * shared: every call below is pure, and the hash cache holds its results weakly.
 */
final class JitWarmUp {
  private static final Logger LOG = LoggerFactory.getLogger(JitWarmUp.class);

  /** Enough for the JIT's thresholds (a few hundred calls of each method) at small configs. */
  static final int ROUNDS = 300;

  /** Large configs reach the thresholds within a few rounds; this bounds their start-up cost. */
  static final Duration BUDGET = Duration.ofSeconds(2);

  private JitWarmUp() {}

  /** Starts warming on the given inputs and returns at once. */
  @SuppressWarnings("ThreadPriorityCheck")
  static void start(ServiceCatalog catalog, PolicySet policies) {
    Thread t = DaemonThreads.create(() -> run(catalog, policies), "sluice-warm-up");
    t.setPriority(Thread.MIN_PRIORITY); // a hint: the warm-up must never delay a real change
    t.start();
  }

  static int run(ServiceCatalog catalog, PolicySet policies) {
    long deadline = System.nanoTime() + BUDGET.toNanos();
    int rounds = 0;
    try {
      for (; rounds < ROUNDS && System.nanoTime() < deadline; rounds++) {
        // fresh instances: the full compile and translation, as after a policy change
        new IncrementalTranslator()
            .translate(new IncrementalCompiler().compile(catalog, policies))
            .values()
            .forEach(JitWarmUp::hash);
      }
      LOG.debug("warm-up: {} rounds", rounds);
    } catch (RuntimeException e) {
      // the real rebuild already succeeded on these inputs; a failure here changes nothing served
      LOG.debug("warm-up stopped: {}", e.toString());
    }
    return rounds;
  }

  private static void hash(XdsResources r) {
    List<Message> all = new ArrayList<>();
    all.addAll(r.listeners());
    all.addAll(r.routes());
    all.addAll(r.clusters());
    all.addAll(r.endpoints());
    all.forEach(ContentHash::of);
  }
}
