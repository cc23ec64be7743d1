package dev.sluice.xds;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.Value;
import dev.sluice.ir.DnsCluster;
import dev.sluice.ir.HttpListener;
import dev.sluice.ir.ProxyConfig;
import dev.sluice.policy.telemetry.TelemetrySpec;
import dev.sluice.policy.telemetry.TelemetrySpec.Prometheus;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.SubstitutionFormatString;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.trace.v3.OpenTelemetryConfig;
import io.envoyproxy.envoy.config.trace.v3.Tracing;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.Percent;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A Gateway's {@code telemetry} → Envoy:
 *
 * <ul>
 *   <li>{@code accessLog}: the listener's HTTP connection manager gets a file access log ({@code
 *       envoy.access_loggers.file}) with a JSON ({@code json_format}) or text format;
 *   <li>{@code tracing}: the connection manager gets the OpenTelemetry tracer, exporting spans over
 *       OTLP/gRPC to the collector's cluster (a {@link DnsCluster} speaking HTTP/2, built by {@link
 *       DnsClusterTranslator}); {@code client_sampling} is 0 so that clients of the edge cannot
 *       force their requests to be traced with {@code x-client-trace-id};
 *   <li>{@code metrics.prometheus}: a listener {@code prometheus-<port>} whose only route sends
 *       {@code GET <path>} to Envoy's admin endpoint {@code /stats/prometheus}, through the static
 *       cluster {@value #ADMIN_CLUSTER} that the bootstrap defines (as Envoy Gateway and Contour
 *       do: Sluice does not know the admin address, the bootstrap does). Every other path and
 *       method gets 404, so nothing else of the admin API is reachable. Its route table is inline,
 *       not a resource of the snapshot: the cluster it names is the bootstrap's, and is not
 *       validated ({@code validate_clusters: false}), so an Envoy without it answers scrapes with
 *       503 instead of rejecting the listener.
 * </ul>
 *
 * <p>Runs after {@link ListenerTranslator} and amends the listeners it built.
 */
final class TelemetryTranslator implements FeatureTranslator {
  /** The static cluster in the Envoy bootstrap that points at Envoy's own admin listener. */
  static final String ADMIN_CLUSTER = "sluice_envoy_admin";

  static final String ADMIN_STATS_PATH = "/stats/prometheus";
  static final String FILE_LOGGER = "envoy.access_loggers.file";
  static final String OTEL_TRACER = "envoy.tracers.opentelemetry";

  @Override
  public void translate(ProxyConfig ir, XdsBuilder out) {
    for (HttpListener l : ir.listeners()) {
      if (l.telemetry().isEmpty()) {
        continue;
      }
      TelemetrySpec t = l.telemetry().get();
      String origin = "Gateway/" + ir.group() + " (telemetry at " + t.at() + ")";
      if (t.accessLog().isPresent() || t.tracing().isPresent()) {
        amendConnectionManagers(
            out.listeners.get(l.name()),
            hcm -> {
              t.accessLog().ifPresent(a -> hcm.addAccessLog(accessLog(a)));
              t.tracing().ifPresent(tr -> hcm.setTracing(tracing(tr)));
            });
        out.origin("listener/" + l.name(), origin);
      }
      t.tracing()
          .ifPresent(
              tr ->
                  out.origin(
                      "cluster/" + DnsCluster.forCollector(tr.collectorHost(), tr.collectorPort()),
                      origin));
      t.prometheus()
          .ifPresent(
              p -> {
                Listener.Builder stats = prometheusListener(p);
                out.listeners.put(stats.getName(), stats);
                out.origin("listener/" + stats.getName(), origin);
              });
    }
  }

  static AccessLog.Builder accessLog(TelemetrySpec.AccessLog a) {
    SubstitutionFormatString.Builder format = SubstitutionFormatString.newBuilder();
    if (a.format() == TelemetrySpec.AccessLog.Format.JSON) {
      Struct.Builder json = Struct.newBuilder();
      a.fields().forEach((k, v) -> json.putFields(k, Value.newBuilder().setStringValue(v).build()));
      format.setJsonFormat(json);
    } else {
      format.setTextFormatSource(DataSource.newBuilder().setInlineString(a.line()));
    }
    return AccessLog.newBuilder()
        .setName(FILE_LOGGER)
        .setTypedConfig(
            Any.pack(FileAccessLog.newBuilder().setPath(a.path()).setLogFormat(format).build()));
  }

  static HttpConnectionManager.Tracing tracing(TelemetrySpec.Tracing t) {
    OpenTelemetryConfig otel =
        OpenTelemetryConfig.newBuilder()
            .setGrpcService(
                GrpcService.newBuilder()
                    .setEnvoyGrpc(
                        GrpcService.EnvoyGrpc.newBuilder()
                            .setClusterName(
                                DnsCluster.forCollector(t.collectorHost(), t.collectorPort())))
                    .setTimeout(Protos.duration(Duration.ofSeconds(5))))
            .setServiceName(t.serviceName())
            .build();
    return HttpConnectionManager.Tracing.newBuilder()
        .setRandomSampling(Percent.newBuilder().setValue(t.samplingPercent()))
        .setClientSampling(Percent.newBuilder().setValue(0))
        .setProvider(Tracing.Http.newBuilder().setName(OTEL_TRACER).setTypedConfig(Any.pack(otel)))
        .build();
  }

  static Listener.Builder prometheusListener(Prometheus p) {
    String name = "prometheus-" + p.port();
    Route route =
        Route.newBuilder()
            .setName("prometheus")
            .setMatch(
                RouteMatch.newBuilder()
                    .setPath(p.path())
                    .addHeaders(
                        HeaderMatcher.newBuilder()
                            .setName(":method")
                            .setStringMatch(StringMatcher.newBuilder().setExact("GET"))))
            .setRoute(
                RouteAction.newBuilder()
                    .setCluster(ADMIN_CLUSTER)
                    // with a path match the whole path is replaced; the query (e.g. ?usedonly) is
                    // kept
                    .setPrefixRewrite(ADMIN_STATS_PATH)
                    .setTimeout(Protos.duration(Duration.ofSeconds(10))))
            .build();
    HttpConnectionManager hcm =
        HttpConnectionManager.newBuilder()
            .setStatPrefix(name)
            .setCodecType(HttpConnectionManager.CodecType.AUTO)
            .setRouteConfig(
                RouteConfiguration.newBuilder()
                    .setName(name)
                    // an inline table's clusters are checked by default: an Envoy whose bootstrap
                    // lacks
                    // the admin cluster would reject the listener; this way its scrapes get 503
                    .setValidateClusters(BoolValue.of(false))
                    .addVirtualHosts(
                        VirtualHost.newBuilder()
                            .setName("prometheus")
                            .addDomains("*")
                            .addRoutes(route)))
            .setNormalizePath(BoolValue.of(true))
            .setMergeSlashes(true)
            .setPathWithEscapedSlashesAction(
                HttpConnectionManager.PathWithEscapedSlashesAction.REJECT_REQUEST)
            .setCommonHttpProtocolOptions(
                HttpProtocolOptions.newBuilder()
                    .setIdleTimeout(Protos.duration(Duration.ofMinutes(5)))
                    .setHeadersWithUnderscoresAction(
                        HttpProtocolOptions.HeadersWithUnderscoresAction.REJECT_REQUEST))
            .setRequestHeadersTimeout(Protos.duration(Duration.ofSeconds(10)))
            .setStreamIdleTimeout(Protos.duration(Duration.ofSeconds(30)))
            .addHttpFilters(RouterFilter.filter())
            .build();
    return Listener.newBuilder()
        .setName(name)
        .setAddress(
            Address.newBuilder()
                .setSocketAddress(
                    SocketAddress.newBuilder().setAddress(p.address()).setPortValue(p.port())))
        .setPerConnectionBufferLimitBytes(UInt32Value.of(ClusterTranslator.BUFFER_LIMIT))
        // scrapes must keep working when the gateway is overloaded or at its connection limit
        .setBypassOverloadManager(true)
        .setIgnoreGlobalConnLimit(true)
        .addFilterChains(
            FilterChain.newBuilder()
                .addFilters(
                    Filter.newBuilder()
                        .setName(ListenerTranslator.HCM_FILTER)
                        .setTypedConfig(Any.pack(hcm))));
  }

  private static void amendConnectionManagers(
      Listener.Builder listener, Consumer<HttpConnectionManager.Builder> change) {
    for (FilterChain.Builder chain : listener.getFilterChainsBuilderList()) {
      for (Filter.Builder filter : chain.getFiltersBuilderList()) {
        if (!filter.getTypedConfig().is(HttpConnectionManager.class)) {
          continue;
        }
        try {
          HttpConnectionManager.Builder hcm =
              filter.getTypedConfig().unpack(HttpConnectionManager.class).toBuilder();
          change.accept(hcm);
          filter.setTypedConfig(Any.pack(hcm.build()));
        } catch (InvalidProtocolBufferException e) {
          throw new IllegalStateException(
              "listener " + listener.getName() + ": unreadable HTTP connection manager", e);
        }
      }
    }
  }
}
