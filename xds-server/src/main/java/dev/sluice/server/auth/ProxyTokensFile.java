package dev.sluice.server.auth;

import dev.sluice.yaml.Diagnostics;
import dev.sluice.yaml.Fields;
import dev.sluice.yaml.Finding;
import dev.sluice.yaml.YamlDocument;
import dev.sluice.yaml.YamlFiles;
import dev.sluice.yaml.YamlNode;
import dev.sluice.yaml.YamlSyntaxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a proxy-token file:
 *
 * <pre>
 * tokens:
 *   - name: edge-2026-12                  # shown in logs and on the status page
 *     hash: sha256:9f86d081884c7d65...    # sluice hash-key --generate
 *     gateways: [edge]
 *   - name: orders
 *     hash: sha256:...
 *     services: [orders]
 * </pre>
 *
 * Only digests are stored, as for Consumers' API keys: the file gives nobody a usable token.
 */
final class ProxyTokensFile {
  /** Bounds of the file (invariant: every input is bounded). */
  static final long MAX_BYTES = 1 << 20;

  static final int MAX_TOKENS = 10_000;
  private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$");
  private static final Pattern HASH = Pattern.compile("^sha256:[0-9a-f]{64}$");
  private static final Set<String> TOKEN_FIELDS = Set.of("name", "hash", "gateways", "services");

  /** The grants by digest ({@code sha256:<hex>}), or the findings that refuse the file. */
  record Result(Map<String, Grant> byHash, List<Finding> errors) {
    boolean ok() {
      return errors.isEmpty();
    }
  }

  private ProxyTokensFile() {}

  static Result read(Path file) {
    Diagnostics d = new Diagnostics();
    try {
      if (Files.size(file) > MAX_BYTES) {
        d.fileError(file, "the proxy-token file is larger than " + MAX_BYTES + " bytes");
        return new Result(Map.of(), d.findings());
      }
      return parse(YamlFiles.read(file), d);
    } catch (YamlSyntaxException e) {
      d.add(e.finding());
    } catch (IOException e) {
      d.fileError(file, "cannot read the proxy-token file: " + e.getClass().getSimpleName());
    }
    return new Result(Map.of(), d.findings());
  }

  static Result parse(List<YamlDocument> docs, Diagnostics d) {
    Map<String, Grant> byHash = new HashMap<>();
    Set<String> names = new HashSet<>();
    for (YamlDocument doc : docs) {
      Fields f = new Fields(d, "");
      YamlNode root = doc.node();
      if (!f.object(root, Set.of("tokens"))) {
        continue;
      }
      YamlNode list = root.get("tokens");
      if (!list.isArray()) {
        f.error(list, "expected a list of tokens, got " + list.typeName());
        continue;
      }
      if (list.elements().size() > MAX_TOKENS) {
        f.error(list, "at most " + MAX_TOKENS + " tokens per file");
        continue;
      }
      for (YamlNode t : list.elements()) {
        token(t, f, byHash, names);
      }
    }
    List<Finding> errors = d.findings().stream().filter(Finding::isError).toList();
    return new Result(errors.isEmpty() ? Map.copyOf(byHash) : Map.of(), errors);
  }

  private static void token(YamlNode t, Fields f, Map<String, Grant> byHash, Set<String> names) {
    if (!f.object(t, TOKEN_FIELDS)) {
      return;
    }
    String name = f.requiredString(t.get("name")).orElse(null);
    String hash = f.requiredString(t.get("hash")).map(h -> h.toLowerCase(Locale.ROOT)).orElse(null);
    Set<String> gateways = new LinkedHashSet<>(f.strings(t.get("gateways")));
    Set<String> services = new LinkedHashSet<>(f.strings(t.get("services")));
    if (name != null && !NAME.matcher(name).matches()) {
      f.error(t.get("name"), "a token name is 1-64 letters, digits, '.', '_' or '-'");
      name = null;
    }
    if (name != null && !names.add(name)) {
      f.error(t.get("name"), "token name \"" + name + "\" is used twice");
    }
    if (hash != null && !HASH.matcher(hash).matches()) {
      // the value is not echoed: it may be a token pasted by mistake
      f.error(
          t.get("hash"),
          "expected sha256:<64 hex digits> (sluice hash-key prints it), not the token itself");
      hash = null;
    }
    if (gateways.isEmpty() && services.isEmpty()) {
      f.error(t, "a token must grant at least one gateway or service");
    }
    if (name == null || hash == null) {
      return;
    }
    if (byHash.putIfAbsent(hash, new Grant(name, gateways, services)) != null) {
      f.error(t.get("hash"), "the same hash is given to two tokens");
    }
  }
}
