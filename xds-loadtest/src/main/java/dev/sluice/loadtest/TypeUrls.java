package dev.sluice.loadtest;

/** The ADS type URLs an edge Envoy subscribes to, in the order it asks for them. */
final class TypeUrls {
  static final String CLUSTER = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  static final String LISTENER = "type.googleapis.com/envoy.config.listener.v3.Listener";
  static final String ENDPOINT =
      "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";
  static final String ROUTE = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
  static final String HCM =
      "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";

  private TypeUrls() {}

  /** {@code ...v3.ClusterLoadAssignment} → {@code ClusterLoadAssignment}. */
  static String shortName(String typeUrl) {
    return typeUrl.substring(typeUrl.lastIndexOf('.') + 1);
  }
}
