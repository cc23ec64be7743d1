package dev.sluice.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.server.SluiceServer;
import java.time.Instant;

/**
 * The admin port's status page: proxies and their sync state and NACKs, recent changes with
 * propagation times, and policies with their state. Server-rendered HTML from the same JSON the
 * API serves, no script and no external asset, so it works offline and in any browser; it
 * reloads itself every 5 seconds.
 */
final class StatusPage {
  private StatusPage() {}

  static String render(SluiceServer server) {
    StringBuilder h = new StringBuilder(8192);
    h.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"5\">")
        .append("<title>Sluice status</title><style>")
        .append("body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}")
        .append("table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}")
        .append("th{background:#f4f4f4}.ok{color:#17732b;font-weight:600}.bad{color:#b00020;font-weight:600}.warn{color:#9a6700}")
        .append("code{font-size:12px}.err{font-family:monospace;font-size:12px;color:#b00020;white-space:pre-wrap}")
        .append("</style></head><body>");
    h.append("<h1>Sluice</h1><p>").append(server.ready() ? "<span class=ok>ready</span>" : "<span class=bad>not ready</span>")
        .append(" · registry ").append(esc(server.registry() == null ? "starting" : server.registry().describe()))
        .append(server.registry() != null && server.registry().status().stale() ? " <span class=bad>(stale)</span>" : "")
        .append(" · ").append(esc(Instant.now().toString())).append("</p>");
    proxies(h, AdminJson.proxies(server).get("proxies"));
    ControlChannelView.page(h, server);
    changes(h, AdminJson.changes(server).get("changes"));
    policies(h, AdminJson.policies(server));
    h.append("<p>JSON: <a href=\"/proxies\">/proxies</a> · <a href=\"/changes\">/changes</a> · <a href=\"/policies\">/policies</a>")
        .append(" · <a href=\"/catalog\">/catalog</a> · <a href=\"/metrics\">/metrics</a></p></body></html>");
    return h.toString();
  }

  private static void proxies(StringBuilder h, JsonNode proxies) {
    h.append("<h2 id=proxies>Proxies (").append(proxies.size()).append(")</h2>");
    if (proxies.isEmpty()) {
      h.append("<p>No Envoy is connected.</p>");
      return;
    }
    h.append("<table><tr><th>node</th><th>group</th><th>credential</th><th>role</th><th>connected since</th><th>state</th><th>last change</th><th>NACKs</th></tr>");
    for (JsonNode p : proxies) {
      String state = p.path("state").asText();
      h.append("<tr class=proxy data-node=\"").append(esc(p.path("node").asText())).append("\"><td><code>")
          .append(esc(p.path("node").asText())).append("</code></td><td>").append(esc(p.path("group").asText()))
          .append("</td><td>").append(esc(p.path("credential").asText()))
          .append("</td><td>").append(esc(p.path("role").asText())).append("</td><td>")
          .append(esc(p.path("connectedSince").asText())).append("</td><td><span class=")
          .append(state.equals("in sync") ? "ok" : state.equals("rejected") ? "bad" : "warn").append(" data-state=\"")
          .append(esc(state)).append("\">").append(esc(state));
      if (!p.path("stateTypes").isEmpty()) {
        java.util.List<String> types = new java.util.ArrayList<>();
        p.path("stateTypes").forEach(t -> types.add(t.asText()));
        h.append(" (").append(esc(String.join(", ", types))).append(')');
      }
      h.append("</span></td><td>");
      JsonNode lc = p.path("lastChange");
      if (!lc.isNull() && !lc.isMissingNode()) {
        h.append('#').append(lc.path("id").asLong()).append(" in ").append(lc.path("ackedAfterMs").asLong()).append(" ms");
      }
      h.append("</td><td>");
      for (JsonNode n : p.path("nacks")) {
        h.append("<div class=nack><b>").append(esc(n.path("type").asText())).append("</b> ")
            .append(esc(n.path("at").asText())).append("<div class=err>").append(esc(n.path("error").asText())).append("</div>");
        nackPolicies(h, n);
        h.append("</div>");
      }
      JsonNode history = p.path("nackHistory");
      if (!history.isEmpty()) {
        // superseded NACKs: kept for the record, not shown as a current fault
        h.append("<details class=history><summary>").append(history.size()).append(" earlier NACK")
            .append(history.size() == 1 ? "" : "s").append(", superseded</summary>");
        for (JsonNode n : history) {
          h.append("<div class=past><b>").append(esc(n.path("type").asText())).append("</b> ")
              .append(esc(n.path("at").asText())).append(": ").append(esc(n.path("error").asText()))
              .append(" <i>(superseded: ").append(esc(n.path("supersededBy").asText())).append(")</i>");
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

  private static void changes(StringBuilder h, JsonNode changes) {
    h.append("<h2 id=changes>Recent changes</h2>");
    if (changes.isEmpty()) {
      h.append("<p>None yet.</p>");
      return;
    }
    h.append("<table><tr><th>#</th><th>cause</th><th>seen at</th><th>groups</th><th>all accepted after</th></tr>");
    int shown = 0;
    for (JsonNode c : changes) {
      if (shown++ == 15) {
        break;
      }
      h.append("<tr><td>").append(c.path("id").asLong()).append("</td><td>").append(esc(c.path("cause").asText()))
          .append("</td><td>").append(esc(c.path("detectedAt").asText())).append("</td><td>");
      c.path("groups").fields().forEachRemaining(e -> h.append(esc(e.getKey())).append(": ").append(esc(e.getValue().asText())).append(' '));
      if (c.path("groups").isEmpty()) {
        h.append("no proxy config changed");
      }
      h.append("</td><td>").append(c.path("completedAfterMs").isNull() ? "<span class=warn>waiting</span>"
          : c.path("completedAfterMs").asLong() + " ms").append("</td></tr>");
    }
    h.append("</table>");
  }

  private static void policies(StringBuilder h, JsonNode root) {
    JsonNode list = root.path("policies");
    h.append("<h2 id=policies>Policies (last load: ").append(esc(root.path("lastLoad").asText())).append(")</h2>");
    h.append("<table><tr><th>resource</th><th>where</th><th>state</th><th>groups</th><th>findings</th></tr>");
    for (JsonNode p : list) {
      String state = p.path("state").asText();
      h.append("<tr><td><code>").append(esc(p.path("resource").asText())).append("</code></td><td>")
          .append(esc(p.path("file").asText())).append(':').append(p.path("line").asInt()).append("</td><td><span class=")
          .append(state.equals("accepted") ? "ok" : "bad").append('>').append(esc(state)).append("</span></td><td>");
      p.path("groups").forEach(g -> h.append(esc(g.asText())).append(' '));
      h.append("</td><td>");
      p.path("findings").forEach(f -> h.append("<div class=err>").append(esc(f.asText())).append("</div>"));
      h.append("</td></tr>");
    }
    h.append("</table>");
  }

  static String esc(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
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
