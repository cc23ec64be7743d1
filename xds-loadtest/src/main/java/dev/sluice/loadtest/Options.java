package dev.sluice.loadtest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What one run does. A change to wait for is named by the cluster and the endpoint it will get, so
 * a stream counts as updated only when that endpoint is in what it received, not on any push.
 *
 * @param streamsPerChannel how many ADS streams share one HTTP/2 connection (see {@link #USAGE})
 * @param warmupStreams streams opened, served and closed before the measured ones (see {@link
 *     #USAGE})
 * @param changes made one after the other, each once every stream has the previous one
 * @param security how the streams connect and what they present (see {@link #USAGE})
 */
record Options(
    String host,
    int port,
    int streams,
    Protocol protocol,
    int streamsPerChannel,
    int warmupStreams,
    String group,
    String nodePrefix,
    List<Change> changes,
    boolean waitForGo,
    Duration initialTimeout,
    Duration changeTimeout,
    Security security) {

  enum Protocol {
    SOTW,
    DELTA
  }

  /**
   * Moving {@code from} onto {@code to} (done by this process, so the clock starts at the rename
   * itself) gives {@code cluster} the endpoint {@code endpoint} (host:port).
   */
  record Change(String cluster, String endpoint, Path from, Path to) {}

  /**
   * TLS verified against {@code tlsCa} for the name {@code serverName} (plaintext without a CA
   * file), and a bearer token read from {@code tokenFile} (none without it).
   */
  record Security(Path tlsCa, String serverName, Path tokenFile) {
    static final String DEFAULT_SERVER_NAME = "localhost";
    static final Security NONE = new Security(null, DEFAULT_SERVER_NAME, null);

    boolean tls() {
      return tlsCa != null;
    }

    /** "plaintext", "tls", "plaintext+token" or "tls+token": the variant, as printed. */
    String variant() {
      return (tls() ? "tls" : "plaintext") + (tokenFile != null ? "+token" : "");
    }
  }

  static final String USAGE =
      """
      usage: xds-loadtest --target HOST:PORT --streams N [--protocol sotw|delta]
                          [--streams-per-channel 50] [--warmup-streams 20] [--group edge] [--node-prefix loadtest]
                          [--change CLUSTER HOST:PORT FROM TO]... [--wait-for-go]
                          [--initial-timeout 300s] [--change-timeout 120s]
                          [--tls-ca FILE [--tls-server-name localhost]] [--token-file FILE]
             xds-loadtest --never-read --target HOST:PORT --streams N [--streams-per-channel 50] [--group edge]
                          [--node-prefix loadtest] [--tls-ca FILE [--tls-server-name localhost]] [--token-file FILE]

      Opens N ADS streams, each a simulated Envoy (node id <prefix>-<i>, node cluster <group>),
      subscribing as Envoy does and ACKing every response, and prints how long until all had their
      initial config. Then, for each --change: moves FROM onto TO and prints how long until each
      stream received CLUSTER's ClusterLoadAssignment with the endpoint HOST:PORT. With --wait-for-go
      it prints "ready" before each change and "done" after it, and waits for a line on stdin each
      time (so a caller can sample the server in between).

      Streams share connections, 50 per connection by default: each Envoy would open its own, but
      5,000 client connections would cost this (same-machine) process more than the server; 50
      still spreads the streams over many connections, so the server's per-connection HTTP/2 flow
      control and its event loops are exercised as with many Envoys rather than one.

      Before the N streams, --warmup-streams streams are opened, served and closed, so that the
      first measured streams do not pay for this JVM's (and the server's) first parses and encodings.

      --tls-ca FILE connects over TLS and verifies the server's certificate against the CA
      certificates in FILE (PEM; for Sluice, ca.pem in its --xds-tls-dir) and for the name given by
      --tls-server-name (default localhost, the name Sluice's bootstraps verify). Each connection
      has its own TLS context, as each Envoy has, so no connection resumes another's session: every
      connection makes a full handshake. --token-file FILE sends the token in FILE (its only line)
      as "authorization: Bearer <token>" on every stream, as an Envoy's initial_metadata does.

      --never-read attacks instead: N streams that subscribe to clusters and never take a response
      (a 16 KiB flow-control window, never reopened), each opened again 100 ms after the server ends
      it. It prints "holding" once all are opened, then waits for a line on stdin (or its end) and
      prints "never-read open=.. opened=.. ended_by_server=.." and one "ended N: REASON" line per reason.
      """;

  static Options parse(String... args) {
    String target = null;
    int streams = -1;
    Protocol protocol = Protocol.SOTW;
    int perChannel = 50;
    int warmup = 20;
    String group = "edge";
    String nodePrefix = "loadtest";
    List<Change> changes = new ArrayList<>();
    boolean waitForGo = false;
    Duration initialTimeout = Duration.ofMinutes(5);
    Duration changeTimeout = Duration.ofMinutes(2);
    Path tlsCa = null;
    String serverName = null;
    Path tokenFile = null;
    List<String> rest = new ArrayList<>(List.of(args));
    while (!rest.isEmpty()) {
      String flag = rest.remove(0);
      switch (flag) {
        case "--target" -> target = value(flag, rest);
        case "--streams" -> streams = Integer.parseInt(value(flag, rest));
        case "--protocol" ->
            protocol = Protocol.valueOf(value(flag, rest).toUpperCase(Locale.ROOT));
        case "--streams-per-channel" -> perChannel = Integer.parseInt(value(flag, rest));
        case "--warmup-streams" -> warmup = Integer.parseInt(value(flag, rest));
        case "--group" -> group = value(flag, rest);
        case "--node-prefix" -> nodePrefix = value(flag, rest);
        case "--change" ->
            changes.add(
                new Change(
                    value(flag, rest),
                    value(flag, rest),
                    Path.of(value(flag, rest)),
                    Path.of(value(flag, rest))));
        case "--wait-for-go" -> waitForGo = true;
        case "--initial-timeout" -> initialTimeout = seconds(value(flag, rest));
        case "--change-timeout" -> changeTimeout = seconds(value(flag, rest));
        case "--tls-ca" -> tlsCa = Path.of(value(flag, rest));
        case "--tls-server-name" -> serverName = value(flag, rest);
        case "--token-file" -> tokenFile = Path.of(value(flag, rest));
        default -> throw new IllegalArgumentException("unknown option " + flag + "\n" + USAGE);
      }
    }
    if (target == null || streams <= 0 || perChannel <= 0 || warmup < 0) {
      throw new IllegalArgumentException("--target and --streams (> 0) are required\n" + USAGE);
    }
    if (serverName != null && tlsCa == null) {
      throw new IllegalArgumentException("--tls-server-name needs --tls-ca\n" + USAGE);
    }
    int colon = target.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("--target is HOST:PORT, not " + target);
    }
    return new Options(
        target.substring(0, colon),
        Integer.parseInt(target.substring(colon + 1)),
        streams,
        protocol,
        perChannel,
        warmup,
        group,
        nodePrefix,
        List.copyOf(changes),
        waitForGo,
        initialTimeout,
        changeTimeout,
        new Security(
            tlsCa, serverName == null ? Security.DEFAULT_SERVER_NAME : serverName, tokenFile));
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
    return Duration.ofSeconds(
        Long.parseLong(text.endsWith("s") ? text.substring(0, text.length() - 1) : text));
  }
}
