package dev.sluice.server.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.discovery.Service;
import dev.sluice.discovery.ServiceCatalog;
import dev.sluice.discovery.ServiceInstance;
import dev.sluice.server.xds.ProxyRegistry;
import dev.sluice.server.xds.ProxySync;
import dev.sluice.yaml.Finding;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The admin API's JSON documents, built from the running server's state. */
final class AdminJson {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Envoy's type names → the names the API and the CLI use. */
  static final Map<String, String> TYPES =
      Map.of(
          "Listener",
          "listeners",
          "RouteConfiguration",
          "routes",
          "Cluster",
          "clusters",
          "ClusterLoadAssignment",
          "endpoints",
          "Secret",
          "secrets");

  private AdminJson() {}

  static ObjectNode proxies(AdminView server) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode list = root.putArray("proxies");
    root.set("controlChannel", ControlChannelView.json(server));
    for (ProxyRegistry.ProxyState p : server.proxies()) {
      ObjectNode n = list.addObject();
      n.put("node", p.nodeId());
      n.put("group", p.group());
      n.put("credential", p.credential());
      n.put("role", p.role());
      n.put("stream", p.streamId());
      n.put("connectedSince", p.connectedAt().toString());
      ProxySync sync = server.sync(p);
      n.put("state", sync.state().label());
      sync.types().forEach(t -> n.withArray("stateTypes").add(TYPES.getOrDefault(t, t)));
      n.put("inSync", sync.state() == ProxySync.State.IN_SYNC);
      ObjectNode types = n.putObject("types");
      p.types()
          .forEach(
              (type, t) -> {
                ObjectNode tn = types.putObject(TYPES.getOrDefault(type, type));
                tn.put("sent", t.lastSentVersion());
                tn.put("acked", t.ackedVersion());
                tn.put("rejected", t.rejectedVersion());
                tn.put("nack", t.lastError());
                tn.put("pushes", t.pushes());
                tn.put("nacks", t.nacks());
              });
      ArrayNode nacks = n.putArray("nacks");
      p.nacks().forEach(x -> nack(nacks.addObject(), x));
      ArrayNode history = n.putArray("nackHistory");
      for (ProxyRegistry.PastNack x : p.nackHistory()) {
        ObjectNode e = nack(history.addObject(), x.nack());
        e.put("supersededBy", x.supersededBy());
        e.put("supersededAt", x.at().toString());
      }
      p.lastChange()
          .ifPresentOrElse(
              c -> {
                ObjectNode lc = n.putObject("lastChange");
                lc.put("id", c.changeId());
                lc.put("ackedAfterMs", c.after().toMillis());
              },
              () -> n.putNull("lastChange"));
    }
    return root;
  }

  private static ObjectNode nack(ObjectNode e, ProxyRegistry.Nack x) {
    e.put("type", TYPES.getOrDefault(x.type(), x.type()));
    e.put("version", x.version());
    e.put("error", x.error());
    x.policies().forEach(e.putArray("policies")::add);
    e.put("oneOf", x.oneOf());
    e.put("at", x.at().toString());
    return e;
  }

  static ObjectNode catalog(AdminView server) {
    ObjectNode root = JSON.createObjectNode();
    root.put("source", server.registrySource());
    root.put("stale", server.registryStatus().stale());
    ObjectNode services = root.putObject("services");
    ServiceCatalog catalog = server.catalog().orElse(ServiceCatalog.EMPTY);
    for (Service s : catalog.services().values()) {
      ArrayNode instances = services.putArray(s.name());
      for (ServiceInstance i : s.instances()) {
        ObjectNode n = instances.addObject();
        n.put("id", i.id());
        n.put("address", i.address());
        n.put("port", i.port());
        i.tags().forEach(n.putArray("tags")::add);
        n.put("health", i.health().name().toLowerCase(Locale.ROOT));
        n.put("zone", i.zone());
        n.put("weight", i.weight());
      }
    }
    return root;
  }

  static ArrayNode findings(List<Finding> findings) {
    ArrayNode out = JSON.createArrayNode();
    for (Finding f : findings) {
      ObjectNode n = out.addObject();
      n.put("severity", f.severity().label());
      n.put("file", String.valueOf(f.file()));
      n.put("line", f.position().line());
      n.put("column", f.position().column());
      n.put("resource", f.resource());
      n.put("field", f.field());
      n.put("message", f.message());
      n.put("text", f.format());
    }
    return out;
  }
}
