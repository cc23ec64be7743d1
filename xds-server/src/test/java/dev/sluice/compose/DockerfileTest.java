package dev.sluice.compose;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.sluice.testing.FreePorts;
import dev.sluice.testing.RepoPaths;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Sluice image's Dockerfile, checked without a Docker engine: pinned base images, a build that
 * copies only what exists and produces the jar scripts/build-jar produces, a non-root user, and a
 * health check that is healthy exactly when /ready answers 200.
 */
class DockerfileTest {
  private final Dockerfile dockerfile = Dockerfile.load();

  @Test
  void baseImagesArePinnedAndBuildAndRunOnTheSameJava17() {
    List<String> images = dockerfile.baseImages();
    assertThat(images).hasSize(2);
    for (String image : images) {
      assertThat(ComposeFile.tag(image)).as("FROM %s", image).isPresent();
      assertThat(ComposeFile.tag(image).get())
          .as("FROM %s", image)
          .doesNotContain("latest")
          .matches(ComposeFileTest.FULL_VERSION);
    }
    String build = ComposeFile.tag(images.get(0)).orElseThrow();
    String run = ComposeFile.tag(images.get(1)).orElseThrow();
    assertThat(build).as("build stage: a JDK 17").startsWith("17.").contains("-jdk");
    assertThat(run).as("runtime stage: a JRE").contains("-jre");
    assertThat(build.replace("-jdk", ""))
        .as("the same Java release builds and runs")
        .isEqualTo(run.replace("-jre", ""));
  }

  @Test
  void everyCopiedPathExistsAndTheJarIsTheOneScriptsBuildJarBuilds() throws IOException {
    for (Dockerfile.Instruction copy : dockerfile.all("COPY")) {
      if (copy.arguments().startsWith("--from")) {
        continue;
      }
      String[] parts = copy.arguments().split("\\s+");
      for (int i = 0; i < parts.length - 1; i++) {
        assertThat(RepoPaths.resolve(parts[i])).as("COPY %s", copy.arguments()).exists();
      }
    }
    Matcher jar =
        Pattern.compile("(?m)^JAR=\"\\$ROOT/([^\"]+)\"")
            .matcher(Files.readString(RepoPaths.resolve("scripts/build-jar")));
    assertThat(jar.find()).as("scripts/build-jar names its jar").isTrue();
    String run = dockerfile.all("RUN").get(0).arguments();
    assertThat(run).contains("mvnw").contains("-DskipTests package").contains(jar.group(1));
  }

  /** Maven refuses a reactor whose modules are missing, even when it builds only some of them. */
  @Test
  void everyModuleOfTheRootPomIsCopied() throws IOException {
    List<String> copied =
        dockerfile.all("COPY").stream().map(c -> c.arguments().split("\\s+")[0]).toList();
    Matcher module =
        Pattern.compile("<module>([^<]+)</module>")
            .matcher(Files.readString(RepoPaths.resolve("pom.xml")));
    int modules = 0;
    while (module.find()) {
      modules++;
      assertThat(copied)
          .as("COPY of the module %s", module.group(1))
          .contains(module.group(1) + "/");
    }
    assertThat(modules).isPositive();
  }

  @Test
  void runsAsANonRootUser() {
    List<Dockerfile.Instruction> users = dockerfile.all("USER");
    assertThat(users).isNotEmpty();
    String user = users.get(users.size() - 1).arguments().split(":")[0];
    assertThat(user).isNotIn("root", "0");
    assertThat(dockerfile.all("ENTRYPOINT").get(0).arguments()).contains("/opt/sluice/sluice.jar");
  }

  @Test
  void theDockerIgnoreKeepsBuildOutputAndGitOut() throws IOException {
    List<String> lines = Files.readAllLines(RepoPaths.resolve(".dockerignore"));
    assertThat(lines).contains(".git", "**/target", "build");
  }

  /**
   * Runs the HEALTHCHECK command as Docker would ({@code /bin/sh -c}), against a stand-in /ready.
   */
  @Test
  void theHealthCheckIsHealthyExactlyWhenReadyAnswers200() throws Exception {
    String probe = dockerfile.healthCheck();
    assertThat(probe).contains("/dev/tcp/127.0.0.1/18001 ");
    int port = FreePorts.next();
    String local = probe.replace("/dev/tcp/127.0.0.1/18001 ", "/dev/tcp/127.0.0.1/" + port + " ");

    assertThat(run(local)).as("nothing listening yet").isNotZero();

    AtomicInteger status = new AtomicInteger(503);
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    server.createContext(
        "/",
        exchange -> {
          byte[] body =
              (exchange.getRequestURI().getPath().equals("/ready") && status.get() == 200
                      ? "ready\n"
                      : "no\n")
                  .getBytes(StandardCharsets.UTF_8);
          int code = exchange.getRequestURI().getPath().equals("/ready") ? status.get() : 404;
          exchange.sendResponseHeaders(code, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    try {
      assertThat(run(local)).as("/ready answers 503").isNotZero();
      status.set(200);
      assertThat(run(local)).as("/ready answers 200").isZero();
    } finally {
      server.stop(0);
    }
  }

  private static int run(String shellCommand) throws Exception {
    Path out = Files.createTempFile("healthcheck", ".out");
    try {
      Process p =
          new ProcessBuilder("/bin/sh", "-c", shellCommand)
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
        throw new AssertionError("the health check did not finish in 10 s: " + shellCommand);
      }
      return p.exitValue();
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
