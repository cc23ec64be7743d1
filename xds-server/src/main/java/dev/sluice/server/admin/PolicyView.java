package dev.sluice.server.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.policy.CrossChecks;
import dev.sluice.policy.PolicyLoader;
import dev.sluice.server.xds.ProxyRegistry;
import dev.sluice.yaml.Finding;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /policies}: each document's {@link PolicyStatus}, and when the last load was refused, why
 * and which change the Envoys keep running. The status page renders this same document.
 */
final class PolicyView {
  private PolicyView() {}

  static ObjectNode json(AdminView server) {
    ObjectNode root = AdminJson.JSON.createObjectNode();
    ArrayNode list = root.putArray("policies");
    var load = server.lastPolicyLoad();
    root.put(
        "lastLoad", load.isEmpty() ? "none yet" : load.get().hasErrors() ? "rejected" : "accepted");
    long serving = server.servingChange();
    if (serving > 0) {
      root.put("servingChange", serving);
    } else {
      root.putNull("servingChange");
    }
    if (load.isEmpty()) {
      return root;
    }
    // what is about no one policy (a file too big, unreadable, not YAML, a failed load)
    ArrayNode general = root.putArray("findings");
    load.get().findings().stream()
        .filter(f -> f.resource() == null || f.resource().isEmpty())
        .forEach(f -> general.add(f.format()));
    if (load.get().hasErrors()) {
      refused(root.putObject("refused"), load.get());
    }
    List<ProxyRegistry.ProxyState> proxies = server.proxies();
    var inputs =
        new PolicyStatus.Inputs(
            load.get(),
            server.servingPolicies(),
            catalogWarnings(server, load.get()),
            envoyRejections(proxies));
    for (PolicyStatus.Entry e : PolicyStatus.of(inputs)) {
      ObjectNode n = list.addObject();
      n.put("resource", e.resource());
      n.put("file", e.file());
      n.put("line", e.line());
      n.put("state", e.state().json);
      n.put("meaning", e.state().meaning);
      ArrayNode messages = n.putArray("findings");
      e.findings().forEach(f -> messages.add(f.format()));
      e.envoyErrors().forEach(n.putArray("envoyErrors")::add);
      e.groups().forEach(n.putArray("groups")::add);
      ArrayNode affected = n.putArray("proxies");
      proxies.stream()
          .filter(p -> e.groups().contains(p.group()))
          .forEach(p -> affected.add(p.nodeId()));
    }
    return root;
  }

  /** The files the refused load's errors are in, the first error, and how many there are. */
  private static void refused(ObjectNode n, PolicyLoader.Result load) {
    List<Finding> errors = load.findings().stream().filter(Finding::isError).toList();
    errors.stream().map(f -> String.valueOf(f.file())).distinct().forEach(n.putArray("files")::add);
    n.put("firstError", errors.get(0).format());
    n.put("errors", errors.size());
  }

  /** What the registry says about the policies: routes to services it does not know. */
  private static List<Finding> catalogWarnings(AdminView server, PolicyLoader.Result load) {
    return server
        .catalog()
        .map(c -> CrossChecks.againstCatalog(load.readable(), c))
        .orElse(List.of());
  }

  /**
   * {@code Kind/name} → the NACKs in force that name it (the registry keeps superseded ones apart).
   */
  private static Map<String, List<String>> envoyRejections(List<ProxyRegistry.ProxyState> proxies) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (ProxyRegistry.ProxyState p : proxies) {
      for (ProxyRegistry.Nack n : p.nacks()) {
        for (String origin : n.policies()) {
          int cut = origin.indexOf(" (");
          String label = cut < 0 ? origin : origin.substring(0, cut);
          List<String> errors = out.computeIfAbsent(label, k -> new ArrayList<>());
          String text =
              p.nodeId()
                  + ": "
                  + (n.oneOf()
                      ? "(one of " + n.policies().size() + " policies Envoy's error could name) "
                      : "")
                  + n.error();
          if (!errors.contains(text)) {
            errors.add(text);
          }
        }
      }
    }
    return out;
  }
}
