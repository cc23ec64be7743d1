package dev.sluice.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.server.render.XdsType;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** A short table of the proxies connected to a running server, from its admin API's {@code /proxies}. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = {"Show each connected Envoy: its group, since when, whether it accepted what it was sent, its NACKs.",
        "Exit codes: 0 every proxy has accepted (ACKed) what it was sent; 3 a proxy is behind or rejected (NACKed) its config;"
            + " 2 the server cannot be reached or refuses."})
final class StatusCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int VERSION_CHARS = 12;

  @Spec
  CommandSpec spec;

  @Option(names = "--server", required = true, paramLabel = "URL", description = "The server's admin API, e.g. http://127.0.0.1:18001.")
  String server;

  @Option(names = "--token-file", paramLabel = "FILE", description = "A file holding the admin API's bearer token.")
  Path tokenFile;

  /** One proxy as this command sees it. */
  record Row(String node, String group, String since, String state, String lastChange, List<String> details) {}

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      AdminClient client = new AdminClient(server, tokenFile);
      String body = client.getOk("/proxies");
      JsonNode root;
      try {
        root = JSON.readTree(body);
      } catch (IOException e) {
        throw new CliFailure(ExitCodes.USAGE, "GET " + client.base() + "/proxies did not answer JSON: " + e.getMessage());
      }
      if (root == null || !root.path("proxies").isArray()) {
        throw new CliFailure(ExitCodes.USAGE, "GET " + client.base() + "/proxies: no \"proxies\" list in the answer");
      }
      List<Row> rows = new ArrayList<>();
      root.path("proxies").forEach(p -> rows.add(row(p)));
      print(out, rows);
      return rows.stream().allMatch(r -> r.state().equals("in sync")) ? ExitCodes.OK : ExitCodes.CHANGES;
    } catch (CliFailure e) {
      err.println("status: " + e.getMessage());
      return e.exitCode;
    } finally {
      out.flush();
      err.flush();
    }
  }

  static Row row(JsonNode p) {
    List<String> behind = new ArrayList<>();
    List<String> nacked = new ArrayList<>();
    List<String> details = new ArrayList<>();
    for (String type : typeOrder(p.path("types"))) {
      JsonNode t = p.path("types").path(type);
      String sent = text(t.path("sent"));
      String acked = text(t.path("acked"));
      if (present(t.path("nack"))) {
        nacked.add(type);
        boolean listed = false;
        for (JsonNode n : p.path("nacks")) {
          listed |= type.equals(n.path("type").asText());
        }
        if (!listed) {
          details.add("NACK of " + type + (t.path("nack").isTextual() ? " version " + shortVersion(t.path("nack").asText()) : ""));
        }
      } else if (!sent.isEmpty() && !sent.equals(acked)) {
        behind.add(type);
        details.add(type + ": sent " + shortVersion(sent) + ", acked " + (acked.isEmpty() ? "nothing yet" : shortVersion(acked)));
      }
    }
    for (JsonNode n : p.path("nacks")) {
      details.add("NACK of " + n.path("type").asText("?") + (present(n.path("version")) ? " version " + shortVersion(text(n.path("version"))) : "")
          + (present(n.path("at")) ? " at " + text(n.path("at")) : "") + ": " + text(n.path("error")));
      for (JsonNode policy : n.path("policies")) {
        details.add("  from " + policy.asText());
      }
    }
    String state = !nacked.isEmpty() ? "NACK (" + String.join(", ", nacked) + ")"
        : !behind.isEmpty() ? "behind (" + String.join(", ", behind) + ")"
        : "in sync";
    JsonNode change = p.path("lastChange");
    String lastChange = "-";
    if (present(change)) {
      lastChange = "#" + text(change.path("id"))
          + (present(change.path("ackedAfterMs")) ? ", acked after " + text(change.path("ackedAfterMs")) + " ms" : ", not acked yet");
    }
    return new Row(text(p.path("node")), text(p.path("group")), text(p.path("connectedSince")), state, lastChange, details);
  }

  /** listeners, routes, clusters, endpoints, secrets first, then any other type the server reports. */
  private static List<String> typeOrder(JsonNode types) {
    List<String> out = new ArrayList<>();
    XdsType.keys().stream().filter(types::has).forEach(out::add);
    for (Iterator<String> it = types.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!out.contains(k)) {
        out.add(k);
      }
    }
    return out;
  }

  static void print(PrintWriter out, List<Row> rows) {
    if (rows.isEmpty()) {
      out.println("no proxies connected");
      return;
    }
    List<String[]> table = new ArrayList<>();
    table.add(new String[] {"NODE", "GROUP", "CONNECTED SINCE", "STATE", "LAST CHANGE"});
    rows.forEach(r -> table.add(new String[] {r.node(), r.group(), r.since(), r.state(), r.lastChange()}));
    int[] width = new int[5];
    table.forEach(cells -> {
      for (int i = 0; i < cells.length; i++) {
        width[i] = Math.max(width[i], cells[i].length());
      }
    });
    for (String[] cells : table) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < cells.length; i++) {
        line.append(i == cells.length - 1 ? cells[i] : String.format("%-" + width[i] + "s  ", cells[i]));
      }
      out.println(line.toString().stripTrailing());
    }
    boolean first = true;
    for (Row r : rows) {
      if (r.details().isEmpty()) {
        continue;
      }
      if (first) {
        out.println();
        first = false;
      }
      out.println(r.node() + ":");
      r.details().forEach(d -> out.println("  " + d));
    }
    out.println();
    long inSync = rows.stream().filter(r -> r.state().equals("in sync")).count();
    long nack = rows.stream().filter(r -> r.state().startsWith("NACK")).count();
    out.printf("%d prox%s: %d in sync, %d behind, %d with a NACK%n", rows.size(), rows.size() == 1 ? "y" : "ies",
        inSync, rows.size() - inSync - nack, nack);
  }

  private static boolean present(JsonNode n) {
    return !n.isMissingNode() && !n.isNull() && !(n.isTextual() && n.asText().isEmpty());
  }

  private static String text(JsonNode n) {
    return present(n) ? n.asText() : "";
  }

  private static String shortVersion(String v) {
    return v.length() <= VERSION_CHARS ? v : v.substring(0, VERSION_CHARS);
  }
}
