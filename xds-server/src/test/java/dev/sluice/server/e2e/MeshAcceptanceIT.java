package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.discovery.consul.ConsulConfig;
import dev.sluice.server.mesh.CertificateAuthority;
import dev.sluice.testing.ConsulAgent;
import dev.sluice.testing.EnvoyExtension;
import dev.sluice.testing.EnvoyProcess;
import dev.sluice.testing.FreePorts;
import dev.sluice.testing.HttpUpstream;
import dev.sluice.testing.RawHttp;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The mesh's acceptance, with real Envoys as sidecars and edge and services registered in a real
 * Consul: three services (web, orders, users) each behind a sidecar, calls allowed and refused by
 * ServiceAccess, the edge reaching services through their sidecars over mTLS, certificate rotation
 * under a request loop, and a Sluice restart.
 *
 * <p>Everything runs on 127.0.0.1, so each service's sidecar has its own inbound port; the test
 * plays each application by calling its sidecar's outbound ports.
 */
class MeshAcceptanceIT {
  private static final String TD = "sluice.test";
  private static final HttpClient KEEP_ALIVE =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  /** Ports of one service: its sidecar's public mTLS port and its application's. */
  private record Ports(int inbound, int app) {
    static Ports free(HttpUpstream app) {
      return new Ports(FreePorts.next(), app.port());
    }
  }

  private EnvoyProcess sidecar(SluiceFixture sluice, String service) throws IOException {
    return MeshIT.startSidecar(envoys, sluice, service);
  }

  private static int status(int port, String method, String path) {
    try {
      return RawHttp.send(null, port, method, path).status();
    } catch (Exception e) {
      return -1;
    }
  }

  /** Polls until {@code status} gives {@code expected}; returns how long that took. */
  private static Duration await(String what, IntSupplier status, int expected, Duration timeout)
      throws InterruptedException {
    long start = System.nanoTime();
    long end = start + timeout.toNanos();
    int last = 0;
    while (System.nanoTime() < end) {
      last = status.getAsInt();
      if (last == expected) {
        return Duration.ofNanos(System.nanoTime() - start);
      }
      Thread.sleep(10);
    }
    assertThat(last).as(what + " within " + timeout).isEqualTo(expected);
    throw new AssertionError("unreachable");
  }

  private static String sidecarPolicy(String service, Ports p, String... upstreams) {
    StringBuilder b =
        new StringBuilder(
            "kind: Sidecar\nname: "
                + service
                + "\ninbound: {port: "
                + p.inbound()
                + ", appPort: "
                + p.app()
                + "}\n");
    if (upstreams.length > 0) {
      b.append("upstreams:\n");
      for (String u : upstreams) {
        String[] parts = u.split(":");
        b.append("  - {service: ")
            .append(parts[0])
            .append(", localPort: ")
            .append(parts[1])
            .append("}\n");
      }
    }
    return b.toString();
  }

  /** The serial numbers of the certificates an Envoy presents for this SPIFFE ID (admin /certs). */
  private static Set<String> servedSerials(EnvoyProcess envoy, String spiffeId) {
    Set<String> serials = new TreeSet<>();
    for (JsonNode c : envoy.json("/certs").path("certificates")) {
      for (JsonNode chain : c.path("cert_chain")) {
        for (JsonNode san : chain.path("subject_alt_names")) {
          if (spiffeId.equals(san.path("uri").asText())) {
            serials.add(chain.path("serial_number").asText());
          }
        }
      }
    }
    return serials;
  }

  @Test
  void threeServicesInConsulTalkOnlyAsServiceAccessSaysAndAChangeAppliesWithinASecond()
      throws Exception {
    try (ConsulAgent consul = ConsulAgent.start();
        HttpUpstream webApp = HttpUpstream.start("web");
        HttpUpstream ordersApp = HttpUpstream.start("orders");
        HttpUpstream usersApp = HttpUpstream.start("users");
        SluiceFixture sluice =
            new SluiceFixture()
                .meshCa(Duration.ofHours(1))
                .consul(
                    ConsulConfig.of(consul.registry()).withRecoveryGrace(Duration.ofSeconds(60)))) {
      consul.register("web-1", "web", webApp.port(), List.of());
      consul.register("orders-1", "orders", ordersApp.port(), List.of());
      consul.register("users-1", "users", usersApp.port(), List.of());
      Ports web = Ports.free(webApp);
      Ports orders = Ports.free(ordersApp);
      Ports users = Ports.free(usersApp);
      int webToOrders = FreePorts.next();
      int webToUsers = FreePorts.next();
      int ordersToUsers = FreePorts.next();
      sluice.writePolicy(
          "mesh.yaml",
          "kind: Mesh\nname: mesh\ntrustDomain: "
              + TD
              + "\n---\n"
              + sidecarPolicy("web", web, "orders:" + webToOrders, "users:" + webToUsers)
              + "---\n"
              + sidecarPolicy("orders", orders, "users:" + ordersToUsers)
              + "---\n"
              + sidecarPolicy("users", users));
      sluice.writePolicy(
          "access.yaml",
          """
          kind: ServiceAccess
          name: web-to-orders
          from: web
          to: orders
          ---
          kind: ServiceAccess
          name: edge-to-orders
          from: edge
          to: orders
          ---
          kind: ServiceAccess
          name: orders-reads-users
          from: orders
          to: users
          when: {methods: [GET]}
          """);
      sluice.writePolicy(
          "routes.yaml",
          """
          kind: Route
          name: orders
          match: {prefix: /orders}
          to: orders
          ---
          kind: Route
          name: users
          match: {prefix: /users}
          to: users
          """);
      sluice.start();
      sidecar(sluice, "web");
      sidecar(sluice, "orders");
      sidecar(sluice, "users");
      EnvoyProcess edge = envoys.startEdge(sluice.xdsPort);
      envoys.awaitAllReady(Duration.ofSeconds(30));

      // allowed: web → orders, orders → users (GET); the application reads who called
      await(
          "web → orders",
          () -> status(webToOrders, "GET", "/orders/1"),
          200,
          Duration.ofSeconds(10));
      assertThat(last(ordersApp).header("x-forwarded-client-cert"))
          .contains("URI=spiffe://" + TD + "/service/web");
      assertThat(status(ordersToUsers, "GET", "/users/7")).as("orders → users GET").isEqualTo(200);
      assertThat(last(usersApp).header("x-forwarded-client-cert"))
          .contains("URI=spiffe://" + TD + "/service/orders");
      // refused: no rule for web → users; orders may only read users
      assertThat(status(webToUsers, "GET", "/users/7"))
          .as("web → users, no rule (default deny)")
          .isEqualTo(403);
      assertThat(status(ordersToUsers, "POST", "/users")).as("orders → users POST").isEqualTo(403);
      assertThat(status(webToOrders, "GET", "/orders/2")).isEqualTo(200);

      // the edge reaches orders through its sidecar over mTLS with its own identity; users does not
      // let it in
      await(
          "edge → orders",
          () -> status(sluice.gatewayPort, "GET", "/orders/3"),
          200,
          Duration.ofSeconds(10));
      assertThat(last(ordersApp).header("x-forwarded-client-cert"))
          .contains("URI=spiffe://" + TD + "/service/edge");
      assertThat(status(sluice.gatewayPort, "GET", "/users/1"))
          .as("edge → users, no rule")
          .isEqualTo(403);
      JsonNode ordersCluster = cluster(edge, "orders");
      assertThat(
              ordersCluster
                  .path("transport_socket")
                  .path("typed_config")
                  .path("common_tls_context")
                  .path("combined_validation_context")
                  .path("default_validation_context")
                  .path("match_typed_subject_alt_names")
                  .get(0)
                  .path("matcher")
                  .path("exact")
                  .asText())
          .isEqualTo("spiffe://" + TD + "/service/orders");

      // straight to an inbound port: plaintext fails; a certificate of another trust domain fails
      // the handshake
      int before = usersApp.requests();
      assertThat(status(users.inbound(), "GET", "/users/1"))
          .as("plaintext to users' inbound port")
          .isNotEqualTo(200);
      Path root = sluice.dir.resolve("ca").resolve(CertificateAuthority.CERT_FILE);
      CertificateAuthority other =
          CertificateAuthority.loadOrCreate(
              sluice.dir.resolve("other-ca"), "other.test", Clock.systemUTC());
      assertThat(
              MtlsProbe.get(
                  users.inbound(), other.issue("orders", Duration.ofMinutes(5)), root, "/users/1"))
          .as("another trust domain's 'orders'")
          .isEqualTo(-1);
      assertThat(usersApp.requests()).as("neither reached the application").isEqualTo(before);

      // a policy change decides within a second, both ways
      sluice.writePolicy(
          "web-users.yaml", "kind: ServiceAccess\nname: web-to-users\nfrom: web\nto: users\n");
      Duration allow =
          await(
              "web → users once allowed",
              () -> status(webToUsers, "GET", "/users/7"),
              200,
              Duration.ofSeconds(1));
      Files.delete(sluice.policies.resolve("web-users.yaml"));
      Duration deny =
          await(
              "web → users once the rule is gone",
              () -> status(webToUsers, "GET", "/users/7"),
              403,
              Duration.ofSeconds(1));
      System.out.printf(
          "mesh policy change → decision at the sidecar: allow %d ms, deny %d ms%n",
          allow.toMillis(), deny.toMillis());

      // Consul decides where services are: orders leaves the catalog, then comes back
      consul.deregister("orders-1");
      await(
          "orders deregistered",
          () -> status(webToOrders, "GET", "/orders/1"),
          503,
          Duration.ofSeconds(5));
      consul.register("orders-1", "orders", ordersApp.port(), List.of());
      await(
          "orders registered again",
          () -> status(webToOrders, "GET", "/orders/1"),
          200,
          Duration.ofSeconds(5));
      assertThat(sluice.server().metrics().get("sluice_xds_nacks_total", "type", "Listener"))
          .as("no NACK")
          .isZero();
      assertThat(sluice.server().metrics().get("sluice_xds_nacks_total", "type", "Cluster"))
          .as("no NACK")
          .isZero();
      assertThat(sluice.server().metrics().get("sluice_xds_nacks_total", "type", "Secret"))
          .as("no NACK")
          .isZero();
    }
  }

  /** web's and orders' sidecars, and the local port web calls orders on. */
  private record WebAndOrders(EnvoyProcess web, EnvoyProcess orders, int webToOrders) {}

  /** Starts Sluice and two sidecars where web may call orders, and waits until it can. */
  private WebAndOrders webCallsOrders(
      SluiceFixture sluice, HttpUpstream webApp, HttpUpstream ordersApp) throws Exception {
    int webToOrders = FreePorts.next();
    sluice.writeRegistry(
        "services:\n  web: [\""
            + webApp.address()
            + "\"]\n  orders: [\""
            + ordersApp.address()
            + "\"]\n");
    sluice.writePolicy(
        "mesh.yaml",
        "kind: Mesh\nname: mesh\ntrustDomain: "
            + TD
            + "\n---\n"
            + sidecarPolicy("web", Ports.free(webApp), "orders:" + webToOrders)
            + "---\n"
            + sidecarPolicy("orders", Ports.free(ordersApp))
            + "---\n"
            + "kind: ServiceAccess\nname: web-to-orders\nfrom: web\nto: orders\n");
    sluice.start();
    EnvoyProcess webSidecar = sidecar(sluice, "web");
    EnvoyProcess ordersSidecar = sidecar(sluice, "orders");
    envoys.awaitAllReady(Duration.ofSeconds(30));
    await(
        "web → orders", () -> status(webToOrders, "GET", "/orders/1"), 200, Duration.ofSeconds(10));
    return new WebAndOrders(webSidecar, ordersSidecar, webToOrders);
  }

  @Test
  void certificatesRotateUnderASteadyRequestLoopAndNoRequestFails() throws Exception {
    try (HttpUpstream webApp = HttpUpstream.start("web");
        HttpUpstream ordersApp = HttpUpstream.start("orders");
        // rotated at two thirds of 15 s: every 10 s
        SluiceFixture sluice = new SluiceFixture().meshCa(Duration.ofSeconds(15))) {
      WebAndOrders mesh = webCallsOrders(sluice, webApp, ordersApp);
      int webToOrders = mesh.webToOrders();
      EnvoyProcess webSidecar = mesh.web();
      EnvoyProcess ordersSidecar = mesh.orders();
      String ordersId = "spiffe://" + TD + "/service/orders";
      String webId = "spiffe://" + TD + "/service/web";
      Set<String> firstOrders = servedSerials(ordersSidecar, ordersId);
      Set<String> firstWeb = servedSerials(webSidecar, webId);
      assertThat(firstOrders).hasSize(1);
      assertThat(firstWeb).hasSize(1);

      // two loops: one on a kept-alive connection (must survive the rotation), one opening a
      // connection per request (each a new handshake, some with the new certificates)
      URI uri = URI.create("http://127.0.0.1:" + webToOrders + "/orders/loop");
      try (TrafficLoop kept = new TrafficLoop(() -> send(KEEP_ALIVE, uri), "orders");
          TrafficLoop fresh =
              new TrafficLoop(
                  () -> {
                    int s = status(webToOrders, "GET", "/orders/fresh");
                    return s == 200 ? "orders" : "HTTP " + s;
                  },
                  "orders")) {
        long end = System.nanoTime() + Duration.ofSeconds(25).toNanos();
        while (System.nanoTime() < end
            && (servedSerials(ordersSidecar, ordersId).equals(firstOrders)
                || servedSerials(webSidecar, webId).equals(firstWeb))) {
          Thread.sleep(200);
        }
        Thread.sleep(1000);
        kept.close();
        fresh.close();
        assertThat(servedSerials(ordersSidecar, ordersId))
            .as("orders' sidecar serves a new certificate")
            .hasSize(1)
            .doesNotContainAnyElementsOf(firstOrders);
        assertThat(servedSerials(webSidecar, webId))
            .as("web's sidecar serves a new certificate")
            .hasSize(1)
            .doesNotContainAnyElementsOf(firstWeb);
        System.out.printf(
            "rotation under load: %d requests on a kept-alive connection, %d on new ones; failures %s / %s%n",
            kept.sent(), fresh.sent(), kept.failures(), fresh.failures());
        assertThat(kept.failures()).as("kept-alive connection").isEmpty();
        assertThat(fresh.failures()).as("new connections").isEmpty();
        assertThat(kept.sent()).isGreaterThan(100);
        assertThat(fresh.sent()).isGreaterThan(100);
      }
    }
  }

  @Test
  void aSluiceRestartKeepsIdentitiesCertificatesAndOpenConnections() throws Exception {
    try (HttpUpstream webApp = HttpUpstream.start("web");
        HttpUpstream ordersApp = HttpUpstream.start("orders");
        SluiceFixture sluice = new SluiceFixture().meshCa(Duration.ofHours(1))) {
      WebAndOrders mesh = webCallsOrders(sluice, webApp, ordersApp);
      int webToOrders = mesh.webToOrders();
      EnvoyProcess webSidecar = mesh.web();
      EnvoyProcess ordersSidecar = mesh.orders();
      String ordersId = "spiffe://" + TD + "/service/orders";
      Set<String> serials = servedSerials(ordersSidecar, ordersId);
      Set<String> webSerials = servedSerials(webSidecar, "spiffe://" + TD + "/service/web");
      assertThat(serials).hasSize(1);

      try (KeptAliveConnection open = new KeptAliveConnection(webToOrders)) {
        assertThat(open.get("/orders/before")).isEqualTo(200);
        sluice.stop();
        assertThat(open.get("/orders/while-down"))
            .as("Sluice down: the open connection goes on")
            .isEqualTo(200);
        assertThat(status(webToOrders, "GET", "/orders/new-while-down"))
            .as("and new ones too")
            .isEqualTo(200);

        sluice.start();
        // both sidecars come back to the new Sluice
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < end && sluice.adminJson("/proxies").path("proxies").size() < 2) {
          Thread.sleep(100);
        }
        assertThat(sluice.adminJson("/proxies").path("proxies").size())
            .as("sidecars reconnected")
            .isEqualTo(2);
        Thread.sleep(500);
        assertThat(open.get("/orders/after"))
            .as("the connection opened before the restart")
            .isEqualTo(200);
        assertThat(status(webToOrders, "GET", "/orders/new-after")).isEqualTo(200);
        assertThat(servedSerials(ordersSidecar, ordersId))
            .as("same certificate after the restart")
            .isEqualTo(serials);
        assertThat(servedSerials(webSidecar, "spiffe://" + TD + "/service/web"))
            .isEqualTo(webSerials);
        assertThat(last(ordersApp).header("x-forwarded-client-cert"))
            .contains("URI=spiffe://" + TD + "/service/web");
      }
    }
  }

  private static HttpUpstream.Request last(HttpUpstream app) {
    List<HttpUpstream.Request> r = app.received();
    return r.get(r.size() - 1);
  }

  private static JsonNode cluster(EnvoyProcess envoy, String name) {
    for (JsonNode config : envoy.configDump().path("configs")) {
      for (JsonNode c : config.path("dynamic_active_clusters")) {
        if (name.equals(c.path("cluster").path("name").asText())) {
          return c.path("cluster");
        }
      }
    }
    throw new AssertionError("no cluster " + name + " in the config dump");
  }

  private static String send(HttpClient client, URI uri) {
    try {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : "HTTP " + r.statusCode();
    } catch (IOException e) {
      return "connection " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "connection interrupted";
    }
  }

  /** One HTTP/1.1 connection kept open across requests, to show it is never cut. */
  private static final class KeptAliveConnection implements AutoCloseable {
    private final Socket socket;
    private final BufferedReader in;
    private final OutputStream out;

    KeptAliveConnection(int port) throws IOException {
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(5000);
      in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
      out = socket.getOutputStream();
    }

    /** The status; fails the test if the connection was closed. */
    int get(String path) throws IOException {
      out.write(
          ("GET " + path + " HTTP/1.1\r\nHost: orders\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String status = in.readLine();
      if (status == null) {
        throw new AssertionError("the kept-alive connection was closed");
      }
      int length = 0;
      List<String> headers = new ArrayList<>();
      String line;
      while ((line = in.readLine()) != null && !line.isEmpty()) {
        headers.add(line);
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(15).trim());
        }
        if (line.equalsIgnoreCase("connection: close")) {
          throw new AssertionError("Envoy asked to close the kept-alive connection: " + headers);
        }
      }
      char[] body = new char[length];
      int read = 0;
      while (read < length) {
        int n = in.read(body, read, length - read);
        if (n < 0) {
          throw new AssertionError("the kept-alive connection was closed mid-body");
        }
        read += n;
      }
      return Integer.parseInt(status.split(" ")[1]);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
