package dev.sluice.server.cli;

import dev.sluice.discovery.CatalogListener;
import dev.sluice.discovery.FileCatalogSource;
import dev.sluice.discovery.ServiceCatalog;
import dev.sluice.discovery.consul.ConsulConfig;
import dev.sluice.discovery.consul.ConsulSource;
import dev.sluice.policy.CrossChecks;
import dev.sluice.policy.PolicyLoader;
import dev.sluice.policy.PolicySet;
import dev.sluice.yaml.Finding;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Reading policies and a registry once, for the offline commands (render, diff). */
final class Inputs {
  /** How long one read of Consul may take. */
  static final Duration CONSUL_TIMEOUT = Duration.ofSeconds(15);

  private static final String CONSUL_LOG_LEVEL =
      "org.slf4j.simpleLogger.log.dev.sluice.discovery.consul";

  private Inputs() {}

  /**
   * The registry as read once.
   *
   * @param catalog empty when the registry file has errors, or when no registry was given
   * @param findings the registry file's errors
   * @param description for output: the file, or Consul's address
   */
  record Registry(Optional<ServiceCatalog> catalog, List<Finding> findings, String description) {
    static final Registry NONE = new Registry(Optional.empty(), List.of(), "no registry");

    boolean hasErrors() {
      return findings.stream().anyMatch(Finding::isError);
    }
  }

  /** The policies of one folder, checked against the registry. */
  record Policies(Optional<PolicySet> set, List<Finding> findings) {
    long errors() {
      return findings.stream().filter(Finding::isError).count();
    }

    long warnings() {
      return findings.size() - errors();
    }
  }

  /**
   * {@code --registry} if given, else {@code services.yaml} next to the policy folder, as validate
   * does.
   */
  static String registryOrSibling(String registry, Path policies) throws CliFailure {
    if (registry != null) {
      return registry;
    }
    Path sibling = policies.toAbsolutePath().normalize().getParent().resolve("services.yaml");
    if (Files.isRegularFile(sibling)) {
      return sibling.toString();
    }
    throw new CliFailure(
        ExitCodes.USAGE, "no --registry given and no services.yaml next to " + policies);
  }

  /**
   * Reads a registry file, or Consul once ({@code
   * consul://host:port[?token-file=F&dc=D&ca-file=F&cert-file=F&key-file=F]}).
   */
  static Registry registry(String spec) throws CliFailure {
    if (!ConsulConfig.isConsul(spec)) {
      Path file = Path.of(spec);
      FileCatalogSource.Result r = FileCatalogSource.read(file);
      return new Registry(r.catalog(), r.findings(), file.toString());
    }
    ConsulConfig config = consulConfig(spec);
    return new Registry(
        Optional.of(readConsul(config, CONSUL_TIMEOUT)), List.of(), config.toString());
  }

  static ConsulConfig consulConfig(String spec) throws CliFailure {
    URI uri;
    try {
      uri = URI.create(spec);
    } catch (IllegalArgumentException e) {
      throw new CliFailure(
          ExitCodes.USAGE, "invalid registry address " + spec + ": " + e.getMessage());
    }
    Map<String, String> params = new TreeMap<>();
    if (uri.getRawQuery() != null) {
      for (String pair : uri.getRawQuery().split("&", 0)) {
        int eq = pair.indexOf('=');
        String key = eq < 0 ? pair : pair.substring(0, eq);
        String value =
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        if (!List.of("token-file", "dc", "ca-file", "cert-file", "key-file").contains(key)) {
          throw new CliFailure(
              ExitCodes.USAGE,
              "unknown parameter '"
                  + key
                  + "' in "
                  + spec.replaceAll("\\?.*", "")
                  + " (known: token-file, dc, ca-file, cert-file, key-file)");
        }
        params.put(key, value);
      }
    }
    String base = spec.contains("?") ? spec.substring(0, spec.indexOf('?')) : spec;
    ConsulConfig config;
    try {
      config = ConsulConfig.of(base);
    } catch (IllegalArgumentException e) {
      throw new CliFailure(ExitCodes.USAGE, e.getMessage());
    }
    Optional<String> token;
    if (params.containsKey("token-file")) {
      try {
        token = Optional.of(Files.readString(Path.of(params.get("token-file"))).strip());
      } catch (IOException e) {
        throw new CliFailure(
            ExitCodes.USAGE,
            "cannot read the Consul token file "
                + params.get("token-file")
                + ": "
                + e.getMessage());
      }
    } else {
      token = Optional.ofNullable(System.getenv("CONSUL_HTTP_TOKEN")).filter(t -> !t.isBlank());
    }
    return config
        .withToken(token)
        .withDatacenter(params.getOrDefault("dc", ""))
        .withTls(
            Optional.ofNullable(params.get("ca-file")).map(Path::of),
            Optional.ofNullable(params.get("cert-file")).map(Path::of),
            Optional.ofNullable(params.get("key-file")).map(Path::of));
  }

  /**
   * One complete read of Consul, by the server's own {@link ConsulSource}: its first catalog comes
   * only once the service list and every service's health have been read (its warm start). Fails at
   * once when Consul cannot be reached or refuses.
   */
  static ServiceCatalog readConsul(ConsulConfig config, Duration timeout) throws CliFailure {
    // The source's warnings ("serving the last known catalog until it returns") are for a server;
    // here a failure is reported once, below.
    if (System.getProperty(CONSUL_LOG_LEVEL) == null) {
      System.setProperty(CONSUL_LOG_LEVEL, "error");
    }
    CompletableFuture<ServiceCatalog> first = new CompletableFuture<>();
    ConsulSource source;
    try {
      source = new ConsulSource(config);
    } catch (IllegalArgumentException e) {
      throw new CliFailure(ExitCodes.USAGE, e.getMessage());
    }
    try (source) {
      source.start(
          new CatalogListener() {
            @Override
            public void onCatalog(ServiceCatalog catalog) {
              first.complete(catalog);
            }

            @Override
            public void onError(List<Finding> problems) {
              // Consul problems show as a stale source, checked below.
            }
          });
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        try {
          return first.get(50, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          var status = source.status();
          if (status.stale() && !status.lastError().isEmpty()) {
            throw new CliFailure(
                ExitCodes.USAGE, "cannot read " + config + ": " + status.lastError());
          }
        } catch (ExecutionException e) {
          throw new CliFailure(ExitCodes.USAGE, "cannot read " + config + ": " + e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new CliFailure(ExitCodes.USAGE, "interrupted while reading " + config);
        }
      }
      throw new CliFailure(
          ExitCodes.USAGE,
          "cannot read " + config + ": no complete answer within " + timeout.toSeconds() + "s");
    }
  }

  /**
   * Loads a policy folder; with a catalog, also warns about routes to services it does not know (as
   * validate does). A registry file among the policies is named as such.
   */
  static Policies policies(Path dir, Registry registry) {
    PolicyLoader.Result loaded = PolicyLoader.load(dir);
    List<Finding> findings = new ArrayList<>(loaded.findings());
    registry
        .catalog()
        .ifPresent(c -> findings.addAll(CrossChecks.againstCatalog(loaded.readable(), c)));
    return new Policies(loaded.policies(), MisplacedRegistry.explain(findings));
  }

  /**
   * Prints findings the way {@code validate} does, with its closing line; returns {@link
   * ExitCodes#INVALID}.
   */
  static int printInvalid(PrintWriter out, List<Finding> findings) {
    List<Finding> sorted = new ArrayList<>(findings);
    sorted.sort(Finding.ORDER);
    sorted.forEach(f -> out.println(f.format()));
    long errors = sorted.stream().filter(Finding::isError).count();
    out.printf(
        "%d error(s), %d warning(s): nothing would be applied%n", errors, sorted.size() - errors);
    out.flush();
    return ExitCodes.INVALID;
  }
}
