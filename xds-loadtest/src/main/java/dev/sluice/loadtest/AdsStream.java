package dev.sluice.loadtest;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * One simulated Envoy: an ADS stream and when it reached its milestones. The subclasses speak SotW
 * or delta; this class keeps the clock. gRPC calls back one message at a time per stream, but the
 * first requests go out from the main thread, so sends and callbacks synchronize on the stream.
 *
 * @param <R> the responses: SotW's or delta's
 */
abstract class AdsStream<R> implements StreamObserver<R> {
  final Node node;
  final Run run;
  private volatile long initialAt;

  /** When the stream received the current round's change, and which round that was. */
  private volatile long changedAt;

  private volatile int changedRound = -1;
  private volatile boolean failed;
  private volatile long failedAt;

  /** Which of the run's connections the stream is on. */
  private int connection;

  private volatile boolean stopping;
  private volatile String failure;

  AdsStream(Node node, Run run) {
    this.node = node;
    this.run = run;
  }

  /** Opens the stream on connection number {@code connection}, whose stub is {@code stub}. */
  final void start(int connection, AggregatedDiscoveryServiceStub stub) {
    this.connection = connection;
    start(stub);
  }

  abstract void start(AggregatedDiscoveryServiceStub stub);

  /** The request side of the call, for {@link #stop}. */
  abstract StreamObserver<?> requests();

  /** Ends the call as Envoy's shutdown would: a cancel, not an error worth counting. */
  final void stop() {
    stopping = true;
    if (requests() instanceof ClientCallStreamObserver<?> call) {
      call.cancel("load test finished", null);
    }
  }

  long initialAt() {
    return initialAt;
  }

  /** When the stream received round {@code index}'s change; 0 if it has not. */
  long changedAt(int index) {
    return changedRound == index ? changedAt : 0;
  }

  boolean failed() {
    return failed;
  }

  String failure() {
    return failure;
  }

  long failedAt() {
    return failedAt;
  }

  int connection() {
    return connection;
  }

  final void initialComplete() {
    if (initialAt == 0) {
      initialAt = System.nanoTime();
      run.initial.incrementAndGet();
    }
  }

  /** Looks at one received ClusterLoadAssignment: is it the change this run waits for now? */
  final void endpoints(String name, ByteString encoded) {
    Run.Round round = run.round();
    if (round == null || changedRound == round.index || !round.cluster.equals(name)) {
      return;
    }
    ClusterLoadAssignment cla;
    try {
      cla = ClusterLoadAssignment.parseFrom(encoded);
    } catch (InvalidProtocolBufferException e) {
      fail("undecodable ClusterLoadAssignment " + name + ": " + e.getMessage());
      return;
    }
    if (round.hasNewEndpoint(cla)) {
      changedAt = System.nanoTime();
      changedRound = round.index;
      round.changed.incrementAndGet();
    }
  }

  @Override
  public final void onError(Throwable t) {
    Status status = Status.fromThrowable(t);
    if (!(stopping && status.getCode() == Status.Code.CANCELLED)) {
      fail(describe(status));
    }
  }

  /**
   * One line, grouped by in the report: the code, the description's first line and the innermost
   * cause (a refused certificate says why there), never a stack trace.
   */
  static String describe(Status status) {
    StringBuilder out = new StringBuilder(status.getCode().name());
    if (status.getDescription() != null) {
      out.append(": ").append(status.getDescription().lines().findFirst().orElse(""));
    }
    Throwable cause = status.getCause();
    if (cause != null) {
      while (cause.getCause() != null && cause.getCause() != cause) {
        cause = cause.getCause();
      }
      out.append(" (").append(cause.getClass().getSimpleName());
      if (cause.getMessage() != null) {
        out.append(": ").append(cause.getMessage().lines().findFirst().orElse(""));
      }
      out.append(')');
    }
    return out.toString();
  }

  @Override
  public final void onCompleted() {
    if (!stopping) {
      fail("the server ended the stream");
    }
  }

  final void fail(String why) {
    if (!failed) {
      failure = why;
      failedAt = System.nanoTime();
      failed = true;
      run.failed.incrementAndGet();
    }
  }
}
