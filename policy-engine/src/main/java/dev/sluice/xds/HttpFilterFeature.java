package dev.sluice.xds;

import com.google.protobuf.Descriptors.Descriptor;
import dev.sluice.ir.HttpListener;
import dev.sluice.ir.HttpRoute;
import dev.sluice.ir.ProxyConfig;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.List;

/**
 * One HTTP filter of a gateway listener, all of it in one class: whether a listener needs it (read
 * from the IR), what it adds to the filter chain and to the connection manager, its config on
 * virtual hosts and routes, the resources it adds beside the listener, and the config types it
 * packs (so that printing can resolve them). Its slot in the chain is its row in {@link
 * HttpFilterChain#FILTERS}.
 */
interface HttpFilterFeature {
  /**
   * The filter's name in the chain, as the documented order lists it; a pattern such as {@code
   * compressor-<algorithm>} for a feature that adds several filters.
   */
  String name();

  /** Whether the listener needs the filter; derived from the IR, never a flag of its own. */
  boolean needed(HttpListener l);

  /** The filters it adds to the chain of a listener that needs it, in order. */
  List<HttpFilter> filters(HttpListener l);

  /** Every message type it packs into an Any, in the listener or the routes. */
  List<Descriptor> types();

  /** Sets what the filter needs on the connection manager besides its place in the chain. */
  default void patchConnectionManager(HttpListener l, HttpConnectionManager.Builder hcm) {}

  /** Sets the filter's config on a virtual host of the listener. */
  default void patchVirtualHost(HttpListener l, VirtualHost.Builder vhost) {}

  /**
   * Sets the filter's part of a route entry. It reads the IR route only: a route is memoized by its
   * IR and shared by every listener that lists it.
   */
  default void patchRoute(HttpRoute ir, Route.Builder route) {}

  /** Adds or annotates resources beside the listener (clusters, secrets, their origins). */
  default void patchResources(ProxyConfig ir, HttpListener l, XdsBuilder out) {}
}
