package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.Status;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.FreePorts;
import dev.sluice.testing.HttpUpstream;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An external authorization service (ext_authz over HTTP) decides, and can pass headers upstream.
 */
class ExternalAuthIT {
  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  @Test
  void theServiceDecidesAndItsHeadersReachTheUpstream() throws Exception {
    List<String> checked = new CopyOnWriteArrayList<>();
    HttpServer authz = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    authz.createContext(
        "/",
        ex -> {
          checked.add(ex.getRequestMethod() + " " + ex.getRequestURI());
          boolean allowed = "let-me-in".equals(ex.getRequestHeaders().getFirst("authorization"));
          if (allowed) {
            ex.getResponseHeaders().add("x-tenant", "acme");
            // the service, not Sluice, knows which header is its credential
            ex.getResponseHeaders().add("x-envoy-auth-headers-to-remove", "authorization");
          }
          ex.sendResponseHeaders(allowed ? 200 : 403, -1);
          ex.close();
        });
    authz.start();
    try (HttpUpstream orders = HttpUpstream.start("orders");
        SluiceFixture sluice = new SluiceFixture()) {
      sluice.writeRegistry(
          "services:\n  orders: [\""
              + orders.address()
              + "\"]\n  authz: [\"127.0.0.1:"
              + authz.getAddress().getPort()
              + "\"]\n");
      sluice.writePolicy(
          "routes.yaml",
          """
          kind: Route
          name: orders
          match: {prefix: /orders}
          to: orders
          auth: {external: {service: authz, pathPrefix: /check, headersToUpstream: [x-tenant]}}
          ---
          kind: Route
          name: open
          to: orders
          """);
      sluice.start();
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));

      assertThat(sluice.get("/orders/7").statusCode()).isEqualTo(403);
      assertThat(
              sluice
                  .get("/orders/7", "authorization", "let-me-in", "x-tenant", "evil")
                  .statusCode())
          .isEqualTo(200);
      assertThat(orders.received().get(0).header("x-tenant"))
          .as("the service's answer, not the client's")
          .isEqualTo("acme");
      assertThat(orders.received().get(0).header("authorization"))
          .as("removed as the service said")
          .isNull();
      assertThat(checked).containsExactly("GET /check/orders/7", "GET /check/orders/7");
      // a route without external auth never asks the service
      assertThat(sluice.get("/elsewhere").statusCode()).isEqualTo(200);
      assertThat(checked).hasSize(2);
    } finally {
      authz.stop(0);
    }
  }

  @Test
  void whenTheServiceIsDownRequestsAreDeniedUnlessFailOpen() throws Exception {
    try (HttpUpstream orders = HttpUpstream.start("orders");
        SluiceFixture sluice = new SluiceFixture()) {
      int nothing = FreePorts.next();
      sluice.writeRegistry(
          "services:\n  orders: [\""
              + orders.address()
              + "\"]\n  authz: [\"127.0.0.1:"
              + nothing
              + "\"]\n");
      sluice.writePolicy(
          "routes.yaml",
          """
          kind: Route
          name: closed
          match: {prefix: /closed}
          to: orders
          auth: {external: {service: authz}}
          ---
          kind: Route
          name: open
          to: orders
          auth: {external: {service: authz, failOpen: true}}
          """);
      sluice.start();
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));

      assertThat(sluice.get("/closed").statusCode()).isEqualTo(403);
      assertThat(sluice.get("/open").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aGrpcAuthorizationServiceDecides() throws Exception {
    Server authz =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(
                new AuthorizationGrpc.AuthorizationImplBase() {
                  @Override
                  public void check(CheckRequest request, StreamObserver<CheckResponse> out) {
                    String path = request.getAttributes().getRequest().getHttp().getPath();
                    int code = path.startsWith("/orders/mine") ? 0 : 7; // OK, PERMISSION_DENIED
                    out.onNext(
                        CheckResponse.newBuilder()
                            .setStatus(Status.newBuilder().setCode(code))
                            .build());
                    out.onCompleted();
                  }
                })
            .build()
            .start();
    try (HttpUpstream orders = HttpUpstream.start("orders");
        SluiceFixture sluice = new SluiceFixture()) {
      sluice.writeRegistry(
          "services:\n  orders: [\""
              + orders.address()
              + "\"]\n  authz: [\"127.0.0.1:"
              + authz.getPort()
              + "\"]\n");
      sluice.writePolicy(
          "routes.yaml",
          """
          kind: Upstream
          name: authz
          protocol: grpc
          ---
          kind: Route
          name: orders
          to: orders
          auth: {external: {service: authz, protocol: grpc}}
          """);
      sluice.start();
      envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));

      assertThat(sluice.get("/orders/mine").statusCode()).isEqualTo(200);
      assertThat(sluice.get("/orders/theirs").statusCode()).isEqualTo(403);
      assertThat(orders.requests()).isEqualTo(1);
    } finally {
      authz.shutdownNow();
    }
  }
}
