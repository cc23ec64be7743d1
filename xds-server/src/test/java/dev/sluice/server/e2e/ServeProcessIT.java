package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.testing.FreePorts;
import dev.sluice.testing.RepoPaths;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code sluice serve} jar as a process, started with the JVM options of the image and the
 * scripts: an OutOfMemoryError ends it instead of leaving it up with dead threads, and SIGTERM ends
 * it promptly while it watches a policy folder (with a linked sub-folder) and a registry file.
 */
class ServeProcessIT {
  /** What the Dockerfile and the scripts pass (JvmOptionsTest checks them). */
  private static final String EXIT_ON_OOM = "-XX:+ExitOnOutOfMemoryError";

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir Path dir;

  private final int adminPort = FreePorts.next();
  private Path policies;
  private Path log;
  private Process sluice;

  @BeforeEach
  void files() throws IOException {
    Files.writeString(dir.resolve("services.yaml"), "services:\n  users: [\"127.0.0.1:9001\"]\n");
    policies = Files.createDirectory(dir.resolve("policies"));
    Files.writeString(
        policies.resolve("gateway.yaml"),
        "kind: Gateway\nname: edge\nport: " + FreePorts.next() + "\n");
    Path team = Files.createDirectories(dir.resolve("elsewhere/team"));
    Files.writeString(
        team.resolve("routes.yaml"),
        "kind: Route\nname: users\nmatch: {prefix: /users}\nto: users\n");
    Files.createSymbolicLink(policies.resolve("team"), team);
    log = dir.resolve("sluice.log");
  }

  @AfterEach
  void stop() {
    if (sluice != null && sluice.isAlive()) {
      sluice.destroyForcibly();
    }
  }

  private Process serve(String... jvmOptions) throws IOException {
    Path jar = RepoPaths.resolve("xds-server/target/sluice.jar");
    assertThat(jar).as("the jar (mvn package builds it)").exists();
    List<String> command =
        new ArrayList<>(
            List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(List.of(jvmOptions));
    command.addAll(
        List.of(
            "-jar",
            jar.toString(),
            "serve",
            "--registry",
            dir.resolve("services.yaml").toString(),
            "--policies",
            policies.toString(),
            "--xds-address",
            "127.0.0.1",
            "--xds-port",
            String.valueOf(FreePorts.next()),
            "--admin-port",
            String.valueOf(adminPort),
            "--ratelimit-port",
            String.valueOf(FreePorts.next())));
    sluice =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    await().atMost(Duration.ofSeconds(60)).until(() -> ready() || !sluice.isAlive());
    assertThat(sluice.isAlive()).as("sluice serve started; its log:\n%s", logText()).isTrue();
    return sluice;
  }

  private boolean ready() {
    try {
      HttpRequest req =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/ready"))
              .timeout(Duration.ofSeconds(2))
              .build();
      return HTTP.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private String logText() throws IOException {
    return Files.readString(log);
  }

  /**
   * A policy file larger than the heap, read because its bound was raised above the heap: the
   * reload that reads it runs out of memory, and the process ends rather than stay up half dead.
   */
  @Test
  void anOutOfMemoryErrorEndsTheProcess() throws Exception {
    Process p = serve("-Xmx64m", EXIT_ON_OOM, "-Dsluice.yaml.maxFileBytes=" + (1L << 30));
    try (FileChannel out =
        FileChannel.open(
            policies.resolve("huge.yaml"),
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE)) {
      out.write(ByteBuffer.wrap(new byte[] {'\n'}), 512L << 20); // 512 MiB, sparse
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> !p.isAlive());
    assertThat(p.exitValue()).as("exit code; the log:\n%s", logText()).isNotZero();
    assertThat(logText()).contains("java.lang.OutOfMemoryError");
  }

  /**
   * SIGTERM while the folder (and a linked sub-folder) and the registry file are watched: the
   * process ends on its own.
   */
  @Test
  void sigtermEndsAServeThatWatchesFilesPromptly() throws Exception {
    Process p = serve(EXIT_ON_OOM);
    p.destroy(); // SIGTERM: the shutdown hook closes the server, watchers included
    await().atMost(Duration.ofSeconds(30)).until(() -> !p.isAlive());
    assertThat(p.exitValue())
        .as("exit code of a JVM ended by SIGTERM; the log:\n%s", logText())
        .isEqualTo(143);
  }
}
