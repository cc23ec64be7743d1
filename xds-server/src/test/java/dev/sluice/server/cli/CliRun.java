package dev.sluice.server.cli;

import dev.sluice.testing.RepoPaths;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/**
 * One run of {@code sluice ...} in this JVM: exit code, standard output, standard error (repository
 * paths made relative).
 */
record CliRun(int exit, String out, String err) {
  static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = SluiceCli.run(new PrintWriter(out), new PrintWriter(err), args);
    String root = RepoPaths.root() + "/";
    return new CliRun(exit, out.toString().replace(root, ""), err.toString().replace(root, ""));
  }

  List<String> outLines() {
    return out.lines().toList();
  }

  List<String> errLines() {
    return err.lines().toList();
  }
}
