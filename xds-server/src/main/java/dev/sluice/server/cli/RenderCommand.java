package dev.sluice.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sluice.policy.sidecar.SidecarSpec;
import dev.sluice.server.render.Rendered;
import dev.sluice.server.render.Renderer;
import dev.sluice.server.xds.ProxyGroups;
import dev.sluice.yaml.Finding;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Prints the xDS resources a proxy group should have, offline: the server's own pipeline (load,
 * compile, translate) on a policy folder and one read of the registry.
 */
@Command(
    name = "render",
    mixinStandardHelpOptions = true,
    description = {
      "Print the Envoy resources (YAML, as in Envoy's config_dump) that a proxy group gets, without a server.",
      "Exit codes: 0 printed; 1 the policies or the registry file have errors (printed as by validate);"
          + " 2 wrong usage, unknown --proxy, or Consul cannot be read.",
      "With --type, the resources of that type are printed as one YAML list."
    })
final class RenderCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin PolicyFolderOption policies;

  @Mixin RegistryOption registry;

  @Mixin ProxySelectionOptions selection;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      Inputs.Registry reg =
          Inputs.registry(Inputs.registryOrSibling(registry.location, policies.folder));
      Inputs.Policies loaded = Inputs.policies(policies.folder, reg);
      List<Finding> findings = new ArrayList<>(reg.findings());
      findings.addAll(loaded.findings());
      if (reg.hasErrors() || loaded.errors() > 0) {
        return Inputs.printInvalid(err, findings);
      }
      findings.sort(Finding.ORDER);
      findings.forEach(f -> err.println(f.format())); // warnings, on stderr so the YAML stays clean
      Map<String, Rendered> groups =
          Renderer.render(reg.catalog().orElseThrow(), loaded.set().orElseThrow());
      if (selection.proxy != null) {
        String group = group(selection.proxy, groups);
        out.print(text(groups.get(group)));
      } else {
        if (groups.isEmpty()) {
          err.println("no Gateway in " + policies.folder + ": nothing to render");
        }
        boolean first = true;
        for (Rendered r : groups.values()) {
          if (!first) {
            out.println("---");
          }
          first = false;
          out.println("# proxy group: " + r.group());
          out.print(text(r));
        }
      }
      return ExitCodes.OK;
    } catch (CliFailure e) {
      err.println("render: " + e.getMessage());
      return e.exitCode;
    } finally {
      out.flush();
      err.flush();
    }
  }

  private String text(Rendered r) {
    return selection.type == null ? r.yaml() : r.yaml(selection.type);
  }

  /** A group name, or an Envoy bootstrap file whose node names one. */
  static String group(String proxy, Map<String, Rendered> groups) throws CliFailure {
    if (groups.containsKey(proxy)) {
      return proxy;
    }
    Optional<String> fromBootstrap = bootstrapGroup(Path.of(proxy));
    if (fromBootstrap.isPresent() && groups.containsKey(fromBootstrap.get())) {
      return fromBootstrap.get();
    }
    String known =
        groups.isEmpty()
            ? "none (the policies have no Gateway)"
            : String.join(", ", groups.keySet());
    throw new CliFailure(
        ExitCodes.USAGE,
        "unknown proxy '"
            + proxy
            + "'"
            + fromBootstrap.map(g -> " (its bootstrap names group '" + g + "')").orElse("")
            + "; known proxy groups: "
            + known
            + ". Offline, name the group (the Gateway, i.e. the node cluster of its Envoys) or give the Envoy's bootstrap file.");
  }

  /**
   * The proxy group of an Envoy bootstrap file (YAML or JSON), by the rules of {@link ProxyGroups}.
   */
  static Optional<String> bootstrapGroup(Path file) {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      JsonNode node = new ObjectMapper(new YAMLFactory()).readTree(file.toFile()).path("node");
      JsonNode metadata = node.path("metadata");
      if (ProxyGroups.SIDECAR_ROLE.equals(metadata.path(ProxyGroups.ROLE_KEY).asText(""))) {
        return Optional.of(SidecarSpec.group(metadata.path(ProxyGroups.SERVICE_KEY).asText("")));
      }
      String gateway = metadata.path(ProxyGroups.METADATA_KEY).asText("");
      String group = gateway.isEmpty() ? node.path("cluster").asText("") : gateway;
      return group.isEmpty() ? Optional.empty() : Optional.of(group);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
