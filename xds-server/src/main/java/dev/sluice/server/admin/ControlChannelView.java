package dev.sluice.server.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.server.xds.Denials;

/**
 * How the control channel is protected, and the streams it refused for their credential: the {@code
 * controlChannel} object of {@code /proxies} and {@code /status}, and its part of the page.
 */
final class ControlChannelView {
  private ControlChannelView() {}

  static ObjectNode json(AdminView server) {
    ObjectNode root = AdminJson.JSON.createObjectNode();
    root.put("security", server.controlChannel());
    root.put("insecure", server.insecureXds());
    ArrayNode refused = root.putArray("refused");
    for (Denials.Denial d : server.refusedProxies()) {
      ObjectNode n = refused.addObject();
      n.put("at", d.at().toString());
      n.put("peer", d.peer());
      n.put("node", d.nodeId());
      n.put("claim", d.claim());
      n.put("credential", d.credential());
      n.put("reason", d.reason());
      n.put("message", d.message());
    }
    return root;
  }

  static void page(StringBuilder h, AdminView server) {
    ObjectNode v = json(server);
    if (v.path("insecure").asBoolean()) {
      h.append(
          "<p class=bad id=insecure-xds>xDS is plaintext or unauthenticated beyond loopback: any client that reaches it can claim"
              + " any proxy's identity (docs/security.md).</p>");
    }
    h.append("<h2 id=refused>Refused proxies (").append(v.path("refused").size()).append(")</h2>");
    h.append("<p>Control channel: ")
        .append(StatusPage.esc(v.path("security").asText()))
        .append("</p>");
    if (v.path("refused").isEmpty()) {
      return;
    }
    h.append(
        "<table><tr><th>at</th><th>from</th><th>node</th><th>claimed</th><th>reason</th></tr>");
    for (var d : v.path("refused")) {
      h.append("<tr class=refused><td>")
          .append(StatusPage.esc(d.path("at").asText()))
          .append("</td><td>")
          .append(StatusPage.esc(d.path("peer").asText()))
          .append("</td><td><code>")
          .append(StatusPage.esc(d.path("node").asText()))
          .append("</code></td><td>")
          .append(StatusPage.esc(d.path("claim").asText()))
          .append("</td><td><span class=bad>")
          .append(StatusPage.esc(d.path("reason").asText()))
          .append("</span> ")
          .append(StatusPage.esc(d.path("message").asText()))
          .append("</td></tr>");
    }
    h.append("</table>");
  }
}
