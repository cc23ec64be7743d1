package dev.sluice.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A raw ADS client, what an Envoy says over the control channel without an Envoy in between: one
 * connection to an xDS server, plaintext or TLS, with or without a proxy token, and any number of
 * SotW or delta streams on it. Each stream queues its responses for the test to take and records
 * how the server ended it.
 */
public final class AdsClient implements AutoCloseable {
  public static final String SECRET_TYPE =
      "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";
  public static final String CLUSTER_TYPE = "type.googleapis.com/envoy.config.cluster.v3.Cluster";

  /** How long a test waits for a response or the end of a stream before it fails. */
  public static final Duration WAIT = Duration.ofSeconds(30);

  private final ManagedChannel channel;

  private AdsClient(ManagedChannel channel) {
    this.channel = channel;
  }

  /** A connection to {@code host:port}; plaintext unless the builder says otherwise. */
  public static Builder to(String host, int port) {
    return new Builder(host, port);
  }

  /** Plaintext to a server on 127.0.0.1, as a proxy on the same machine without TLS. */
  public static AdsClient plaintext(int port) {
    return to("127.0.0.1", port).connect();
  }

  /**
   * Over TLS to {@code localhost}, verifying the server's certificate against {@code ca}; {@code
   * token} null: no authorization metadata.
   */
  public static AdsClient tls(int port, Path ca, String token) {
    return to("localhost", port).trusting(ca).token(token).connect();
  }

  /** A SotW stream that sends {@code node} with its first request, as Envoy does. */
  public Sotw sotw(Node node) {
    return new Sotw(channel, node, true);
  }

  /**
   * A SotW stream that never takes a response: once the first fills the connection's window, the
   * server cannot write to it until {@link Stream#readAgain}.
   */
  public Sotw sotwNotReading(Node node) {
    return new Sotw(channel, node, false);
  }

  /** A delta stream that sends {@code node} with its first request, as Envoy does. */
  public Delta delta(Node node) {
    return new Delta(channel, node);
  }

  /** A SotW stream that has asked for every resource of {@code typeUrl} as {@code node}. */
  public Sotw open(Node node, String typeUrl) {
    Sotw s = sotw(node);
    s.request(typeUrl, List.of());
    return s;
  }

  /** Claims to be {@code <service>-1}, a sidecar of {@code service}, and asks for its secrets. */
  public Sotw sidecar(String service) {
    return open(
        Node.newBuilder()
            .setId(service + "-1")
            .setCluster(service)
            .setMetadata(
                Struct.newBuilder()
                    .putFields("sluice.role", Value.newBuilder().setStringValue("sidecar").build())
                    .putFields(
                        "sluice.service", Value.newBuilder().setStringValue(service).build()))
            .build(),
        SECRET_TYPE);
  }

  /**
   * Claims to be {@code nodeId}, an Envoy of {@code gateway} (its node cluster), and asks for its
   * clusters.
   */
  public Sotw gateway(String nodeId, String gateway) {
    return open(Node.newBuilder().setId(nodeId).setCluster(gateway).build(), CLUSTER_TYPE);
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  /** How the connection is made: credentials, token, the name the server's certificate has. */
  public static final class Builder {
    private final String host;
    private final int port;
    private Path ca;
    private String certificatePem;
    private String privateKeyPem;
    private String token;
    private String authority;
    private int flowControlWindow;

    private Builder(String host, int port) {
      this.host = host;
      this.port = port;
    }

    /** Over TLS, verifying the server's certificate against {@code ca}. */
    public Builder trusting(Path ca) {
      this.ca = ca;
      return this;
    }

    /** With TLS, presents this client certificate (PEM) and proves it with its key. */
    public Builder presenting(String certificatePem, String privateKeyPem) {
      this.certificatePem = certificatePem;
      this.privateKeyPem = privateKeyPem;
      return this;
    }

    /** Sends {@code Bearer <token>} as authorization metadata; null: none. */
    public Builder token(String token) {
      this.token = token;
      return this;
    }

    /** The name the server's certificate must carry, when it is not the host connected to. */
    public Builder authority(String authority) {
      this.authority = authority;
      return this;
    }

    /** The connection's receive window in bytes: how much the server may write unread. */
    public Builder flowControlWindow(int bytes) {
      this.flowControlWindow = bytes;
      return this;
    }

    public AdsClient connect() {
      NettyChannelBuilder b = NettyChannelBuilder.forAddress(host, port, credentials());
      if (token != null) {
        Metadata m = new Metadata();
        m.put(
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        b.intercept(MetadataUtils.newAttachHeadersInterceptor(m));
      }
      if (authority != null) {
        b.overrideAuthority(authority);
      }
      if (flowControlWindow > 0) {
        b.flowControlWindow(flowControlWindow);
      }
      return new AdsClient(b.build());
    }

    private ChannelCredentials credentials() {
      if (ca == null) {
        return InsecureChannelCredentials.create();
      }
      try {
        TlsChannelCredentials.Builder tls =
            TlsChannelCredentials.newBuilder().trustManager(ca.toFile());
        if (certificatePem != null) {
          tls.keyManager(pem(certificatePem), pem(privateKeyPem));
        }
        return tls.build();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static InputStream pem(String text) {
      return new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII));
    }
  }

  /**
   * One ADS stream: requests go out with the node on the first, responses queue up, {@link #ended}
   * completes with the status the server ended it with (OK if it completed it).
   */
  public abstract static class Stream<Q, R> implements AutoCloseable {
    public final BlockingQueue<R> responses = new LinkedBlockingQueue<>();
    public final CompletableFuture<Status> ended = new CompletableFuture<>();
    final Node node;
    private final StreamObserver<Q> requests;
    private volatile ClientCallStreamObserver<Q> call;
    private boolean first = true;

    Stream(Node node, boolean reading, Function<StreamObserver<R>, StreamObserver<Q>> open) {
      this.node = node;
      requests = open.apply(new Observer(reading));
    }

    /** The node id this stream claims. */
    public String nodeId() {
      return node.getId();
    }

    /** Whether this request is the stream's first, which carries the node. */
    final boolean takeFirst() {
      boolean f = first;
      first = false;
      return f;
    }

    final void write(Q request) {
      requests.onNext(request);
    }

    /** The next response; fails the test if none comes within {@link #WAIT}. */
    public R next() throws InterruptedException {
      return next(() -> "");
    }

    /**
     * The next response; fails the test if none comes within {@link #WAIT}, saying what {@code
     * diagnostics} says.
     */
    public R next(Callable<String> diagnostics) throws InterruptedException {
      R r = within(WAIT);
      if (r == null) {
        String end = ended.isDone() ? "; stream ended: " + ended.join() : "";
        throw new AssertionError(
            "no response within " + WAIT.toSeconds() + " s" + end + said(diagnostics));
      }
      return r;
    }

    private static String said(Callable<String> diagnostics) {
      try {
        String text = diagnostics.call();
        return text.isEmpty() ? "" : "\n" + text;
      } catch (Exception e) {
        return "\n(diagnostics failed: " + e + ")";
      }
    }

    /** The next response if one comes within {@code d}, else null. */
    public R within(Duration d) throws InterruptedException {
      return responses.poll(d.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** How the server ended the stream (OK if it completed it); waits up to {@link #WAIT}. */
    public Status awaitEnd() throws Exception {
      return ended.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * How the server ended a stream it refused: the end, once it has come, with nothing sent before
     * it.
     */
    public Status awaitRefusal() throws Exception {
      Status end = awaitEnd();
      assertThat(responses).as("responses before the stream ended with %s", end).isEmpty();
      return end;
    }

    /** Takes what waits in the transport, the server's reason for ending the stream included. */
    public void readAgain() {
      call.request(100);
    }

    /** Ends the stream from this side, as an Envoy that leaves. */
    @Override
    public void close() {
      requests.onCompleted();
    }

    private final class Observer implements ClientResponseObserver<Q, R> {
      private final boolean reading;

      Observer(boolean reading) {
        this.reading = reading;
      }

      @Override
      public void beforeStart(ClientCallStreamObserver<Q> c) {
        if (!reading) {
          c.disableAutoRequestWithInitial(0);
        }
        call = c;
      }

      @Override
      public void onNext(R r) {
        responses.add(r);
      }

      @Override
      public void onError(Throwable t) {
        ended.complete(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        ended.complete(Status.OK);
      }
    }
  }

  /** A state-of-the-world stream. */
  public static final class Sotw extends Stream<DiscoveryRequest, DiscoveryResponse> {
    Sotw(ManagedChannel channel, Node node, boolean reading) {
      super(
          node,
          reading,
          AggregatedDiscoveryServiceGrpc.newStub(channel)::streamAggregatedResources);
    }

    /** Sends a request; the node only on the first, as Envoy does. */
    public synchronized void send(DiscoveryRequest.Builder r) {
      if (takeFirst()) {
        r.setNode(node);
      }
      write(r.build());
    }

    public void request(String typeUrl, List<String> names) {
      send(DiscoveryRequest.newBuilder().setTypeUrl(typeUrl).addAllResourceNames(names));
    }

    public void ack(DiscoveryResponse r, List<String> names) {
      send(
          DiscoveryRequest.newBuilder()
              .setTypeUrl(r.getTypeUrl())
              .setVersionInfo(r.getVersionInfo())
              .setResponseNonce(r.getNonce())
              .addAllResourceNames(names));
    }

    /** Rejects {@code r} with {@code error}. */
    public void nack(DiscoveryResponse r, com.google.rpc.Status.Builder error) {
      send(
          DiscoveryRequest.newBuilder()
              .setTypeUrl(r.getTypeUrl())
              .setResponseNonce(r.getNonce())
              .setErrorDetail(error));
    }
  }

  /** An incremental (delta) stream. */
  public static final class Delta extends Stream<DeltaDiscoveryRequest, DeltaDiscoveryResponse> {
    Delta(ManagedChannel channel, Node node) {
      super(node, true, AggregatedDiscoveryServiceGrpc.newStub(channel)::deltaAggregatedResources);
    }

    /** Sends a request; the node only on the first, as Envoy does. */
    public synchronized void send(DeltaDiscoveryRequest.Builder r) {
      if (takeFirst()) {
        r.setNode(node);
      }
      write(r.build());
    }

    public void subscribe(String typeUrl, List<String> names, Map<String, String> initialVersions) {
      send(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(typeUrl)
              .addAllResourceNamesSubscribe(names)
              .putAllInitialResourceVersions(initialVersions));
    }

    public void ack(DeltaDiscoveryResponse r) {
      send(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(r.getTypeUrl())
              .setResponseNonce(r.getNonce()));
    }

    /** Rejects {@code r} with {@code error}. */
    public void nack(DeltaDiscoveryResponse r, com.google.rpc.Status.Builder error) {
      send(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(r.getTypeUrl())
              .setResponseNonce(r.getNonce())
              .setErrorDetail(error));
    }
  }
}
