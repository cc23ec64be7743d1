package dev.sluice.server.auth;

import io.grpc.BindableService;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * How a gRPC port of the control plane (xDS, rate limits) protects itself: TLS when configured, and
 * the credential sources that decide what a client may claim.
 */
public record ChannelSecurity(Optional<ControlPlaneTls> tls, ProxyAuthenticator authenticator) {
  /** Plaintext and open: loopback-only servers and tests. */
  public static final ChannelSecurity NONE =
      new ChannelSecurity(Optional.empty(), ProxyAuthenticator.OPEN);

  /** A Netty server builder on {@code address}, with TLS when configured. */
  public NettyServerBuilder serverBuilder(InetSocketAddress address) {
    return tls.map(t -> NettyServerBuilder.forAddress(address, t.credentials()))
        .orElseGet(() -> NettyServerBuilder.forAddress(address));
  }

  /**
   * The service with every call's credential read into its context ({@link
   * CredentialInterceptor#current}).
   */
  public static ServerServiceDefinition withCredentials(BindableService service) {
    return ServerInterceptors.intercept(service, new CredentialInterceptor());
  }

  /** Whether the channel is encrypted and every client must prove what it claims. */
  public boolean secure() {
    return tls.isPresent() && authenticator.authenticates();
  }

  public String describe() {
    return tls.map(ControlPlaneTls::describe).orElse("plaintext")
        + ", proxies authenticated by "
        + authenticator.describe();
  }
}
