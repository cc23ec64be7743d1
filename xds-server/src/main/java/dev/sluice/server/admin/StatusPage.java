package dev.sluice.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.server.SluiceServer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The admin port's status page: proxies and their sync state and NACKs, recent changes with
 * propagation times, and policies with their state. Server-rendered HTML from the same JSON the
 * API serves, no script and no external asset, so it works offline and in any browser; it
 * reloads itself every 5 seconds.
 */
final class StatusPage {
  private static final Map<String, String> STATE_CLASS = Map.of(
      "serving", "ok", "serving-last-good", "warn", "not-applied", "warn", "rejected", "bad", "rejected-by-envoy", "bad");
  private static final Map<String, String> STATE_TEXT = Map.of(
      "serving", "serving", "serving-last-good", "serving (last good)", "not-applied", "not applied", "rejected", "rejected",
      "rejected-by-envoy", "rejected by Envoy");

  private StatusPage() {}

  static String render(SluiceServer server) {
    StringBuilder h = new StringBuilder(8192);
    h.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"5\">")
        .append("<title>Sluice status</title><style>")
        .append("body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}")
        .append("table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}")
        .append("th{background:#f4f4f4}.ok{color:#17732b;font-weight:600}.bad{color:#b00020;font-weight:600}.warn{color:#9a6700}")
        .append(".banner{border:2px solid #b00020;background:#fff4f4;padding:8px 12px;margin:1em 0}.meaning{font-size:12px;color:#555}")
        .append("code{font-size:12px}.err{font-family:monospace;font-size:12px;color:#b00020;white-space:pre-wrap}")
        .append("</style></head><body>");
    h.append("<h1>Sluice</h1><p>").append(server.ready() ? "<span class=ok>ready</span>" : "<span class=bad>not ready</span>")
        .append(" · registry ").append(esc(server.registry() == null ? "starting" : server.registry().describe()))
        .append(server.registry() != null && server.registry().status().stale() ? " <span class=bad>(stale)</span>" : "")
        .append(" · ").append(esc(Instant.now().toString())).append("</p>");
    JsonNode policies = PolicyView.json(server);
    banner(h, policies);
    proxies(h, AdminJson.proxies(server).get("proxies"));
    ControlChannelView.page(h, server);
    changes(h, AdminJson.changes(server).get("changes"));
    policies(h, policies);
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
      boolean nacked = !p.path("nacks").isEmpty();
      h.append("<tr class=proxy data-node=\"").append(esc(p.path("node").asText())).append("\"><td><code>")
          .append(esc(p.path("node").asText())).append("</code></td><td>").append(esc(p.path("group").asText()))
          .append("</td><td>").append(esc(p.path("credential").asText()))
          .append("</td><td>").append(esc(p.path("role").asText())).append("</td><td>")
          .append(esc(p.path("connectedSince").asText())).append("</td><td>")
          .append(p.path("inSync").asBoolean() ? "<span class=ok>in sync</span>"
              : nacked ? "<span class=bad>rejected config</span>" : "<span class=warn>catching up</span>")
          .append("</td><td>");
      JsonNode lc = p.path("lastChange");
      if (!lc.isNull() && !lc.isMissingNode()) {
        h.append('#').append(lc.path("id").asLong()).append(" in ").append(lc.path("ackedAfterMs").asLong()).append(" ms");
      }
      h.append("</td><td>");
      for (JsonNode n : p.path("nacks")) {
        h.append("<div class=nack><b>").append(esc(n.path("type").asText())).append("</b> ")
            .append(esc(n.path("at").asText())).append("<div class=err>").append(esc(n.path("error").asText())).append("</div>");
        for (JsonNode pol : n.path("policies")) {
          h.append("<div><code>").append(esc(pol.asText())).append("</code></div>");
        }
        h.append("</div>");
      }
      h.append("</td></tr>");
    }
    h.append("</table>");
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

  /** At the top of the page: the last policy change was refused, why, and what keeps serving. */
  private static void banner(StringBuilder h, JsonNode policies) {
    JsonNode refused = policies.path("refused");
    if (refused.isMissingNode()) {
      return;
    }
    List<String> files = new ArrayList<>();
    refused.path("files").forEach(f -> files.add(f.asText()));
    int errors = refused.path("errors").asInt();
    h.append("<div id=policy-refused class=banner><b>The last policy change was refused</b> (").append(errors)
        .append(errors == 1 ? " error" : " errors").append(" in ").append(esc(String.join(", ", files))).append(").<div class=err>")
        .append(esc(refused.path("firstError").asText())).append("</div>")
        .append(policies.path("servingChange").isNull() ? "No config has been sent to the Envoys yet."
            : "The Envoys keep running change #" + policies.path("servingChange").asLong() + ", the last good one.")
        .append(" <a href=\"#policies\">Every finding</a></div>");
  }

  private static void policies(StringBuilder h, JsonNode root) {
    JsonNode list = root.path("policies");
    h.append("<h2 id=policies>Policies (last load: ").append(esc(root.path("lastLoad").asText())).append(")</h2>");
    root.path("findings").forEach(f -> h.append("<div class=err>").append(esc(f.asText())).append("</div>"));
    h.append("<table><tr><th>resource</th><th>where</th><th>state</th><th>groups</th><th>findings</th></tr>");
    for (JsonNode p : list) {
      String state = p.path("state").asText();
      h.append("<tr class=policy data-resource=\"").append(esc(p.path("resource").asText())).append("\" data-state=\"")
          .append(esc(state)).append("\"><td><code>").append(esc(p.path("resource").asText())).append("</code></td><td>")
          .append(esc(p.path("file").asText())).append(':').append(p.path("line").asInt()).append("</td><td><span class=")
          .append(STATE_CLASS.getOrDefault(state, "bad")).append('>').append(esc(STATE_TEXT.getOrDefault(state, state)))
          .append("</span><div class=meaning>").append(esc(p.path("meaning").asText())).append("</div></td><td>");
      p.path("groups").forEach(g -> h.append(esc(g.asText())).append(' '));
      h.append("</td><td>");
      p.path("findings").forEach(f -> h.append("<div class=")
          .append(f.asText().startsWith("warning") ? "warn" : "err").append('>').append(esc(f.asText())).append("</div>"));
      p.path("envoyErrors").forEach(f -> h.append("<div class=err>Envoy: ").append(esc(f.asText())).append("</div>"));
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
