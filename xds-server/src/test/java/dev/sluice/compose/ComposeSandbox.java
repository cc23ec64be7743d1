package dev.sluice.compose;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * compose/docker-compose.yml's file system without Docker: each named volume is a folder under a
 * temp dir, each bind mount its path in the repository, and a path inside a service's container is
 * found where that service's mounts put it. So a one-shot service's script can be run here as
 * compose would run it (its entrypoint, command and environment, container paths translated), and
 * what it wrote read back at the paths where other services see it.
 */
final class ComposeSandbox {
  record Result(int exit, String output) {}

  final ComposeFile compose;
  private final Path volumes;

  ComposeSandbox(ComposeFile compose, Path tmp) {
    this.compose = compose;
    this.volumes = tmp.resolve("volumes");
    compose
        .root
        .path("volumes")
        .fieldNames()
        .forEachRemaining(
            name -> {
              try {
                Files.createDirectories(volumes.resolve(name));
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
  }

  /** The folder standing for a named volume. */
  Path volume(String name) {
    Path dir = volumes.resolve(name);
    if (!Files.isDirectory(dir)) {
      throw new AssertionError("no named volume " + name + " is declared in " + compose.file);
    }
    return dir;
  }

  /**
   * Where {@code containerPath} of {@code service} is here: in the folder of the volume or bind
   * mount that holds it.
   */
  Path hostPath(String service, String containerPath) {
    ComposeFile.Mount m =
        compose
            .mountHolding(service, containerPath)
            .orElseThrow(
                () ->
                    new AssertionError(
                        "service "
                            + service
                            + " mounts nothing that holds "
                            + containerPath
                            + ": in its container the path would not outlive it, nor be seen by another service"));
    Path base = m.bind() ? compose.hostPath(m) : volume(m.source());
    String rest = containerPath.substring(m.target().length()).replaceFirst("^/+", "");
    return rest.isEmpty() ? base : base.resolve(rest);
  }

  /** Every regular file that {@code service} sees through its mounts. */
  List<Path> visibleFiles(String service) {
    List<Path> out = new ArrayList<>();
    for (ComposeFile.Mount m : compose.mounts(service)) {
      Path base = m.bind() ? compose.hostPath(m) : volume(m.source());
      if (Files.isRegularFile(base)) {
        out.add(base);
      } else {
        try (Stream<Path> files = Files.walk(base)) {
          files.filter(Files::isRegularFile).forEach(out::add);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return out;
  }

  /**
   * Runs a service's entrypoint and command (or {@code command} instead of the file's) with its
   * environment plus {@code env}, in a stand-in for its container's file system: a folder in which
   * each mount target is a symbolic link to the volume's folder or the bind-mounted path. Arguments
   * ({@code /path} or {@code --flag=/path}) and environment values that are paths in a mount are
   * translated to where that mount's files are here, and paths above mount targets into that
   * folder; anything else written there is lost with it, as in a container.
   */
  Result run(String service, Map<String, String> env, String... command) {
    try {
      Path out = Files.createTempFile(volumes.getParent(), service, ".out");
      Process p =
          start(
              service,
              env,
              List.of(),
              command.length > 0 ? List.of(command) : compose.command(service),
              out);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
        throw new AssertionError(
            "service " + service + " did not finish in 60 s: " + p.info().commandLine().orElse(""));
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /**
   * Starts {@code launcher} (the image's entrypoint, where the service keeps it: {@code java -jar
   * ...} for Sluice) or else the service's entrypoint, followed by {@code command}, as {@link #run}
   * does, with its output to {@code out}; the caller ends it.
   */
  Process start(
      String service,
      Map<String, String> env,
      List<String> launcher,
      List<String> command,
      Path out)
      throws IOException {
    Path root = containerRoot(service);
    List<String> cmd = new ArrayList<>(launcher);
    if (launcher.isEmpty()) {
      compose.entrypoint(service).forEach(a -> cmd.add(translate(service, root, a)));
    }
    command.forEach(a -> cmd.add(translate(service, root, a)));
    if (cmd.isEmpty()) {
      throw new AssertionError(
          "service " + service + " has neither entrypoint nor command in " + compose.file);
    }
    Map<String, String> environment = new LinkedHashMap<>();
    compose.environment(service).forEach((k, v) -> environment.put(k, translate(service, root, v)));
    environment.putAll(env);
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
    pb.environment().putAll(environment);
    return pb.start();
  }

  /**
   * A fresh folder standing for the root of a new container of {@code service}, its mounts linked
   * in.
   */
  private Path containerRoot(String service) {
    try {
      Path root = Files.createTempDirectory(volumes.getParent(), "container-" + service + "-");
      for (ComposeFile.Mount m : compose.mounts(service)) {
        Path link = root.resolve(m.target().replaceFirst("^/+", ""));
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, m.bind() ? compose.hostPath(m) : volume(m.source()));
      }
      return root;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String translate(String service, Path root, String value) {
    Matcher flag = Pattern.compile("^(--[^=]+=)(/.*)$").matcher(value);
    if (flag.matches()) {
      return flag.group(1) + translate(service, root, flag.group(2));
    }
    if (!value.startsWith("/")) {
      return value;
    }
    if (compose.mountHolding(service, value).isPresent()) {
      return hostPath(service, value)
          .toString(); // the real folder: a program need not follow links
    }
    String dir = value.endsWith("/") ? value : value + "/";
    boolean aboveMounts =
        compose.mounts(service).stream().anyMatch(m -> (m.target() + "/").startsWith(dir));
    return aboveMounts ? root.resolve(value.replaceFirst("^/+", "")).toString() : value;
  }
}
