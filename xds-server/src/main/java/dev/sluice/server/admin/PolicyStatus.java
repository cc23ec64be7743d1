package dev.sluice.server.admin;

import dev.sluice.policy.PolicyKinds;
import dev.sluice.policy.PolicyLoader;
import dev.sluice.policy.PolicyResource;
import dev.sluice.policy.PolicySet;
import dev.sluice.yaml.Finding;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The state of each policy document, the one definition that {@code /policies} and the status page
 * show: whether what the file says is what the Envoys run, and if not, why. A file that could not
 * be read as YAML is a row of its own.
 */
final class PolicyStatus {
  enum State {
    /** What the file says is what the Envoys were sent. */
    SERVING("serving", "what the Envoys run"),
    /** The latest edit was refused; the last good version of the document keeps serving. */
    SERVING_LAST_GOOD(
        "serving-last-good", "the latest edit was refused; the last good version keeps serving"),
    /** The document's own errors; when it had a good version before, that one keeps serving. */
    REJECTED("rejected", "its own errors, listed"),
    /** Valid, new, and not applied: another document's errors refused the whole change. */
    NOT_APPLIED("not-applied", "valid, but the change that adds it was refused"),
    /** Serving, and an Envoy refused (NACKed) the config it produced. */
    REJECTED_BY_ENVOY("rejected-by-envoy", "an Envoy refused the config it produced");

    final String json;
    final String meaning;

    State(String json, String meaning) {
      this.json = json;
      this.meaning = meaning;
    }
  }

  /**
   * @param resource {@code Kind/name}, or the file's path for a file that could not be read
   * @param envoyErrors the NACKs that name this document, current ones only
   */
  record Entry(
      String resource,
      String file,
      int line,
      State state,
      List<Finding> findings,
      Set<String> groups,
      List<String> envoyErrors) {}

  /**
   * What the entries are computed from.
   *
   * @param serving the policies of the running config; empty before the first accepted load
   * @param catalogWarnings findings about the registry (a route to a service it does not know)
   * @param envoyRejections {@code Kind/name} → the current NACKs that name it
   */
  record Inputs(
      PolicyLoader.Result load,
      Optional<PolicySet> serving,
      List<Finding> catalogWarnings,
      Map<String, List<String>> envoyRejections) {}

  private PolicyStatus() {}

  static List<Entry> of(PolicyLoader.Result load) {
    return of(new Inputs(load, load.policies(), List.of(), Map.of()));
  }

  static List<Entry> of(Inputs in) {
    List<Finding> findings = new ArrayList<>(in.load().findings());
    in.catalogWarnings().stream().filter(w -> !findings.contains(w)).forEach(findings::add);
    Map<String, Entry> out = new LinkedHashMap<>();
    unreadableFiles(findings).forEach(e -> out.put(e.resource(), e));
    Map<String, PolicyResource> served =
        byLabel(in.serving().map(PolicySet::all).orElse(List.of()));
    PolicySet read = in.load().readable();
    boolean refused = in.load().hasErrors();
    for (PolicyResource r : read.all()) {
      List<Finding> own = about(r.label(), findings);
      List<String> nacks = in.envoyRejections().getOrDefault(r.label(), List.of());
      State state =
          own.stream().anyMatch(Finding::isError)
              ? State.REJECTED
              : !refused || r.equals(served.get(r.label()))
                  ? (nacks.isEmpty() ? State.SERVING : State.REJECTED_BY_ENVOY)
                  : served.containsKey(r.label()) ? State.SERVING_LAST_GOOD : State.NOT_APPLIED;
      out.put(r.label(), entry(r, state, own, groups(r, read), nacks));
    }
    brokenDocuments(findings, out);
    if (refused) {
      // removed, or unreadable, in the refused load: the running config still has them
      served.values().stream()
          .filter(r -> !out.containsKey(r.label()))
          .forEach(
              r ->
                  out.put(
                      r.label(),
                      entry(
                          r,
                          State.SERVING_LAST_GOOD,
                          List.of(),
                          groups(r, in.serving().get()),
                          in.envoyRejections().getOrDefault(r.label(), List.of()))));
    }
    return List.copyOf(out.values());
  }

  /** A file with errors that belong to no document: it could not be read, or is not YAML. */
  private static List<Entry> unreadableFiles(List<Finding> findings) {
    Map<Path, List<Finding>> byFile = new LinkedHashMap<>();
    findings.stream()
        .filter(f -> f.isError() && unattributed(f) && f.file() != null)
        .forEach(f -> byFile.computeIfAbsent(f.file(), k -> new ArrayList<>()).add(f));
    List<Entry> out = new ArrayList<>();
    byFile.forEach(
        (file, fs) ->
            out.add(
                new Entry(
                    file.toString(),
                    file.toString(),
                    fs.get(0).position().line(),
                    State.REJECTED,
                    List.copyOf(fs),
                    Set.of(),
                    List.of())));
    return out;
  }

  /** Documents so broken that they were not read at all. */
  private static void brokenDocuments(List<Finding> findings, Map<String, Entry> out) {
    for (Finding f : findings) {
      if (f.isError() && !unattributed(f) && !out.containsKey(f.resource())) {
        out.put(
            f.resource(),
            new Entry(
                f.resource(),
                String.valueOf(f.file()),
                f.position().line(),
                State.REJECTED,
                about(f.resource(), findings),
                Set.of(),
                List.of()));
      }
    }
  }

  private static boolean unattributed(Finding f) {
    return f.resource() == null || f.resource().isEmpty();
  }

  private static List<Finding> about(String label, List<Finding> findings) {
    return findings.stream().filter(f -> label.equals(f.resource())).toList();
  }

  private static Entry entry(
      PolicyResource r,
      State state,
      List<Finding> findings,
      Set<String> groups,
      List<String> nacks) {
    return new Entry(
        r.label(),
        String.valueOf(r.source().file()),
        r.source().position().line(),
        state,
        findings,
        groups,
        nacks);
  }

  private static Set<String> groups(PolicyResource r, PolicySet set) {
    return PolicyKinds.byName(r.kind()).orElseThrow().groupsOf(r, set);
  }

  private static Map<String, PolicyResource> byLabel(List<PolicyResource> specs) {
    Map<String, PolicyResource> out = new LinkedHashMap<>();
    specs.forEach(r -> out.putIfAbsent(r.label(), r));
    return out;
  }
}
