package dev.sluice.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Free TCP ports for the tests' servers; never hands out the same port twice in one JVM.
 *
 * <p>Taken below the kernel's ephemeral range (32768–60999 on Linux): a port from that range that
 * was free a moment ago can become the source port of any outgoing connection (an Envoy's to its
 * upstream, a client's to Envoy) before the server that wants it binds it, which made a test fail
 * now and then with "address already in use". Below the range only a deliberate bind takes a port.
 * Each JVM starts at its own offset, so two test runs rarely probe the same ports. The range starts
 * above every port the quickstart and the demo use (the highest, 21003), so the tests run beside a
 * user's quickstart on one machine.
 */
public final class FreePorts {
  static final int FIRST = 22_000;
  static final int END = 32_000;
  private static int next = FIRST + (int) (ProcessHandle.current().pid() % 600) * 20;

  private FreePorts() {}

  /** A port that was free on every address a moment ago, outside the ephemeral range. */
  public static synchronized int next() {
    for (int attempt = 0; attempt < END - FIRST; attempt++) {
      int port = next;
      next = next + 1 < END ? next + 1 : FIRST;
      if (free(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no free port between " + FIRST + " and " + END);
  }

  /** On the wildcard address: a port bound on 127.0.0.1 only, or on all addresses, is taken. */
  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
