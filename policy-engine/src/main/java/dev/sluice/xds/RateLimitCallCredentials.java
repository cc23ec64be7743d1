package dev.sluice.xds;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.http.ratelimit.v3.RateLimit;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Gives each gateway's ratelimit filter the credential it presents to Sluice's rate-limit service
 * ({@code authorization: Bearer <token>} in the filter's {@code initial_metadata}), minted by the
 * server for the filter's domain (the gateway). Only filters that call the bootstrap's {@value
 * GlobalRateLimitFilters#SERVICE_CLUSTER} get one: a service the Gateway names itself is not
 * Sluice's, and is not handed Sluice's credential. Applied after translation, because the token is
 * a secret of the running server: {@code render} shows the config without it.
 *
 * <p>Not thread-safe: the config pipeline calls it from its one thread. Listeners come back as the
 * same objects while their input is the same object, so their encodings are reused.
 */
public final class RateLimitCallCredentials implements UnaryOperator<XdsResources> {
  private static final String HCM =
      "type.googleapis.com/" + HttpConnectionManager.getDescriptor().getFullName();
  private final Function<String, String> tokenForDomain;

  /**
   * Listener in → listener out, by identity; forgotten wholesale past {@value #REMEMBERED}
   * (gateways have few listeners).
   */
  private final IdentityHashMap<Listener, Listener> memo = new IdentityHashMap<>();

  private static final int REMEMBERED = 4096;

  /**
   * @param tokenForDomain the token for a gateway's rate-limit calls
   */
  public RateLimitCallCredentials(Function<String, String> tokenForDomain) {
    this.tokenForDomain = tokenForDomain;
  }

  // a new object means the listener changed
  @SuppressWarnings("ReferenceEquality")
  @Override
  public XdsResources apply(XdsResources resources) {
    if (memo.size() > REMEMBERED) {
      memo.clear();
    }
    List<Listener> listeners = new ArrayList<>(resources.listeners().size());
    boolean changed = false;
    for (Listener l : resources.listeners()) {
      Listener out = memo.computeIfAbsent(l, this::withCredentials);
      listeners.add(out);
      changed |= out != l;
    }
    return changed ? resources.withListeners(listeners) : resources;
  }

  // a new object means the config changed
  @SuppressWarnings("ReferenceEquality")
  private Listener withCredentials(Listener listener) {
    Listener.Builder b = null;
    for (int i = 0; i < listener.getFilterChainsCount(); i++) {
      FilterChain chain = listener.getFilterChains(i);
      for (int j = 0; j < chain.getFiltersCount(); j++) {
        Filter f = chain.getFilters(j);
        if (!f.getTypedConfig().getTypeUrl().equals(HCM)) {
          continue;
        }
        HttpConnectionManager hcm = unpack(f.getTypedConfig(), HttpConnectionManager.class);
        HttpConnectionManager updated = withCredentials(hcm);
        if (updated != hcm) {
          if (b == null) {
            b = listener.toBuilder();
          }
          b.getFilterChainsBuilder(i).getFiltersBuilder(j).setTypedConfig(Any.pack(updated));
        }
      }
    }
    return b == null ? listener : b.build();
  }

  private HttpConnectionManager withCredentials(HttpConnectionManager hcm) {
    HttpConnectionManager.Builder b = null;
    for (int i = 0; i < hcm.getHttpFiltersCount(); i++) {
      HttpFilter f = hcm.getHttpFilters(i);
      if (!f.getName().equals(GlobalRateLimitFilters.FILTER)) {
        continue;
      }
      RateLimit config = unpack(f.getTypedConfig(), RateLimit.class);
      var service = config.getRateLimitService().getGrpcService();
      if (!service.getEnvoyGrpc().getClusterName().equals(GlobalRateLimitFilters.SERVICE_CLUSTER)) {
        continue;
      }
      RateLimit.Builder withToken = config.toBuilder();
      withToken
          .getRateLimitServiceBuilder()
          .getGrpcServiceBuilder()
          .clearInitialMetadata()
          .addInitialMetadata(
              HeaderValue.newBuilder()
                  .setKey("authorization")
                  .setValue("Bearer " + tokenForDomain.apply(config.getDomain())));
      if (b == null) {
        b = hcm.toBuilder();
      }
      b.getHttpFiltersBuilder(i).setTypedConfig(Any.pack(withToken.build()));
    }
    return b == null ? hcm : b.build();
  }

  private static <T extends Message> T unpack(Any any, Class<T> type) {
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(
          "the translator wrote a " + any.getTypeUrl() + " that does not parse", e);
    }
  }
}
