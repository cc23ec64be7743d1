package dev.sluice.server.admin;

import dev.sluice.policy.PolicyKinds;
import dev.sluice.policy.PolicyLoader;
import dev.sluice.policy.PolicyResource;
import dev.sluice.policy.PolicySet;
import dev.sluice.yaml.Finding;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Each policy document of the last load: accepted, rejected (its own errors) or valid but not
 * applied (another document has errors, and a change is applied whole or not at all); its
 * findings; and the proxy groups it affects.
 */
final class PolicyStatus {
  enum State {
    ACCEPTED,
    REJECTED,
    NOT_APPLIED
  }

  record Entry(String resource, String file, int line, State state, List<Finding> findings, Set<String> groups) {}

  private PolicyStatus() {}

  static List<Entry> of(PolicyLoader.Result load) {
    PolicySet set = load.readable();
    boolean failed = load.hasErrors();
    Map<String, Entry> out = new LinkedHashMap<>();
    for (PolicyResource r : set.all()) {
      String label = r.label();
      List<Finding> findings = load.findings().stream().filter(f -> label.equals(f.resource())).toList();
      State state = findings.stream().anyMatch(Finding::isError) ? State.REJECTED : failed ? State.NOT_APPLIED : State.ACCEPTED;
      out.put(label, new Entry(label, String.valueOf(r.source().file()), r.source().position().line(), state, findings,
          PolicyKinds.byName(r.kind()).orElseThrow().groupsOf(r, set)));
    }
    // documents so broken that they were not read at all
    for (Finding f : load.findings()) {
      if (f.isError() && f.resource() != null && !f.resource().isEmpty() && !out.containsKey(f.resource())) {
        List<Finding> findings = load.findings().stream().filter(x -> f.resource().equals(x.resource())).toList();
        out.put(f.resource(), new Entry(f.resource(), String.valueOf(f.file()), f.position().line(), State.REJECTED, findings,
            Set.of()));
      }
    }
    return List.copyOf(out.values());
  }
}
