package dev.sluice.compose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.sluice.testing.RepoPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** compose/docker-compose.yml as the tests read it (plain YAML, no interpolation or merging). */
final class ComposeFile {
  static final String RELATIVE = "compose/docker-compose.yml";

  /** Every service of the quickstart topology, in no particular order. */
  static final List<String> SERVICES =
      List.of(
          "consul",
          "proxy-credentials",
          "sluice",
          "xds-ca-bundle",
          "edge",
          "web",
          "web-sidecar",
          "orders",
          "orders-sidecar",
          "users",
          "users-sidecar");

  /** The services that run Envoy as a proxy (their command starts with {@code envoy}). */
  static final List<String> ENVOYS =
      List.of("edge", "web-sidecar", "orders-sidecar", "users-sidecar");

  /** One volume entry of a service: a bind mount (host path) or a named volume. */
  record Mount(String service, String source, String target, boolean bind, boolean readOnly) {}

  private static final YAMLMapper YAML = new YAMLMapper();

  final Path file;
  final Path dir;
  final JsonNode root;

  private ComposeFile(Path file, JsonNode root) {
    this.file = file;
    this.dir = file.getParent();
    this.root = root;
  }

  static ComposeFile load() {
    Path file = RepoPaths.resolve(RELATIVE);
    try {
      return new ComposeFile(file, YAML.readTree(file.toFile()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Map<String, JsonNode> services() {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.path("services").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey(), e.getValue());
    }
    return out;
  }

  JsonNode service(String name) {
    JsonNode s = root.path("services").path(name);
    if (s.isMissingNode()) {
      throw new AssertionError(file + " has no service " + name);
    }
    return s;
  }

  /** The image of a service, if it names one. */
  Optional<String> image(String service) {
    JsonNode image = service(service).path("image");
    return image.isTextual() ? Optional.of(image.asText()) : Optional.empty();
  }

  /** The command as a list of arguments (a string command is split on spaces). */
  List<String> command(String service) {
    return arguments(service(service).path("command"));
  }

  /** The entrypoint as a list of arguments; empty when the image's is kept. */
  List<String> entrypoint(String service) {
    return arguments(service(service).path("entrypoint"));
  }

  /** The environment of a service (map or {@code KEY=value} list syntax). */
  Map<String, String> environment(String service) {
    JsonNode env = service(service).path("environment");
    Map<String, String> out = new LinkedHashMap<>();
    if (env.isArray()) {
      env.forEach(
          e -> {
            String[] kv = e.asText().split("=", 2);
            out.put(kv[0], kv.length > 1 ? kv[1] : "");
          });
    } else {
      env.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    }
    return out;
  }

  /**
   * The condition on which {@code service} waits for {@code dependency} ({@code service_healthy},
   * ...), if it does.
   */
  Optional<String> dependsOn(String service, String dependency) {
    JsonNode deps = service(service).path("depends_on");
    if (deps.isArray()) {
      for (JsonNode d : deps) {
        if (d.asText().equals(dependency)) {
          return Optional.of("service_started");
        }
      }
      return Optional.empty();
    }
    JsonNode d = deps.path(dependency);
    return d.isMissingNode()
        ? Optional.empty()
        : Optional.of(d.path("condition").asText("service_started"));
  }

  private static List<String> arguments(JsonNode cmd) {
    List<String> out = new ArrayList<>();
    if (cmd.isTextual()) {
      out.addAll(List.of(cmd.asText().trim().split("\\s+")));
    } else {
      cmd.forEach(a -> out.add(a.asText()));
    }
    return out;
  }

  /**
   * The value of {@code --flag=value} or {@code --flag value} in a service's command (the first, if
   * repeated).
   */
  Optional<String> flag(String service, String flag) {
    return flags(service, flag).stream().findFirst();
  }

  /**
   * Every value of a repeatable {@code --flag=value} or {@code --flag value} in a service's
   * command.
   */
  List<String> flags(String service, String flag) {
    List<String> cmd = command(service);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < cmd.size(); i++) {
      if (cmd.get(i).startsWith(flag + "=")) {
        out.add(cmd.get(i).substring(flag.length() + 1));
      } else if (cmd.get(i).equals(flag) && i + 1 < cmd.size()) {
        out.add(cmd.get(i + 1));
      }
    }
    return out;
  }

  /** Every volume entry of every service, short ("src:dst[:mode]") or long syntax. */
  List<Mount> mounts() {
    List<Mount> out = new ArrayList<>();
    services()
        .forEach(
            (name, s) -> {
              for (JsonNode v : s.path("volumes")) {
                if (v.isTextual()) {
                  String[] parts = v.asText().split(":");
                  String source = parts[0];
                  String target = parts.length > 1 ? parts[1] : parts[0];
                  boolean bind =
                      source.startsWith(".") || source.startsWith("/") || source.startsWith("~");
                  boolean readOnly =
                      parts.length > 2 && List.of(parts[2].split(",")).contains("ro");
                  out.add(new Mount(name, source, target, bind, readOnly));
                } else {
                  String type = v.path("type").asText("volume");
                  out.add(
                      new Mount(
                          name,
                          v.path("source").asText(),
                          v.path("target").asText(),
                          type.equals("bind"),
                          v.path("read_only").asBoolean(false)));
                }
              }
            });
    return out;
  }

  /** The volume entries of one service. */
  List<Mount> mounts(String service) {
    service(service);
    return mounts().stream().filter(m -> m.service().equals(service)).toList();
  }

  /**
   * The mount of {@code service} that holds {@code containerPath} (the longest target that is a
   * prefix of it).
   */
  Optional<Mount> mountHolding(String service, String containerPath) {
    return mounts(service).stream()
        .filter(
            m ->
                containerPath.equals(m.target())
                    || containerPath.startsWith(
                        m.target().endsWith("/") ? m.target() : m.target() + "/"))
        .max(Comparator.comparingInt(m -> m.target().length()));
  }

  /**
   * The host path of a bind mount, resolved as compose does: relative to the compose file's folder.
   */
  Path hostPath(Mount m) {
    return dir.resolve(m.source()).normalize();
  }

  /** The host file mounted at {@code target} in {@code service}. */
  Path mountedFile(String service, String target) {
    return mounts().stream()
        .filter(m -> m.service().equals(service) && m.target().equals(target) && m.bind())
        .map(this::hostPath)
        .findFirst()
        .orElseThrow(() -> new AssertionError(service + " mounts nothing at " + target));
  }

  /** The tag of an image reference, or empty when it has none (digests count as no tag here). */
  static Optional<String> tag(String image) {
    int slash = image.lastIndexOf('/');
    int colon = image.indexOf(':', slash + 1);
    return colon < 0 ? Optional.empty() : Optional.of(image.substring(colon + 1));
  }

  /** The image name without its tag. */
  static String repository(String image) {
    int slash = image.lastIndexOf('/');
    int colon = image.indexOf(':', slash + 1);
    return colon < 0 ? image : image.substring(0, colon);
  }

  /** {@code VERSION=...} of a script in scripts/, e.g. scripts/install-envoy. */
  static String scriptVersion(String script) {
    Path p = RepoPaths.resolve("scripts/" + script);
    try {
      Matcher m = Pattern.compile("(?m)^VERSION=\"?([^\"\\s]+)\"?$").matcher(Files.readString(p));
      if (!m.find()) {
        throw new AssertionError(p + " has no VERSION=... line");
      }
      return m.group(1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
