package dev.sluice.server.xds;

import dev.sluice.server.auth.Claim;
import dev.sluice.server.auth.ClientText;
import dev.sluice.server.auth.Credential;
import dev.sluice.server.auth.CredentialInterceptor;
import dev.sluice.server.auth.Decision;
import dev.sluice.server.xds.ProxyRegistry.ProxyState;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ADS stream (one Envoy): who it is, and when it may be sent something. What it is sent is up
 * to the protocol's subclass ({@link SotwStream}, {@link DeltaStream}), which keeps per type only
 * references to shared, immutable state (the snapshot's {@link TypeResources} it last sent and had
 * accepted, interned {@link Names}) — never a copy of the snapshot's names or versions.
 *
 * <p>Everything runs under the stream's lock: requests (gRPC's threads), new snapshots (the push
 * threads) and the transport becoming ready again. Each type has at most one response waiting for
 * its ACK, as in java-control-plane; a response is built when it can be sent, from the newest
 * snapshot, so a slow proxy skips the snapshots that came and went meanwhile.
 */
abstract class AdsStream<Q, R> implements StreamObserver<Q>, WriteBudget.Writer {
  private static final Logger LOG = LoggerFactory.getLogger(AdsStream.class);
  final AdsServer server;
  final ProxyState proxy;
  private final ServerCallStreamObserver<R> out;

  /** What the client presented on its connection; decides which group it may join. */
  private final Credential credential = CredentialInterceptor.current();

  private String group;

  /**
   * Requests that came while the credential was being checked, handled in order once it is granted.
   */
  private ArrayDeque<Q> waiting;

  private boolean closed;
  private long nonce;

  /** Requests kept while a credential is checked: Envoy sends one per type it wants (five). */
  static final int MAX_WAITING = 16;

  AdsStream(AdsServer server, StreamObserver<R> responses) {
    this.server = server;
    this.out = (ServerCallStreamObserver<R>) responses;
    this.proxy = server.callbacks.opened(server.nextStreamId());
    out.setOnReadyHandler(this::transportReady);
    out.setOnCancelHandler(this::close);
  }

  /**
   * Handles one request of a known type; called with the lock held, after the stream knows its
   * node.
   */
  abstract void request(ResourceType type, Q request);

  /**
   * Sends the type's response if one is due from this snapshot, asking {@link #mayWrite()} just
   * before building it; called with the lock held. False when a response was due but could not be
   * sent yet: then the later types wait too, so they never overtake it.
   */
  abstract boolean respond(ResourceType type, HashedSnapshot snapshot);

  abstract String typeUrl(Q request);

  abstract Node node(Q request);

  @Override
  public final synchronized void onNext(Q request) {
    if (closed) {
      return;
    }
    String typeUrl = typeUrl(request);
    if (typeUrl.isEmpty()) {
      fail(Status.UNKNOWN.withDescription("[" + proxy.streamId + "] type URL is required for ADS"));
      return;
    }
    if (group == null) {
      if (waiting == null) {
        admit(request);
      } else if (waiting.size() < MAX_WAITING) {
        waiting.add(request);
      } else {
        fail(
            Status.RESOURCE_EXHAUSTED.withDescription(
                "too many requests before the credential was checked"));
      }
      return;
    }
    handle(typeUrl, request);
  }

  /**
   * The node comes with the stream's first request (Envoy's set_node_on_first_message_only); the
   * group it claims is the stream's for its lifetime, once the credential grants it.
   */
  // the decision is handled in thenAccept; admission never fails exceptionally
  @SuppressWarnings("FutureReturnValueIgnored")
  private void admit(Q first) {
    Node node = node(first);
    String claimed = ProxyGroups.group(node);
    String tooLong =
        node.getId().length() > ClientText.NAME_MAX
            ? "node id"
            : claimed.length() > ClientText.NAME_MAX
                ? "proxy group (gateway, service or node cluster)"
                : null;
    if (tooLong != null) {
      // refused like a credential that does not grant the claim: one bounded log line, a row on the
      // page
      Decision refusal =
          Decision.deny(
              "",
              Decision.INVALID_CLAIM,
              "the " + tooLong + " is longer than " + ClientText.NAME_MAX + " characters");
      server
          .gatekeeper
          .denials()
          .record(credential.peer(), node.getId(), Claim.ofGroup(claimed).toString(), refusal);
      fail(Status.INVALID_ARGUMENT.withDescription(refusal.message()));
      return;
    }
    waiting = new ArrayDeque<>();
    waiting.add(first);
    server
        .gatekeeper
        .admit(this, credential, node.getId(), claimed)
        .thenAccept(d -> admitted(node, claimed, d));
  }

  private synchronized void admitted(Node node, String claimed, Decision decision) {
    if (closed) {
      server.gatekeeper.forget(this);
      return;
    }
    if (!decision.allowed()) {
      refuse(decision);
      return;
    }
    if (!server.join(claimed, this)) {
      fail(
          Status.RESOURCE_EXHAUSTED.withDescription(
              "more than " + server.maxGroups + " proxy groups have streams; try again later"));
      return;
    }
    group = claimed;
    proxy.credential = decision.credential();
    server.callbacks.identified(proxy, node, group);
    ArrayDeque<Q> requests = waiting;
    waiting = null;
    for (Q q : requests) {
      if (closed) {
        return;
      }
      handle(typeUrl(q), q);
    }
  }

  /**
   * Ends the stream for its credential: PERMISSION_DENIED, or UNAVAILABLE when it could not be
   * checked.
   */
  final synchronized void refuse(Decision decision) {
    if (closed) {
      return;
    }
    Status status =
        Decision.UNCHECKED.equals(decision.reason())
            ? Status.UNAVAILABLE
            : Status.PERMISSION_DENIED;
    fail(status.withDescription(decision.message()));
  }

  private void handle(String typeUrl, Q request) {
    ResourceType type = Resources.TYPE_URLS_TO_RESOURCE_TYPE.get(typeUrl);
    if (type == null) {
      LOG.debug(
          "[{}] ignoring a request for {}, which Sluice does not serve",
          proxy.streamId,
          ClientText.name(typeUrl));
      return;
    }
    request(type, request);
    pump();
  }

  /**
   * Sends whatever is due, type by type in the order Envoy needs them (clusters before endpoints
   * before listeners...).
   */
  @Override
  public final synchronized void pump() {
    if (closed || group == null) {
      return;
    }
    HashedSnapshot snapshot = server.snapshot(group);
    if (snapshot == null) {
      return; // warm start: nothing until the group's first snapshot
    }
    for (ResourceType type : Resources.RESOURCE_TYPES_IN_ORDER) {
      if (!respond(type, snapshot)) {
        return; // transportReady() or the budget pumps again
      }
    }
  }

  /** Whether a response may be sent now: the transport has room and the budget a slot. */
  final boolean mayWrite() {
    return out.isReady() && server.budget.mayWrite(this);
  }

  final String nextNonce() {
    return Long.toString(++nonce);
  }

  /** Sends one response; with the lock held. */
  final void send(R response) {
    out.onNext(response);
    if (!out.isReady()) {
      server.budget.hold(this);
    }
  }

  /**
   * Under the lock, like {@link #send}: a slot is held only after the transport was seen full
   * there, so the release can not come first and leak the slot.
   */
  private synchronized void transportReady() {
    server.budget.release(this);
    pump();
  }

  /** Ends a stream that did not read its responses ({@link WriteBudget}), saying why. */
  @Override
  public final synchronized void dropSlow(String reason) {
    if (closed) {
      return;
    }
    LOG.warn(
        "[{}] dropping the stream of proxy {} (group {}): it {}",
        proxy.streamId,
        proxy.nodeId,
        proxy.group,
        reason);
    fail(Status.RESOURCE_EXHAUSTED.withDescription("stream dropped: it " + reason));
  }

  private void fail(Status status) {
    close();
    out.onError(status.asRuntimeException());
  }

  @Override
  public final void onError(Throwable t) {
    if (Status.fromThrowable(t).getCode() != Status.Code.CANCELLED) {
      LOG.warn(
          "[{}] stream from {} failed: {}", proxy.streamId, proxy.nodeId, Status.fromThrowable(t));
    }
    close();
  }

  @Override
  public final void onCompleted() {
    close();
    synchronized (this) {
      out.onCompleted();
    }
  }

  private synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (group != null) {
      server.leave(group, this);
    }
    server.gatekeeper.forget(this);
    server.budget.closed(this);
    server.callbacks.closed(proxy);
  }

  static String shortType(ResourceType type) {
    return switch (type) {
      case CLUSTER -> "Cluster";
      case ENDPOINT -> "ClusterLoadAssignment";
      case LISTENER -> "Listener";
      case ROUTE -> "RouteConfiguration";
      case SECRET -> "Secret";
    };
  }

  static String typeUrl(ResourceType type) {
    return switch (type) {
      case CLUSTER -> Resources.V3.CLUSTER_TYPE_URL;
      case ENDPOINT -> Resources.V3.ENDPOINT_TYPE_URL;
      case LISTENER -> Resources.V3.LISTENER_TYPE_URL;
      case ROUTE -> Resources.V3.ROUTE_TYPE_URL;
      case SECRET -> Resources.V3.SECRET_TYPE_URL;
    };
  }
}
