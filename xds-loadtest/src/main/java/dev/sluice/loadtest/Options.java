package dev.sluice.loadtest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What one run does. The change to wait for is named by the cluster and the endpoint it will get,
 * so a stream counts as updated only when that endpoint is in what it received, not on any push.
 *
 * @param streamsPerChannel how many ADS streams share one HTTP/2 connection (see {@link #USAGE})
 * @param trigger the file to move over the registry (from, to), done by this process so the clock
 *     starts at the rename itself; empty: wait for no change
 */
record Options(
    String host,
    int port,
    int streams,
    Protocol protocol,
    int streamsPerChannel,
    String group,
    String nodePrefix,
    Optional<Change> change,
    boolean waitForGo,
    Duration initialTimeout,
    Duration changeTimeout) {

  enum Protocol {
    SOTW,
    DELTA
  }

  /** Moving {@code from} onto {@code to} gives {@code cluster} the endpoint {@code endpoint} (host:port). */
  record Change(String cluster, String endpoint, Path from, Path to) {}

  static final String USAGE = """
      usage: xds-loadtest --target HOST:PORT --streams N [--protocol sotw|delta]
                          [--streams-per-channel 50] [--group edge] [--node-prefix loadtest]
                          [--changed-cluster NAME --expect-endpoint HOST:PORT --trigger-from FILE --trigger-to FILE]
                          [--wait-for-go] [--initial-timeout 300s] [--change-timeout 120s]

      Opens N ADS streams, each a simulated Envoy (node id <prefix>-<i>, node cluster <group>),
      subscribing as Envoy does and ACKing every response. Prints when all have their initial config;
      then, with --wait-for-go, prints "ready" and waits for a line on stdin; then moves the trigger
      file and prints how long until each stream received the changed endpoint (then, with
      --wait-for-go, "done", and waits for another line before closing the streams).

      Streams share connections, 50 per connection by default: each Envoy would open its own, but
      5,000 client connections would cost this (same-machine) process more than the server; 50
      still spreads the streams over many connections, so the server's per-connection HTTP/2 flow
      control and its event loops are exercised as with many Envoys rather than one.
      """;

  static Options parse(String... args) {
    String target = null;
    int streams = -1;
    Protocol protocol = Protocol.SOTW;
    int perChannel = 50;
    String group = "edge";
    String nodePrefix = "loadtest";
    String cluster = null;
    String endpoint = null;
    Path from = null;
    Path to = null;
    boolean waitForGo = false;
    Duration initialTimeout = Duration.ofSeconds(300);
    Duration changeTimeout = Duration.ofSeconds(120);
    List<String> rest = new ArrayList<>(List.of(args));
    while (!rest.isEmpty()) {
      String flag = rest.remove(0);
      switch (flag) {
        case "--target" -> target = value(flag, rest);
        case "--streams" -> streams = Integer.parseInt(value(flag, rest));
        case "--protocol" -> protocol = Protocol.valueOf(value(flag, rest).toUpperCase(Locale.ROOT));
        case "--streams-per-channel" -> perChannel = Integer.parseInt(value(flag, rest));
        case "--group" -> group = value(flag, rest);
        case "--node-prefix" -> nodePrefix = value(flag, rest);
        case "--changed-cluster" -> cluster = value(flag, rest);
        case "--expect-endpoint" -> endpoint = value(flag, rest);
        case "--trigger-from" -> from = Path.of(value(flag, rest));
        case "--trigger-to" -> to = Path.of(value(flag, rest));
        case "--wait-for-go" -> waitForGo = true;
        case "--initial-timeout" -> initialTimeout = seconds(value(flag, rest));
        case "--change-timeout" -> changeTimeout = seconds(value(flag, rest));
        default -> throw new IllegalArgumentException("unknown option " + flag + "\n" + USAGE);
      }
    }
    if (target == null || streams <= 0 || perChannel <= 0) {
      throw new IllegalArgumentException("--target and --streams (> 0) are required\n" + USAGE);
    }
    int colon = target.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("--target is HOST:PORT, not " + target);
    }
    boolean anyChange = cluster != null || endpoint != null || from != null || to != null;
    if (anyChange && (cluster == null || endpoint == null || from == null || to == null)) {
      throw new IllegalArgumentException(
          "a change needs all of --changed-cluster, --expect-endpoint, --trigger-from and --trigger-to\n" + USAGE);
    }
    return new Options(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)), streams, protocol,
        perChannel, group, nodePrefix, anyChange ? Optional.of(new Change(cluster, endpoint, from, to)) : Optional.empty(),
        waitForGo, initialTimeout, changeTimeout);
  }

  int channels() {
    return (streams + streamsPerChannel - 1) / streamsPerChannel;
  }

  private static String value(String flag, List<String> rest) {
    if (rest.isEmpty()) {
      throw new IllegalArgumentException(flag + " needs a value\n" + USAGE);
    }
    return rest.remove(0);
  }

  /** "300", "300s" or "5m". */
  private static Duration seconds(String text) {
    if (text.endsWith("m")) {
      return Duration.ofMinutes(Long.parseLong(text.substring(0, text.length() - 1)));
    }
    return Duration.ofSeconds(Long.parseLong(text.endsWith("s") ? text.substring(0, text.length() - 1) : text));
  }
}
