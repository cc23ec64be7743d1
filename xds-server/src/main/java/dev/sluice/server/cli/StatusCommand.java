package dev.sluice.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The server's word on each connected proxy, from its admin API's {@code /status}: the state the
 * server computes (the same the page and {@code /proxies} show), a first line a deploy step can
 * read, and an exit code it can act on.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Show each connected Envoy: its group, since when, its state (in sync, catching up, rejected,"
          + " not configured), its NACKs; the first line says whether all is well.",
      "Exit codes: 0 every proxy is in sync and the last change was accepted; 3 a proxy is catching up or not configured;"
          + " 4 the last policy or registry change was refused (the previous config keeps serving);"
          + " 5 a proxy rejects (NACKs) its config; 2 the server cannot be reached or refuses."
    })
final class StatusCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int VERSION_CHARS = 12;
  static final String IN_SYNC = "in sync";
  static final String REJECTED = "rejected";

  @Spec CommandSpec spec;

  @Mixin AdminConnectionOptions admin;

  /** One proxy as this command sees it; {@code state} is the server's. */
  record Row(
      String node,
      String group,
      String since,
      String state,
      String shownState,
      String lastChange,
      List<String> details) {}

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      AdminClient client = new AdminClient(admin.server, admin.tokenFile);
      String body = client.getOk("/status");
      JsonNode root;
      try {
        root = JSON.readTree(body);
      } catch (IOException e) {
        throw new CliFailure(
            ExitCodes.USAGE,
            "GET " + client.base() + "/status did not answer JSON: " + e.getMessage());
      }
      if (root == null || !root.path("proxies").isArray()) {
        throw new CliFailure(
            ExitCodes.USAGE, "GET " + client.base() + "/status: no \"proxies\" list in the answer");
      }
      List<Row> rows = new ArrayList<>();
      root.path("proxies").forEach(p -> rows.add(row(p)));
      Verdict verdict = verdict(root, rows);
      out.println(verdict.line());
      print(out, rows);
      return verdict.exit();
    } catch (CliFailure e) {
      err.println("status: " + e.getMessage());
      return e.exitCode;
    } finally {
      out.flush();
      err.flush();
    }
  }

  /** The first line and the exit code. */
  record Verdict(String line, int exit) {}

  static Verdict verdict(JsonNode status, List<Row> rows) {
    for (String source : List.of("policy", "registry")) {
      List<String> errors = new ArrayList<>();
      status
          .path(source + "Findings")
          .forEach(
              f -> {
                if ("error".equals(f.path("severity").asText())) {
                  errors.add(f.path("text").asText());
                }
              });
      if (!errors.isEmpty()) {
        long kept = status.path("servingChange").asLong(-1);
        return new Verdict(
            "refused: the last "
                + source
                + " change was refused ("
                + errors.get(0)
                + (errors.size() > 1 ? " … and " + (errors.size() - 1) + " more" : "")
                + "); "
                + (kept > 0 ? "Envoys keep change #" + kept : "the previous config keeps serving"),
            ExitCodes.REFUSED);
      }
    }
    long rejected = rows.stream().filter(r -> r.state().equals(REJECTED)).count();
    long inSync = rows.stream().filter(r -> r.state().equals(IN_SYNC)).count();
    if (rejected > 0) {
      return new Verdict(
          "rejected: "
              + proxies(rejected)
              + (rejected == 1 ? " rejects its" : " reject their")
              + " config (NACK)",
          ExitCodes.REJECTED);
    }
    if (inSync < rows.size()) {
      return new Verdict(
          "behind: "
              + proxies(rows.size() - inSync)
              + " not in sync ("
              + String.join(
                  ", ",
                  rows.stream()
                      .filter(r -> !r.state().equals(IN_SYNC))
                      .map(Row::state)
                      .distinct()
                      .toList())
              + ")",
          ExitCodes.CHANGES);
    }
    return new Verdict(
        rows.isEmpty() ? "ok: no proxies connected" : "ok: " + proxies(inSync) + " in sync",
        ExitCodes.OK);
  }

  private static String proxies(long n) {
    return n + (n == 1 ? " proxy" : " proxies");
  }

  static Row row(JsonNode p) {
    List<String> details = new ArrayList<>();
    String state =
        present(p.path("state")) ? p.path("state").asText() : "unknown (the server does not say)";
    List<String> types = new ArrayList<>();
    p.path("stateTypes").forEach(t -> types.add(t.asText()));
    if (!state.equals(REJECTED)) {
      for (String type : types) {
        JsonNode t = p.path("types").path(type);
        String acked = text(t.path("acked"));
        details.add(
            type
                + ": sent "
                + (present(t.path("sent")) ? shortVersion(text(t.path("sent"))) : "nothing yet")
                + ", acked "
                + (acked.isEmpty() ? "nothing yet" : shortVersion(acked)));
      }
    }
    for (JsonNode n : p.path("nacks")) {
      details.add(
          "NACK of "
              + n.path("type").asText("?")
              + (present(n.path("version"))
                  ? " version " + shortVersion(text(n.path("version")))
                  : "")
              + (present(n.path("at")) ? " at " + text(n.path("at")) : "")
              + ": "
              + text(n.path("error")));
      if (n.path("oneOf").asBoolean() && n.path("policies").size() > 1) {
        details.add("  from one of:");
        n.path("policies").forEach(policy -> details.add("    " + policy.asText()));
      } else {
        n.path("policies").forEach(policy -> details.add("  from " + policy.asText()));
      }
    }
    for (JsonNode n : p.path("nackHistory")) {
      details.add(
          "earlier NACK of "
              + n.path("type").asText("?")
              + (present(n.path("at")) ? " at " + text(n.path("at")) : "")
              + ", superseded: "
              + text(n.path("supersededBy")));
    }
    JsonNode change = p.path("lastChange");
    String lastChange = "-";
    if (present(change)) {
      lastChange =
          "#"
              + text(change.path("id"))
              + (present(change.path("ackedAfterMs"))
                  ? ", acked after " + text(change.path("ackedAfterMs")) + " ms"
                  : ", not acked yet");
    }
    String shown = types.isEmpty() ? state : state + " (" + String.join(", ", types) + ")";
    return new Row(
        text(p.path("node")),
        text(p.path("group")),
        text(p.path("connectedSince")),
        state,
        shown,
        lastChange.equals("-") ? null : lastChange,
        details);
  }

  static void print(PrintWriter out, List<Row> rows) {
    if (rows.isEmpty()) {
      return;
    }
    List<String[]> table = new ArrayList<>();
    table.add(new String[] {"NODE", "GROUP", "CONNECTED SINCE", "STATE", "LAST CHANGE"});
    rows.forEach(
        r ->
            table.add(
                new String[] {
                  r.node(),
                  r.group(),
                  r.since(),
                  r.shownState(),
                  r.lastChange() == null ? "-" : r.lastChange()
                }));
    int[] width = new int[5];
    table.forEach(
        cells -> {
          for (int i = 0; i < cells.length; i++) {
            width[i] = Math.max(width[i], cells[i].length());
          }
        });
    for (String[] cells : table) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < cells.length; i++) {
        line.append(
            i == cells.length - 1 ? cells[i] : String.format("%-" + width[i] + "s  ", cells[i]));
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
    long inSync = rows.stream().filter(r -> r.state().equals(IN_SYNC)).count();
    long rejected = rows.stream().filter(r -> r.state().equals(REJECTED)).count();
    out.printf(
        "%d prox%s: %d in sync, %d rejected, %d not in sync yet%n",
        rows.size(),
        rows.size() == 1 ? "y" : "ies",
        inSync,
        rejected,
        rows.size() - inSync - rejected);
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
