package dev.sluice.server.xds;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** What each connected Envoy stream has been sent, has accepted and has rejected. */
public final class ProxyRegistry {
  private final Map<Long, ProxyState> streams = new ConcurrentHashMap<>();

  ProxyState stream(long streamId) {
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
    return streams.values().stream().filter(s -> s.nodeId != null)
        .sorted(java.util.Comparator.comparing((ProxyState s) -> s.nodeId).thenComparing(s -> s.streamId)).toList();
  }

  /** Per stream: the node, and per resource type the last response, last ACK and last NACK. */
  public static final class ProxyState {
    final long streamId;
    volatile io.envoyproxy.envoy.config.core.v3.Node node;
    volatile String nodeId;
    volatile String group;
    final Instant connectedAt = Instant.now();
    final Map<String, TypeState> types = new ConcurrentHashMap<>();

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

    public long streamId() {
      return streamId;
    }

    public Map<String, TypeState> types() {
      return Map.copyOf(types);
    }
  }

  public static final class TypeState {
    volatile boolean delta;
    volatile List<String> requestedNames = List.of();
    volatile String lastSentNonce;
    volatile String lastSentVersion;
    volatile Map<String, String> lastSentResourceVersions = Map.of();
    volatile String ackedVersion;
    volatile String rejectedVersion;
    volatile String lastError;
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
