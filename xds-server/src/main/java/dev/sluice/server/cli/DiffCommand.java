package dev.sluice.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.discovery.ServiceCatalog;
import dev.sluice.server.render.ConfigDiff;
import dev.sluice.server.render.Rendered;
import dev.sluice.server.render.Renderer;
import dev.sluice.server.render.XdsType;
import dev.sluice.yaml.Finding;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A dry run before applying a policy change: the xDS resources that would be added, removed or
 * changed, per proxy group and type, with a unified diff of each changed resource's YAML. Compares
 * two policy folders offline, or a folder with what a running server serves now.
 */
@Command(
    name = "diff",
    mixinStandardHelpOptions = true,
    description = {
      "Show which Envoy resources a policy change adds, removes or changes, with a line diff of each changed one.",
      "  diff --policies OLD_DIR --against NEW_DIR   two folders, offline",
      "  diff --server URL --policies NEW_DIR        what a running server serves now → NEW_DIR",
      "Exit codes: 0 no change; 3 changes; 1 invalid policies (printed as by validate); 2 wrong usage, or the server or Consul"
          + " cannot be reached or refuses."
    })
final class DiffCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;

  @Option(
      names = "--policies",
      required = true,
      paramLabel = "DIR",
      description =
          "With --against: the current (old) policy folder. With --server: the changed (new) policy folder.")
  Path policies;

  @Option(
      names = "--against",
      paramLabel = "NEW_DIR",
      description = "The changed policy folder, compared with --policies.")
  Path against;

  /** With a running server as the old side: its /config/<group> is what it serves now. */
  @ArgGroup(
      exclusive = false,
      multiplicity = "0..1",
      heading = "With a running server as the old side (its /config/<group>):%n")
  AdminConnectionOptions admin;

  @Option(
      names = "--registry",
      paramLabel = "FILE|consul://host:port",
      description = {
        "The registry both sides are compiled with (as for render). Two folders: default services.yaml next to NEW_DIR.",
        "With --server and no --registry, endpoints are not compared (they follow the server's registry, not the policies)."
      })
  String registry;

  @Mixin ProxySelectionOptions selection;

  @Option(names = "--summary", description = "Only name what differs; no line diffs.")
  boolean summary;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      checkUsage();
      Sides sides = onlyProxy(against != null ? twoFolders() : serverAndFolder(err));
      ConfigDiff diff = ConfigDiff.between(sides.before(), sides.after(), types());
      print(out, diff, sides.labelA(), sides.labelB(), summary);
      return diff.isEmpty() ? ExitCodes.OK : ExitCodes.CHANGES;
    } catch (InvalidInput e) {
      return Inputs.printInvalid(err, e.findings);
    } catch (CliFailure e) {
      err.println("diff: " + e.getMessage());
      return e.exitCode;
    } finally {
      out.flush();
      err.flush();
    }
  }

  /** What is compared: the rendered groups of each side, and how each side is named. */
  private record Sides(
      Map<String, Rendered> before, Map<String, Rendered> after, String labelA, String labelB) {}

  /** Policies or a registry with errors: printed as by validate, nothing is compared. */
  private static final class InvalidInput extends Exception {
    final List<Finding> findings;

    InvalidInput(List<Finding> findings) {
      super(null, null, false, false);
      this.findings = findings;
    }
  }

  private void checkUsage() throws CliFailure {
    if ((against == null) == (admin == null)) {
      throw new CliFailure(
          ExitCodes.USAGE,
          "give either --against NEW_DIR (compare two policy folders) or --server URL (compare with a running server)");
    }
  }

  /**
   * Endpoints are left out against a server without --registry: the server's registry decides them.
   */
  private Set<XdsType> types() {
    XdsType type = selection.type;
    Set<XdsType> types = type == null ? EnumSet.allOf(XdsType.class) : EnumSet.of(type);
    if (admin != null && registry == null) {
      types.remove(XdsType.ENDPOINTS);
    }
    return types;
  }

  /** {@code --policies} and {@code --against}, both compiled with the same registry. */
  private Sides twoFolders() throws CliFailure, InvalidInput {
    Inputs.Registry reg = Inputs.registry(Inputs.registryOrSibling(registry, against));
    if (reg.hasErrors()) {
      throw new InvalidInput(reg.findings());
    }
    Inputs.Policies old = Inputs.policies(policies, reg);
    Inputs.Policies now = Inputs.policies(against, reg);
    List<Finding> invalid = new ArrayList<>();
    if (old.errors() > 0) {
      invalid.addAll(old.findings());
    }
    if (now.errors() > 0) {
      invalid.addAll(now.findings());
    }
    if (!invalid.isEmpty()) {
      throw new InvalidInput(invalid);
    }
    ServiceCatalog catalog = reg.catalog().orElseThrow();
    String registryLabel = " (registry " + reg.description() + ")";
    return new Sides(
        normalized(Renderer.render(catalog, old.set().orElseThrow())),
        normalized(Renderer.render(catalog, now.set().orElseThrow())),
        "policies " + policies + registryLabel,
        "policies " + against + registryLabel);
  }

  /** What {@code --server} serves now, against {@code --policies}. */
  private Sides serverAndFolder(PrintWriter err) throws CliFailure, InvalidInput {
    Inputs.Registry reg = registry == null ? Inputs.Registry.NONE : Inputs.registry(registry);
    Inputs.Policies now = Inputs.policies(policies, reg);
    if (reg.hasErrors() || now.errors() > 0) {
      List<Finding> findings = new ArrayList<>(reg.findings());
      findings.addAll(now.findings());
      throw new InvalidInput(findings);
    }
    if (registry == null) {
      withoutEndpoints(err);
    }
    Map<String, Rendered> after =
        normalized(
            Renderer.render(reg.catalog().orElse(ServiceCatalog.EMPTY), now.set().orElseThrow()));
    AdminClient client = new AdminClient(admin.server, admin.tokenFile);
    return new Sides(
        served(client, groups(client, after)),
        after,
        "server " + client.base(),
        "policies " + policies + (registry == null ? "" : " (registry " + reg.description() + ")"));
  }

  private void withoutEndpoints(PrintWriter err) throws CliFailure {
    if (selection.type == XdsType.ENDPOINTS) {
      throw new CliFailure(ExitCodes.USAGE, "--type endpoints against a server needs --registry");
    }
    err.println(
        "note: endpoints are not compared: no --registry given (endpoints follow the server's registry, not the policies)");
  }

  /** The groups to fetch from the server: --proxy, or every group of either side. */
  private Set<String> groups(AdminClient client, Map<String, Rendered> after) throws CliFailure {
    Set<String> groups = new TreeSet<>();
    if (selection.proxy != null) {
      groups.add(proxyGroup());
    } else {
      groups.addAll(after.keySet());
      groups.addAll(connectedGroups(client));
    }
    return groups;
  }

  /**
   * The config the server serves to each of {@code groups}; a group it does not have is left out.
   */
  private static Map<String, Rendered> served(AdminClient client, Set<String> groups)
      throws CliFailure {
    Map<String, Rendered> served = new TreeMap<>();
    for (String g : groups) {
      String path = "/config/" + AdminClient.segment(g);
      AdminClient.Response r = client.get(path);
      if (r.status() == 404) {
        continue; // the server has no such group
      }
      if (r.status() != 200) {
        throw client.refused(path, r);
      }
      try {
        served.put(g, Renderer.asOfflineRender(Rendered.parse(g, r.body())));
      } catch (IllegalArgumentException e) {
        throw new CliFailure(
            ExitCodes.USAGE,
            "GET "
                + client.base()
                + path
                + " did not answer in render's format: "
                + e.getMessage());
      }
    }
    return served;
  }

  /**
   * The group {@code --proxy} names: the group itself, or the one an Envoy bootstrap file's node
   * names (as for render).
   */
  private String proxyGroup() {
    Path file = Path.of(selection.proxy);
    if (Files.isRegularFile(file)) {
      return RenderCommand.bootstrapGroup(file).orElse(selection.proxy);
    }
    return selection.proxy;
  }

  /** Both sides cut down to {@code --proxy}, which one of them must have. */
  private Sides onlyProxy(Sides sides) throws CliFailure {
    if (selection.proxy == null) {
      return sides;
    }
    String proxy = proxyGroup();
    if (!sides.before().containsKey(proxy) && !sides.after().containsKey(proxy)) {
      Set<String> known = new TreeSet<>(sides.before().keySet());
      known.addAll(sides.after().keySet());
      throw new CliFailure(
          ExitCodes.USAGE,
          "unknown proxy group '"
              + proxy
              + "'; known proxy groups: "
              + (known.isEmpty() ? "none" : String.join(", ", known)));
    }
    sides.before().keySet().retainAll(Set.of(proxy));
    sides.after().keySet().retainAll(Set.of(proxy));
    return sides;
  }

  /**
   * Through the text form, so both sides of a comparison are read the same way (a server's side
   * arrives as text).
   */
  private static Map<String, Rendered> normalized(Map<String, Rendered> groups) {
    Map<String, Rendered> out = new TreeMap<>();
    groups.forEach((g, r) -> out.put(g, Rendered.parse(g, r.yaml())));
    return out;
  }

  /**
   * The groups of the proxies connected to the server, so a group gone from the policies is
   * compared too; best effort.
   */
  private static Set<String> connectedGroups(AdminClient client) throws CliFailure {
    AdminClient.Response r = client.get("/proxies");
    if (r.status() == 401 || r.status() == 403) {
      throw client.refused("/proxies", r);
    }
    Set<String> groups = new TreeSet<>();
    if (r.status() == 200) {
      try {
        for (JsonNode p : JSON.readTree(r.body()).path("proxies")) {
          String g = p.path("group").asText("");
          if (!g.isEmpty()) {
            groups.add(g);
          }
        }
      } catch (IOException e) {
        // not JSON: compare the groups of the policies only
      }
    }
    return groups;
  }

  static void print(
      PrintWriter out, ConfigDiff diff, String labelA, String labelB, boolean summaryOnly) {
    out.println("a: " + labelA);
    out.println("b: " + labelB);
    for (ConfigDiff.Change c : diff.changes()) {
      String path = c.group() + "/" + c.type().key() + "/" + c.name();
      if (!summaryOnly) {
        out.println();
      }
      out.println(
          c.group()
              + " "
              + c.type().key()
              + "/"
              + c.name()
              + ": "
              + c.kind().label()
              + (c.details().isEmpty() ? "" : " (" + String.join("; ", c.details()) + ")"));
      if (summaryOnly) {
        continue;
      }
      out.println(c.kind() == ConfigDiff.Kind.ADDED ? "--- /dev/null" : "--- a/" + path);
      out.println(c.kind() == ConfigDiff.Kind.REMOVED ? "+++ /dev/null" : "+++ b/" + path);
      out.print(c.unified());
    }
    out.println();
    if (diff.isEmpty()) {
      out.println("no changes");
      return;
    }
    // group → type → kind → names
    Map<String, Map<XdsType, Map<ConfigDiff.Kind, List<String>>>> table = new TreeMap<>();
    for (ConfigDiff.Change c : diff.changes()) {
      table
          .computeIfAbsent(c.group(), g -> new TreeMap<>())
          .computeIfAbsent(c.type(), t -> new LinkedHashMap<>())
          .computeIfAbsent(c.kind(), k -> new ArrayList<>())
          .add(c.name());
    }
    out.println("summary:");
    table.forEach(
        (group, types) ->
            types.forEach(
                (t, kinds) ->
                    out.println(
                        "  "
                            + group
                            + " "
                            + t.key()
                            + ": "
                            + Arrays.stream(ConfigDiff.Kind.values())
                                .filter(kinds::containsKey)
                                .map(
                                    k ->
                                        kinds.get(k).size()
                                            + " "
                                            + k.label()
                                            + " ("
                                            + names(kinds.get(k))
                                            + ")")
                                .collect(Collectors.joining(", ")))));
    long groups = table.size();
    out.printf("%d resource(s) differ in %d proxy group(s)%n", diff.changes().size(), groups);
  }

  private static String names(List<String> names) {
    return names.size() <= 5
        ? String.join(", ", names)
        : String.join(", ", names.subList(0, 5)) + ", … " + (names.size() - 5) + " more";
  }
}
