package dev.sluice.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} on a free loopback port, keeping nothing on disk, for tests. It can
 * be stopped and started again on the same port (it comes back empty), and paused ({@code SIGSTOP})
 * to play a Redis that accepts connections but never answers.
 */
public final class RedisProcess implements AutoCloseable {
  public static final String ENV_VAR = "REDIS_BIN";
  private final Path binary;
  private final Path log;
  private final int port = FreePorts.next();
  private Process process;

  private RedisProcess(Path binary) throws IOException {
    this.binary = binary;
    this.log = Files.createTempFile("redis", ".log");
  }

  /** Starts redis-server and waits until it answers PING. */
  public static RedisProcess start() {
    try {
      RedisProcess r = new RedisProcess(binary());
      r.startProcess();
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The binary: {@code REDIS_BIN}, then {@code redis-server} on PATH; fails with how to install it.
   */
  public static Path binary() {
    return Executables.find(ENV_VAR, List.of("redis-server"), installHint());
  }

  private static String installHint() {
    return "Install it with `apt-get install redis-server` (Debian's package) or run scripts/install-redis, "
        + "which installs it and prints its path: export REDIS_BIN=$(scripts/install-redis)";
  }

  public int port() {
    return port;
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** (Re)starts the server on the same port, empty, and waits until it answers. */
  public synchronized void startProcess() throws IOException {
    if (process != null && process.isAlive()) {
      return;
    }
    process =
        new ProcessBuilder(
                List.of(
                    binary.toString(),
                    "--port",
                    Integer.toString(port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--protected-mode",
                    "no",
                    "--loglevel",
                    "warning"))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "redis-server exited with " + process.exitValue() + ":\n" + Files.readString(log));
      }
      if (answersPing()) {
        return;
      }
      sleep(20);
    }
    throw new IllegalStateException(
        "redis-server did not answer PING on port "
            + port
            + " within 10 s:\n"
            + Files.readString(log));
  }

  /** Starts it again after {@link #stop()}. */
  public void restart() {
    try {
      startProcess();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Kills the server (its data goes with it) and waits until it is gone. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    resume();
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Freezes the process: connections stay open, nothing is answered. */
  public void pause() {
    signal("STOP");
  }

  public void resume() {
    signal("CONT");
  }

  private synchronized void signal(String name) {
    if (process == null || !process.isAlive()) {
      return;
    }
    try {
      new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
          .inheritIO()
          .start()
          .waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Sends one inline command and returns the first line of the reply. */
  public String command(String line) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      s.setSoTimeout(2000);
      s.getOutputStream().write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
      StringBuilder reply = new StringBuilder();
      int c;
      while ((c = s.getInputStream().read()) >= 0 && c != '\n') {
        if (c != '\r') {
          reply.append((char) c);
        }
      }
      return reply.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private boolean answersPing() {
    try {
      return command("PING").equals("+PONG");
    } catch (UncheckedIOException e) {
      return false;
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
  }
}
