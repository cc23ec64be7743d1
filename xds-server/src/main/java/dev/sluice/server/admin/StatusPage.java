package dev.sluice.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The admin port's status page: proxies and their sync state and NACKs, recent changes with
 * propagation times, and policies with their state. Server-rendered HTML from the same JSON the API
 * serves, no script and no external asset, so it works offline and in any browser; it reloads
 * itself every 5 seconds.
 */
final class StatusPage {
  private static final Map<String, String> STATE_CLASS =
      Map.of(
          "serving",
          "ok",
          "serving-last-good",
          "warn",
          "not-applied",
          "warn",
          "rejected",
          "bad",
          "rejected-by-envoy",
          "bad");
  private static final Map<String, String> STATE_TEXT =
      Map.of(
          "serving",
          "serving",
          "serving-last-good",
          "serving (last good)",
          "not-applied",
          "not applied",
          "rejected",
          "rejected",
          "rejected-by-envoy",
          "rejected by Envoy");

  private static final int CHANGES_SHOWN = 15;
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

  private StatusPage() {}

  static String render(AdminView server) {
    StringBuilder h = new StringBuilder(8192);
    h.append(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"5\">")
        .append("<title>Sluice status</title><style>")
        .append(
            "body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}")
        .append(
            "table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}")
        .append(
            "th{background:#f4f4f4}.ok{color:#17732b;font-weight:600}.bad{color:#b00020;font-weight:600}.warn{color:#9a6700}")
        .append(
            ".banner{border:2px solid #b00020;background:#fff4f4;padding:8px 12px;margin:1em 0}.meaning{font-size:12px;color:#555}")
        .append(
            "code{font-size:12px}.err{font-family:monospace;font-size:12px;color:#b00020;white-space:pre-wrap}")
        .append("</style></head><body>");
    h.append("<h1>Sluice</h1><p>")
        .append(server.ready() ? "<span class=ok>ready</span>" : "<span class=bad>not ready</span>")
        .append(" · registry ")
        .append(esc(server.registrySource()))
        .append(server.registryStatus().stale() ? " <span class=bad>(stale)</span>" : "")
        .append(" · ")
        .append(esc(TIME.format(Instant.now())))
        .append("</p>");
    JsonNode policies = PolicyView.json(server);
    banner(h, policies);
    proxies(h, AdminJson.proxies(server).get("proxies"));
    ControlChannelView.page(h, server);
    changes(h, ChangesView.json(server), Instant.now());
    policies(h, policies);
    h.append(
            "<p>JSON: <a href=\"/proxies\">/proxies</a> · <a href=\"/changes\">/changes</a> · <a href=\"/policies\">/policies</a>")
        .append(
            " · <a href=\"/catalog\">/catalog</a> · <a href=\"/metrics\">/metrics</a></p></body></html>");
    return h.toString();
  }

  private static void proxies(StringBuilder h, JsonNode proxies) {
    h.append("<h2 id=proxies>Proxies (").append(proxies.size()).append(")</h2>");
    if (proxies.isEmpty()) {
      h.append("<p>No Envoy is connected.</p>");
      return;
    }
    h.append(
        "<table><tr><th>node</th><th>group</th><th>credential</th><th>role</th><th>connected since</th><th>state</th><th>last change</th><th>NACKs</th></tr>");
    for (JsonNode p : proxies) {
      String state = p.path("state").asText();
      h.append("<tr class=proxy data-node=\"")
          .append(esc(p.path("node").asText()))
          .append("\"><td><code>")
          .append(esc(p.path("node").asText()))
          .append("</code></td><td>")
          .append(esc(p.path("group").asText()))
          .append("</td><td>")
          .append(esc(p.path("credential").asText()))
          .append("</td><td>")
          .append(esc(p.path("role").asText()))
          .append("</td><td>")
          .append(esc(p.path("connectedSince").asText()))
          .append("</td><td><span class=")
          .append(state.equals("in sync") ? "ok" : state.equals("rejected") ? "bad" : "warn")
          .append(" data-state=\"")
          .append(esc(state))
          .append("\">")
          .append(esc(state));
      if (!p.path("stateTypes").isEmpty()) {
        List<String> types = new ArrayList<>();
        p.path("stateTypes").forEach(t -> types.add(t.asText()));
        h.append(" (").append(esc(String.join(", ", types))).append(')');
      }
      h.append("</span></td><td>");
      JsonNode lc = p.path("lastChange");
      if (!lc.isNull() && !lc.isMissingNode()) {
        h.append('#')
            .append(lc.path("id").asLong())
            .append(" in ")
            .append(lc.path("ackedAfterMs").asLong())
            .append(" ms");
      }
      h.append("</td><td>");
      for (JsonNode n : p.path("nacks")) {
        h.append("<div class=nack><b>")
            .append(esc(n.path("type").asText()))
            .append("</b> ")
            .append(esc(n.path("at").asText()))
            .append("<div class=err>")
            .append(esc(n.path("error").asText()))
            .append("</div>");
        nackPolicies(h, n);
        h.append("</div>");
      }
      JsonNode history = p.path("nackHistory");
      if (!history.isEmpty()) {
        // superseded NACKs: kept for the record, not shown as a current fault
        h.append("<details class=history><summary>")
            .append(history.size())
            .append(" earlier NACK")
            .append(history.size() == 1 ? "" : "s")
            .append(", superseded</summary>");
        for (JsonNode n : history) {
          h.append("<div class=past><b>")
              .append(esc(n.path("type").asText()))
              .append("</b> ")
              .append(esc(n.path("at").asText()))
              .append(": ")
              .append(esc(n.path("error").asText()))
              .append(" <i>(superseded: ")
              .append(esc(n.path("supersededBy").asText()))
              .append(")</i>");
          nackPolicies(h, n);
          h.append("</div>");
        }
        h.append("</details>");
      }
      h.append("</td></tr>");
    }
    h.append("</table>");
  }

  /** The policies behind a NACK; "one of" when Envoy's error could not be narrowed to one. */
  private static void nackPolicies(StringBuilder h, JsonNode nack) {
    if (nack.path("oneOf").asBoolean()) {
      h.append("<div>one of:</div>");
    }
    for (JsonNode pol : nack.path("policies")) {
      h.append("<div><code>").append(esc(pol.asText())).append("</code></div>");
    }
  }

  /**
   * Accepted and refused changes, newest first, to the second with how long ago; what each came
   * from; consecutive changes that touched no proxy's config folded into one row.
   */
  private static void changes(StringBuilder h, JsonNode root, Instant now) {
    h.append("<h2 id=changes>Recent changes</h2>");
    List<JsonNode> rows = new ArrayList<>();
    root.path("changes").forEach(rows::add);
    root.path("refused").forEach(rows::add);
    if (rows.isEmpty()) {
      h.append("<p>None yet.</p>");
      return;
    }
    rows.sort(
        Comparator.comparing((JsonNode c) -> Instant.parse(c.path("detectedAt").asText()))
            .reversed());
    h.append(
        "<table><tr><th>#</th><th>seen</th><th>cause</th><th>from</th><th>groups</th><th>all accepted after</th></tr>");
    int shown = 0;
    for (int i = 0; i < rows.size() && shown < CHANGES_SHOWN; shown++) {
      JsonNode c = rows.get(i);
      if (c.has("firstError")) {
        refusedRow(h, c, now);
        i++;
      } else if (c.path("groups").isEmpty()) {
        int end = i;
        while (end < rows.size()
            && !rows.get(end).has("firstError")
            && rows.get(end).path("groups").isEmpty()) {
          end++;
        }
        noOpRows(h, rows.subList(i, end), now);
        i = end;
      } else {
        changeRow(h, c, now);
        i++;
      }
    }
    h.append("</table>");
  }

  private static void changeRow(StringBuilder h, JsonNode c, Instant now) {
    h.append("<tr class=change><td>")
        .append(c.path("id").asLong())
        .append("</td><td>")
        .append(when(c, now))
        .append("</td><td>")
        .append(esc(c.path("cause").asText()))
        .append("</td><td>");
    c.path("sources").forEach(s -> h.append("<div>").append(esc(s.asText())).append("</div>"));
    h.append("</td><td>");
    c.path("groups")
        .fields()
        .forEachRemaining(
            e ->
                h.append(esc(e.getKey()))
                    .append(": ")
                    .append(esc(e.getValue().asText()))
                    .append(' '));
    h.append("</td><td>")
        .append(
            c.path("completedAfterMs").isNull()
                ? "<span class=warn>waiting</span>"
                : c.path("completedAfterMs").asLong() + " ms")
        .append("</td></tr>");
  }

  private static void refusedRow(StringBuilder h, JsonNode c, Instant now) {
    List<String> files = new ArrayList<>();
    c.path("files").forEach(f -> files.add(f.asText()));
    h.append("<tr class=refused-change><td>—</td><td>")
        .append(when(c, now))
        .append("</td><td>")
        .append(esc(c.path("cause").asText()))
        .append("</td><td>")
        .append(esc(String.join(", ", files)))
        .append("</td><td colspan=2><span class=bad>refused</span> (")
        .append(c.path("errors").asInt())
        .append(c.path("errors").asInt() == 1 ? " error" : " errors")
        .append("; nothing applied)<div class=err>")
        .append(esc(c.path("firstError").asText()))
        .append("</div></td></tr>");
  }

  private static void noOpRows(StringBuilder h, List<JsonNode> folded, Instant now) {
    JsonNode newest = folded.get(0);
    JsonNode oldest = folded.get(folded.size() - 1);
    h.append("<tr class=no-op-changes><td>").append(oldest.path("id").asLong());
    if (folded.size() > 1) {
      h.append("–").append(newest.path("id").asLong());
    }
    h.append("</td><td>")
        .append(when(newest, now))
        .append("</td><td colspan=4>")
        .append(folded.size() == 1 ? "1 change" : folded.size() + " changes")
        .append(" that touched no proxy's config</td></tr>");
  }

  /** The time to the second (UTC) and how long ago. */
  private static String when(JsonNode c, Instant now) {
    Instant at = Instant.parse(c.path("detectedAt").asText());
    long ago = Math.max(0, Duration.between(at, now).toSeconds());
    return esc(TIME.format(at)) + " <span class=ago>(" + ago + " s ago)</span>";
  }

  /** At the top of the page: the last policy change was refused, why, and what keeps serving. */
  private static void banner(StringBuilder h, JsonNode policies) {
    JsonNode refused = policies.path("refused");
    if (refused.isMissingNode()) {
      return;
    }
    List<String> files = new ArrayList<>();
    refused.path("files").forEach(f -> files.add(f.asText()));
    int errors = refused.path("errors").asInt();
    h.append("<div id=policy-refused class=banner><b>The last policy change was refused</b> (")
        .append(errors)
        .append(errors == 1 ? " error" : " errors")
        .append(" in ")
        .append(esc(String.join(", ", files)))
        .append(").<div class=err>")
        .append(esc(refused.path("firstError").asText()))
        .append("</div>")
        .append(
            policies.path("servingChange").isNull()
                ? "No config has been sent to the Envoys yet."
                : "The Envoys keep running change #"
                    + policies.path("servingChange").asLong()
                    + ", the last good one.")
        .append(" <a href=\"#policies\">Every finding</a></div>");
  }

  private static void policies(StringBuilder h, JsonNode root) {
    JsonNode list = root.path("policies");
    h.append("<h2 id=policies>Policies (last load: ")
        .append(esc(root.path("lastLoad").asText()))
        .append(")</h2>");
    root.path("findings")
        .forEach(f -> h.append("<div class=err>").append(esc(f.asText())).append("</div>"));
    h.append(
        "<table><tr><th>resource</th><th>where</th><th>state</th><th>groups</th><th>findings</th></tr>");
    for (JsonNode p : list) {
      String state = p.path("state").asText();
      h.append("<tr class=policy data-resource=\"")
          .append(esc(p.path("resource").asText()))
          .append("\" data-state=\"")
          .append(esc(state))
          .append("\"><td><code>")
          .append(esc(p.path("resource").asText()))
          .append("</code></td><td>")
          .append(esc(p.path("file").asText()))
          .append(':')
          .append(p.path("line").asInt())
          .append("</td><td><span class=")
          .append(STATE_CLASS.getOrDefault(state, "bad"))
          .append('>')
          .append(esc(STATE_TEXT.getOrDefault(state, state)))
          .append("</span><div class=meaning>")
          .append(esc(p.path("meaning").asText()))
          .append("</div></td><td>");
      p.path("groups").forEach(g -> h.append(esc(g.asText())).append(' '));
      h.append("</td><td>");
      p.path("findings")
          .forEach(
              f ->
                  h.append("<div class=")
                      .append(f.asText().startsWith("warning") ? "warn" : "err")
                      .append('>')
                      .append(esc(f.asText()))
                      .append("</div>"));
      p.path("envoyErrors")
          .forEach(
              f -> h.append("<div class=err>Envoy: ").append(esc(f.asText())).append("</div>"));
      h.append("</td></tr>");
    }
    h.append("</table>");
  }

  static String esc(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
