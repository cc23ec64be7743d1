package dev.sluice.compose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.sluice.testing.RepoPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
  static final List<String> SERVICES = List.of(
      "consul", "sluice", "edge", "web", "web-sidecar", "orders", "orders-sidecar", "users", "users-sidecar");

  /** One volume entry of a service: a bind mount (host path) or a named volume. */
  record Mount(String service, String source, String target, boolean bind) {}

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
    for (Iterator<Map.Entry<String, JsonNode>> it = root.path("services").fields(); it.hasNext(); ) {
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
    JsonNode cmd = service(service).path("command");
    List<String> out = new ArrayList<>();
    if (cmd.isTextual()) {
      out.addAll(List.of(cmd.asText().trim().split("\\s+")));
    } else {
      cmd.forEach(a -> out.add(a.asText()));
    }
    return out;
  }

  /** The value of {@code --flag=value} or {@code --flag value} in a service's command. */
  Optional<String> flag(String service, String flag) {
    List<String> cmd = command(service);
    for (int i = 0; i < cmd.size(); i++) {
      if (cmd.get(i).startsWith(flag + "=")) {
        return Optional.of(cmd.get(i).substring(flag.length() + 1));
      }
      if (cmd.get(i).equals(flag) && i + 1 < cmd.size()) {
        return Optional.of(cmd.get(i + 1));
      }
    }
    return Optional.empty();
  }

  /** Every volume entry of every service, short ("src:dst[:mode]") or long syntax. */
  List<Mount> mounts() {
    List<Mount> out = new ArrayList<>();
    services().forEach((name, s) -> {
      for (JsonNode v : s.path("volumes")) {
        if (v.isTextual()) {
          String[] parts = v.asText().split(":");
          String source = parts[0];
          String target = parts.length > 1 ? parts[1] : parts[0];
          boolean bind = source.startsWith(".") || source.startsWith("/") || source.startsWith("~");
          out.add(new Mount(name, source, target, bind));
        } else {
          String type = v.path("type").asText("volume");
          out.add(new Mount(name, v.path("source").asText(), v.path("target").asText(), type.equals("bind")));
        }
      }
    });
    return out;
  }

  /** The host path of a bind mount, resolved as compose does: relative to the compose file's folder. */
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
