package dev.sluice.server.xds;

import dev.sluice.server.auth.ClientText;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/** What each connected Envoy stream has been sent, has accepted and has rejected. */
public final class ProxyRegistry {
  private final Map<Long, ProxyState> streams = new ConcurrentHashMap<>();

  ProxyState open(long streamId) {
    return streams.computeIfAbsent(streamId, ProxyState::new);
  }

  void close(long streamId) {
    streams.remove(streamId);
  }

  /** Streams of one proxy group that have identified themselves. */
  List<ProxyState> inGroup(String group) {
    return streams.values().stream().filter(s -> group.equals(s.group)).toList();
  }

  public List<ProxyState> connected() {
    return streams.values().stream()
        .filter(s -> s.nodeId != null)
        .sorted(Comparator.comparing((ProxyState s) -> s.nodeId).thenComparing(s -> s.streamId))
        .toList();
  }

  /**
   * Per stream: the node, and per resource type the last response, last ACK and last NACK. What
   * came from the client (node, node id, group, NACK texts) is held as {@link ClientText} only.
   */
  public static final class ProxyState {
    final long streamId;

    /** Its id, cluster and the {@code sluice.*} metadata, nothing else. */
    volatile Node node;

    volatile String nodeId;
    volatile String group;

    /**
     * The name of the credential that admitted the stream (a token's name, a certificate's
     * identity), never the secret.
     */
    volatile String credential;

    final Instant connectedAt = Instant.now();
    final Map<String, TypeState> types = new ConcurrentHashMap<>();

    /**
     * Per type, its NACK that no accepted version has superseded yet: what the proxy rejects now.
     */
    final Map<String, Nack> rejecting = new ConcurrentHashMap<>();

    /** Superseded NACKs, newest first, at most {@link #HISTORY}. */
    final Deque<PastNack> nackHistory = new ConcurrentLinkedDeque<>();

    /** The newest change this proxy accepted, and how long after it was seen. */
    volatile ChangeAck lastChange;

    ProxyState(long streamId) {
      this.streamId = streamId;
    }

    TypeState type(String typeUrl) {
      return types.computeIfAbsent(shortType(typeUrl), t -> new TypeState());
    }

    public String nodeId() {
      return nodeId;
    }

    public String group() {
      return group;
    }

    public String credential() {
      return credential;
    }

    public long streamId() {
      return streamId;
    }

    public Map<String, TypeState> types() {
      return Map.copyOf(types);
    }

    public Instant connectedAt() {
      return connectedAt;
    }

    /** The NACKs in force, one per rejected type, newest first. */
    public List<Nack> nacks() {
      return rejecting.values().stream().sorted(Comparator.comparing(Nack::at).reversed()).toList();
    }

    /** NACKs superseded by a version the proxy accepted (or by a later NACK), newest first. */
    public List<PastNack> nackHistory() {
      return List.copyOf(nackHistory);
    }

    public Optional<ChangeAck> lastChange() {
      return Optional.ofNullable(lastChange);
    }

    /** The node's {@code sluice.role} metadata (edge or sidecar), else "edge". */
    public String role() {
      var n = node;
      if (n != null && n.getMetadata().containsFields("sluice.role")) {
        return n.getMetadata().getFieldsOrThrow("sluice.role").getStringValue();
      }
      return "edge";
    }
  }

  /** How many superseded NACKs a proxy keeps. */
  static final int HISTORY = 10;

  /**
   * One rejected push: Envoy's error_detail (as {@link ClientText}) and the policies behind what
   * Envoy's error names.
   *
   * @param policies such as {@code Route/users (policies/routes.yaml:3:1)}
   * @param oneOf whether Envoy's error could not be narrowed to one policy: one of these is behind
   *     it
   */
  public record Nack(
      String type,
      String version,
      String error,
      List<String> policies,
      boolean oneOf,
      Instant at) {}

  /**
   * A NACK no longer in force.
   *
   * @param supersededBy what ended it: "version … accepted" or "a later NACK"
   */
  public record PastNack(Nack nack, String supersededBy, Instant at) {}

  /** A change a proxy accepted. */
  public record ChangeAck(long changeId, Duration after) {}

  public static final class TypeState {
    volatile boolean delta;

    /**
     * SotW: the names of the latest request; delta: the subscription (ALL for wildcards). Interned,
     * so not a copy per proxy.
     */
    volatile Names requested = Names.ALL;

    volatile String lastSentVersion;
    volatile String ackedVersion;
    volatile String rejectedVersion;
    volatile String lastError;

    // One writer each (the stream's serialized sends, its serialized requests); volatile for the
    // admin threads that read them.
    volatile long pushes;
    volatile long nacks;

    public String ackedVersion() {
      return ackedVersion;
    }

    public String rejectedVersion() {
      return rejectedVersion;
    }

    public String lastError() {
      return lastError;
    }

    public long pushes() {
      return pushes;
    }

    public long nacks() {
      return nacks;
    }

    public String lastSentVersion() {
      return lastSentVersion;
    }
  }

  /** {@code type.googleapis.com/envoy.config.cluster.v3.Cluster} → {@code Cluster}. */
  public static String shortType(String typeUrl) {
    int dot = typeUrl.lastIndexOf('.');
    return dot < 0 ? typeUrl : typeUrl.substring(dot + 1);
  }
}
