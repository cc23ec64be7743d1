package dev.sluice.server.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.server.config.Refusal;
import dev.sluice.server.xds.PropagationTracker;
import java.util.Locale;

/**
 * {@code /changes}: the latest changes with what they came from and how far each got, and the
 * latest refused ones with why. The status page renders this same document.
 */
final class ChangesView {
  private ChangesView() {}

  static ObjectNode json(AdminView server) {
    ObjectNode root = AdminJson.JSON.createObjectNode();
    ArrayNode list = root.putArray("changes");
    for (PropagationTracker.ChangeView c : server.changes()) {
      ObjectNode n = list.addObject();
      n.put("id", c.id());
      n.put("cause", c.cause());
      n.put("detectedAt", c.detectedAt().toString());
      c.sources().forEach(n.putArray("sources")::add);
      ObjectNode groups = n.putObject("groups");
      c.groups().forEach((g, s) -> groups.put(g, s.name().toLowerCase(Locale.ROOT)));
      ObjectNode acked = n.putObject("acceptedAfterMs");
      c.acceptedAfter().forEach((node, d) -> acked.put(node, d.toMillis()));
      c.completedAfter()
          .ifPresentOrElse(
              d -> n.put("completedAfterMs", d.toMillis()), () -> n.putNull("completedAfterMs"));
    }
    ArrayNode refused = root.putArray("refused");
    for (Refusal r : server.refusedChanges()) {
      ObjectNode n = refused.addObject();
      n.put("cause", r.cause());
      n.put("detectedAt", r.detectedAt().toString());
      r.files().forEach(n.putArray("files")::add);
      n.put("firstError", r.firstError());
      n.put("errors", r.errors());
    }
    return root;
  }
}
