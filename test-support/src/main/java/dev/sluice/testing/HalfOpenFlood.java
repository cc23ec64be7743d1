package dev.sluice.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A sustained slow-loris flood: {@code count} connections that each send a request line and half a
 * header, then nothing; one the server closes is opened again at once, so {@code count} stay open
 * for as long as the flood runs. One thread and a selector hold them all.
 */
public final class HalfOpenFlood implements AutoCloseable {
  private static final byte[] HALF_A_REQUEST =
      "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ".getBytes(StandardCharsets.US_ASCII);
  private final InetSocketAddress target;
  private final Selector selector;
  private final Thread thread;
  private final AtomicInteger opened = new AtomicInteger();
  private final AtomicInteger closedByServer = new AtomicInteger();
  private volatile boolean stop;

  private HalfOpenFlood(int port, int count) throws IOException {
    this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    this.selector = Selector.open();
    for (int i = 0; i < count; i++) {
      openOne();
    }
    this.thread = new Thread(this::run, "half-open-flood");
    thread.setDaemon(true);
    thread.start();
  }

  /** Opens {@code count} half-open connections to the loopback {@code port} and keeps them open. */
  public static HalfOpenFlood start(int port, int count) {
    try {
      return new HalfOpenFlood(port, count);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Connections opened so far, the first {@code count} included. */
  public int opened() {
    return opened.get();
  }

  /** Connections the server closed (or reset), each replaced by a new one. */
  public int closedByServer() {
    return closedByServer.get();
  }

  private void openOne() throws IOException {
    SocketChannel c = SocketChannel.open(target); // blocking connect: the server's backlog takes it
    c.write(ByteBuffer.wrap(HALF_A_REQUEST));
    c.configureBlocking(false);
    c.register(selector, SelectionKey.OP_READ);
    opened.incrementAndGet();
  }

  private void run() {
    ByteBuffer sink = ByteBuffer.allocate(4096);
    while (!stop) {
      try {
        selector.select(100);
        for (SelectionKey key : selector.selectedKeys()) {
          SocketChannel c = (SocketChannel) key.channel();
          sink.clear();
          int n;
          try {
            n = c.read(sink);
          } catch (IOException e) {
            n = -1; // reset: closed by the server too
          }
          if (n < 0) {
            key.cancel();
            c.close();
            closedByServer.incrementAndGet();
            if (!stop) {
              openOne();
            }
          }
        }
        selector.selectedKeys().clear();
      } catch (IOException e) {
        if (!stop) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop = true;
    thread.join(5_000);
    for (SelectionKey key : selector.keys()) {
      try {
        key.channel().close();
      } catch (IOException e) {
        // closing a test's socket: nothing to do about it
      }
    }
    try {
      selector.close();
    } catch (IOException e) {
      // as above
    }
  }
}
