package dev.sluice.bench;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The server's rebuild (compile → translate → content hashes) for a catalog of {@code services}
 * services with 10 endpoints and one route each.
 *
 * <ul>
 *   <li>{@code full}: a rebuild with nothing to reuse, as at start-up or after a policy change;
 *   <li>{@code oneEndpointChange}: a rebuild after the previous one, when one endpoint of one
 *       service moved (what a Consul change costs). Each call flips between the two catalogs, so
 *       every call is one endpoint change away from the call before.
 * </ul>
 *
 * Run by scripts/bench-translate, never by the build.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class TranslateBenchmark {
  @Param({"100", "1000", "5000"})
  public int services;

  private SyntheticConfig before;
  private SyntheticConfig after;
  private ServerRebuild warm;
  private boolean flip;

  @Setup(Level.Trial)
  public void setUp() {
    before = SyntheticConfig.of(services);
    after = before.withOneEndpointMoved();
    warm = new ServerRebuild();
    warm.rebuild(before);
  }

  @Benchmark
  public Map<String, ResourceVersions> full() {
    return new ServerRebuild().rebuild(before);
  }

  @Benchmark
  public Map<String, ResourceVersions> oneEndpointChange() {
    flip = !flip;
    return warm.rebuild(flip ? after : before);
  }
}
