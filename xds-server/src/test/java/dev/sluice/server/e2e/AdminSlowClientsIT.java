package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Half-open admin connections — a request line and half its headers, then silence — cannot block
 * the probes: more of them than the admin server has threads, and /healthz and /ready still
 * answer, each hung connection is closed by the server once the request time limit passes.
 */
class AdminSlowClientsIT {
  private static final int HUNG = dev.sluice.server.admin.AdminServer.THREADS + 8;

  @Test
  void probesAnswerWhileHalfOpenConnectionsHang() throws Exception {
    try (SluiceFixture sluice = new SluiceFixture()) {
      sluice.writeRegistry("services:\n  web: [\"127.0.0.1:9\"]\n");
      sluice.start();
      List<Socket> hung = new ArrayList<>();
      try {
        for (int i = 0; i < HUNG; i++) {
          Socket s = new Socket(InetAddress.getLoopbackAddress(), sluice.adminPort);
          OutputStream out = s.getOutputStream();
          out.write("GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ".getBytes(StandardCharsets.US_ASCII));
          out.flush();
          hung.add(s);
        }
        // the probes answer (the fixture's client gives up after 5 s per try)
        HttpResponse<String> healthz = retry(() -> sluice.admin("/healthz"));
        assertThat(healthz.statusCode()).isEqualTo(200);
        assertThat(retry(() -> sluice.admin("/ready")).statusCode()).isEqualTo(200);
        // and the half-open connections are closed by the server, not left to hang
        List<CompletableFuture<Integer>> ends = new ArrayList<>();
        for (Socket s : hung) {
          ends.add(CompletableFuture.supplyAsync(() -> readToEnd(s)));
        }
        CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      } finally {
        for (Socket s : hung) {
          s.close();
        }
      }
    }
  }

  /** Reads until the server closes the connection; the bytes read. */
  private static int readToEnd(Socket s) {
    try (InputStream in = s.getInputStream()) {
      return in.readAllBytes().length;
    } catch (java.io.IOException e) {
      return -1; // reset: closed too
    }
  }

  /** Up to 4 tries of 5 s: a probe must answer within the request time limit (10 s), not eventually. */
  private static <T> T retry(java.util.function.Supplier<T> call) {
    RuntimeException last = null;
    for (int i = 0; i < 4; i++) {
      try {
        return call.get();
      } catch (java.io.UncheckedIOException e) {
        last = e;
      }
    }
    throw new AssertionError("no answer within 4 tries of 5 s", last);
  }
}
