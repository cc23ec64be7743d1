package dev.sluice.compose;

import dev.sluice.testing.RepoPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The repository's Dockerfile as a list of instructions (continuation lines joined, comments
 * dropped).
 */
final class Dockerfile {
  record Instruction(String keyword, String arguments) {}

  final Path file;
  final List<Instruction> instructions;

  private Dockerfile(Path file, List<Instruction> instructions) {
    this.file = file;
    this.instructions = instructions;
  }

  static Dockerfile load() {
    Path file = RepoPaths.resolve("Dockerfile");
    try {
      return new Dockerfile(file, parse(Files.readAllLines(file)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Instruction> parse(List<String> lines) {
    List<Instruction> out = new ArrayList<>();
    StringBuilder current = null;
    for (String line : lines) {
      String trimmed = line.strip();
      if (trimmed.startsWith("#") || (current == null && trimmed.isEmpty())) {
        continue; // comments may sit inside a continued instruction too
      }
      boolean continues = trimmed.endsWith("\\");
      String part = continues ? trimmed.substring(0, trimmed.length() - 1).strip() : trimmed;
      current = current == null ? new StringBuilder(part) : current.append(' ').append(part);
      if (!continues) {
        String text = current.toString();
        int space = text.indexOf(' ');
        out.add(
            new Instruction(
                text.substring(0, space).toUpperCase(Locale.ROOT),
                text.substring(space + 1).strip()));
        current = null;
      }
    }
    return out;
  }

  List<Instruction> all(String keyword) {
    return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
  }

  /** The image of each FROM, without any {@code AS name}. */
  List<String> baseImages() {
    return all("FROM").stream().map(i -> i.arguments().split("\\s+")[0]).toList();
  }

  /** The shell command of the HEALTHCHECK (after its options and CMD). */
  String healthCheck() {
    List<Instruction> checks = all("HEALTHCHECK");
    if (checks.size() != 1) {
      throw new AssertionError(file + " should have one HEALTHCHECK, has " + checks.size());
    }
    String args = checks.get(0).arguments();
    int cmd = args.indexOf("CMD ");
    if (cmd < 0) {
      throw new AssertionError("HEALTHCHECK without CMD: " + args);
    }
    return args.substring(cmd + 4).strip();
  }
}
