package dev.sluice.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts real Envoys for a test and always stops them.
 *
 * <pre>
 * &#64;RegisterExtension static final EnvoyExtension envoy = new EnvoyExtension();
 * ...
 * EnvoyProcess edge = envoy.startEdge(adsPort);
 * </pre>
 *
 * <p>An Envoy started during a test (or its {@code @BeforeEach}) is stopped after that test; one
 * started in {@code @BeforeAll} lives until the class is done. When a test fails, the log of every
 * Envoy of that test (last 200 lines, after it stopped) is printed to stderr, so it lands in the
 * surefire/failsafe report next to the failure.
 */
public final class EnvoyExtension
    implements BeforeEachCallback, AfterEachCallback, AfterAllCallback {
  /** Lines of each Envoy's log printed when a test fails. */
  public static final int LOG_LINES_ON_FAILURE = 200;

  private final List<EnvoyProcess> perTest = new ArrayList<>();
  private final List<EnvoyProcess> perClass = new ArrayList<>();
  private boolean inTest;

  /** Starts Envoy (see {@link EnvoyProcess#start}) and tracks it. */
  public EnvoyProcess start(Path bootstrapFile, EnvoyProcess.Options options) {
    EnvoyProcess p = EnvoyProcess.start(bootstrapFile, options);
    synchronized (this) {
      (inTest ? perTest : perClass).add(p);
    }
    return p;
  }

  /**
   * Starts the next restart epoch of {@code running} (see {@link EnvoyProcess#hotRestart}) and
   * tracks it like {@code running}.
   */
  public EnvoyProcess hotRestart(EnvoyProcess running, EnvoyProcess.Options options) {
    EnvoyProcess p = running.hotRestart(options);
    synchronized (this) {
      (inTest ? perTest : perClass).add(p);
    }
    return p;
  }

  /** Starts {@code envoy-configs/edge.yaml} (node edge-1, cluster edge) against an ADS port. */
  public EnvoyProcess startEdge(int adsPort) {
    return start(edgeBootstrap(), EnvoyProcess.Options.ads(adsPort));
  }

  /** {@code envoy-configs/edge.yaml} in the repository. */
  public static Path edgeBootstrap() {
    return RepoPaths.resolve("envoy-configs/edge.yaml");
  }

  /**
   * {@code envoy-configs/edge.yaml} without its static cluster {@code cluster}, written into {@code
   * dir}: for tests of what Sluice does when an Envoy's bootstrap lacks one.
   */
  public static Path edgeBootstrapWithout(String cluster, Path dir) {
    var yaml = new YAMLMapper();
    try {
      var bootstrap = (ObjectNode) yaml.readTree(edgeBootstrap().toFile());
      var clusters = (ArrayNode) bootstrap.at("/static_resources/clusters");
      for (int i = clusters.size() - 1; i >= 0; i--) {
        if (cluster.equals(clusters.get(i).path("name").asText())) {
          clusters.remove(i);
        }
      }
      Path file = dir.resolve("edge-without-" + cluster + ".yaml");
      yaml.writeValue(file.toFile(), bootstrap);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every Envoy this extension started and has not stopped yet. */
  public synchronized List<EnvoyProcess> processes() {
    List<EnvoyProcess> all = new ArrayList<>(perClass);
    all.addAll(perTest);
    return all;
  }

  /** Waits until every tracked Envoy is ready (see {@link EnvoyProcess#awaitReady}). */
  public void awaitAllReady(Duration timeout) {
    for (EnvoyProcess p : processes()) {
      p.awaitReady(timeout);
    }
  }

  @Override
  public synchronized void beforeEach(ExtensionContext context) {
    inTest = true;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    List<EnvoyProcess> mine;
    List<EnvoyProcess> shared;
    synchronized (this) {
      inTest = false;
      mine = new ArrayList<>(perTest);
      perTest.clear();
      shared = new ArrayList<>(perClass);
    }
    try {
      stopAll(mine); // first, so their logs are complete
    } finally {
      context
          .getExecutionException()
          .ifPresent(
              failure -> {
                List<EnvoyProcess> involved = new ArrayList<>(shared);
                involved.addAll(mine);
                printLogs(context.getDisplayName(), involved);
              });
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    List<EnvoyProcess> all;
    synchronized (this) {
      all = new ArrayList<>(perClass);
      all.addAll(perTest);
      perClass.clear();
      perTest.clear();
    }
    try {
      stopAll(all);
    } finally {
      context
          .getExecutionException()
          .ifPresent(failure -> printLogs(context.getDisplayName(), all));
    }
  }

  private static void printLogs(String test, List<EnvoyProcess> processes) {
    StringBuilder b = new StringBuilder();
    for (EnvoyProcess p : processes) {
      b.append("\n===== ")
          .append(test)
          .append(" failed: ")
          .append(p)
          .append(", last ")
          .append(LOG_LINES_ON_FAILURE)
          .append(" log lines =====\n")
          .append(p.tail(LOG_LINES_ON_FAILURE))
          .append("\n===== end of ")
          .append(p)
          .append(" =====\n");
    }
    if (b.length() > 0) {
      System.err.print(b);
      System.err.flush();
    }
  }

  private static void stopAll(List<EnvoyProcess> processes) {
    RuntimeException first = null;
    for (EnvoyProcess p : processes) {
      try {
        p.close();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
