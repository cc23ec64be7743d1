package dev.sluice.loadtest;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What an Envoy subscribes to after CDS and LDS: the EDS name of each EDS cluster and the RDS name
 * of each HTTP connection manager. Shared by all streams of the process: parses are cached by
 * content (SotW: a type's version; delta: a resource's name and version), and names are interned,
 * so that 5,000 simulated Envoys do not make this client — on the server's machine — the bottleneck
 * or a 1 GiB heap.
 */
final class Subscriptions {
  private final Map<String, List<String>> edsBySotwVersion = new ConcurrentHashMap<>();
  private final Map<String, List<String>> rdsBySotwVersion = new ConcurrentHashMap<>();
  private final Map<String, Optional<String>> edsByResource = new ConcurrentHashMap<>();
  private final Map<String, List<String>> rdsByResource = new ConcurrentHashMap<>();
  private final Map<String, String> names = new ConcurrentHashMap<>();

  String intern(String name) {
    String known = names.putIfAbsent(name, name);
    return known == null ? name : known;
  }

  /** The EDS names of a SotW CDS response (every cluster of the state of the world), sorted. */
  List<String> edsNames(String version, List<Any> clusters) {
    return edsBySotwVersion.computeIfAbsent(
        version,
        v -> {
          List<String> out = new ArrayList<>();
          for (Any a : clusters) {
            edsName(unpack(a, Cluster.class)).ifPresent(out::add);
          }
          return out.stream().sorted().distinct().toList();
        });
  }

  /** The RDS names of a SotW LDS response, sorted. */
  List<String> rdsNames(String version, List<Any> listeners) {
    return rdsBySotwVersion.computeIfAbsent(
        version,
        v -> {
          List<String> out = new ArrayList<>();
          for (Any a : listeners) {
            out.addAll(rdsNames(unpack(a, Listener.class)));
          }
          return out.stream().sorted().distinct().toList();
        });
  }

  /** The EDS name of one delta CDS resource, if it is an EDS cluster. */
  Optional<String> edsName(String name, String version, Any cluster) {
    return edsByResource.computeIfAbsent(
        name + '\0' + version, k -> edsName(unpack(cluster, Cluster.class)));
  }

  /** The RDS names of one delta LDS resource. */
  List<String> rdsNames(String name, String version, Any listener) {
    return rdsByResource.computeIfAbsent(
        name + '\0' + version, k -> rdsNames(unpack(listener, Listener.class)));
  }

  private Optional<String> edsName(Cluster c) {
    if (c.getType() != Cluster.DiscoveryType.EDS && !c.hasEdsClusterConfig()) {
      return Optional.empty();
    }
    String service = c.getEdsClusterConfig().getServiceName();
    return Optional.of(intern(service.isEmpty() ? c.getName() : service));
  }

  private List<String> rdsNames(Listener l) {
    List<FilterChain> chains = new ArrayList<>(l.getFilterChainsList());
    if (l.hasDefaultFilterChain()) {
      chains.add(l.getDefaultFilterChain());
    }
    List<String> out = new ArrayList<>();
    for (FilterChain chain : chains) {
      for (Filter f : chain.getFiltersList()) {
        if (f.hasTypedConfig() && f.getTypedConfig().getTypeUrl().equals(TypeUrls.HCM)) {
          HttpConnectionManager hcm = unpack(f.getTypedConfig(), HttpConnectionManager.class);
          if (hcm.hasRds()) {
            out.add(intern(hcm.getRds().getRouteConfigName()));
          }
        }
      }
    }
    return List.copyOf(out);
  }

  /**
   * The name of an encoded ClusterLoadAssignment (cluster_name) or RouteConfiguration (name), both
   * field 1, read without decoding the rest: every stream sees every CLA of every SotW response,
   * and only one of them matters.
   */
  static String encodedName(ByteString encoded) {
    try {
      CodedInputStream in = encoded.newCodedInput();
      while (true) {
        int tag = in.readTag();
        if (tag == 0) {
          return "";
        }
        if (tag == (1 << 3 | 2)) {
          return in.readStringRequireUtf8();
        }
        in.skipField(tag);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static <T extends Message> T unpack(Any any, Class<T> type) {
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(
          "the server sent a " + any.getTypeUrl() + " that does not decode", e);
    }
  }
}
