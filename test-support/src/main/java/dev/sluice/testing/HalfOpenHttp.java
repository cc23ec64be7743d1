package dev.sluice.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Half-open HTTP connections, as a slow-loris client makes them: each sends a request line and half
 * a header, then nothing. {@link #closedByServer} completes once the server has closed every one of
 * them.
 */
public final class HalfOpenHttp implements AutoCloseable {
  private static final byte[] HALF_A_REQUEST =
      "GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ".getBytes(StandardCharsets.US_ASCII);
  private final List<Socket> sockets = new ArrayList<>();
  private final List<CompletableFuture<Void>> ends = new ArrayList<>();

  private HalfOpenHttp() {}

  /**
   * Opens {@code count} connections to the loopback {@code port}, each with half a request sent.
   */
  public static HalfOpenHttp open(int port, int count) {
    HalfOpenHttp open = new HalfOpenHttp();
    try {
      for (int i = 0; i < count; i++) {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        open.sockets.add(s);
        OutputStream out = s.getOutputStream();
        out.write(HALF_A_REQUEST);
        out.flush();
        open.ends.add(CompletableFuture.runAsync(() -> readToEnd(s)));
      }
    } catch (IOException e) {
      open.close();
      throw new UncheckedIOException(e);
    }
    return open;
  }

  /** Completes when the server has closed (or reset) every connection. */
  public CompletableFuture<Void> closedByServer() {
    return CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new));
  }

  /** Reads until the server closes the connection (a reset counts as closed). */
  private static void readToEnd(Socket s) {
    try (InputStream in = s.getInputStream()) {
      in.readAllBytes();
    } catch (IOException e) {
      // reset, or closed by close(): the connection is over either way
    }
  }

  @Override
  public void close() {
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException e) {
        // closing a test's socket: nothing to do about it
      }
    }
  }
}
