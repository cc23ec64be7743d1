package dev.sluice.policy;

import dev.sluice.core.VisibleTree;
import dev.sluice.policy.gateway.GatewaySpec;
import dev.sluice.policy.route.RouteSpec;
import dev.sluice.yaml.Diagnostics;
import dev.sluice.yaml.Fields;
import dev.sluice.yaml.Finding;
import dev.sluice.yaml.Suggest;
import dev.sluice.yaml.YamlDocument;
import dev.sluice.yaml.YamlNode;
import dev.sluice.yaml.YamlSyntaxException;
import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a folder of policy files into a {@link PolicySet}. Every file and document is read even
 * after an error so that one run reports every mistake; any error means no set at all, because the
 * running config is never replaced by a half-valid one.
 */
public final class PolicyLoader {
  private PolicyLoader() {}

  /**
   * @param policies the whole set, present only when there is no error
   * @param readable every resource that was read without error, so warnings about them can be shown
   *     next to the errors of the others
   * @param referencedFiles files outside the YAML that the policies point at (certificates, keys,
   *     descriptor sets), absolute, also when reading them failed: a change to one of them is a
   *     change to the policies
   */
  public record Result(
      Optional<PolicySet> policies,
      PolicySet readable,
      List<Finding> findings,
      Set<Path> referencedFiles) {
    public boolean hasErrors() {
      return findings.stream().anyMatch(Finding::isError);
    }
  }

  /** Reads every {@code *.yaml} / {@code *.yml} file under {@code dir}, sorted by path. */
  public static Result load(Path dir) {
    return load(dir, new ParsedFiles());
  }

  /**
   * {@link #load(Path)}, parsing again only the files whose content changed since {@code parsed}'s
   * last load.
   */
  public static Result load(Path dir, ParsedFiles parsed) {
    try {
      return loadOrThrow(dir, parsed);
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
      // a bug or an input beyond what the limits foresaw: still a rejected load that names the
      // folder and says what happened, never a crash of validate or a reload that vanishes
      Diagnostics d = new Diagnostics();
      d.fileError(
          dir,
          "reading the policies failed: " + e + " (this is a bug in Sluice: please report it)");
      return new Result(Optional.empty(), PolicySet.EMPTY, d.findings(), Set.of());
    }
  }

  private static Result loadOrThrow(Path dir, ParsedFiles parsed) {
    Diagnostics d = new Diagnostics();
    List<YamlDocument> docs = new ArrayList<>();
    for (Path file : files(dir, d)) {
      try {
        docs.addAll(parsed.read(file));
      } catch (YamlSyntaxException e) {
        d.add(e.finding());
        // the documents before the mistake are read too, so their own findings are not hidden
        docs.addAll(e.documentsBefore());
      } catch (IOException e) {
        d.fileError(file, "cannot read: " + e.getMessage());
      }
    }
    Result result = fromDocuments(docs, d, parsed);
    parsed.loaded();
    return result;
  }

  /**
   * The policy files under {@code dir}, sorted by path. Names starting with a dot are not read, nor
   * is anything under a folder whose name does: hidden files, editors' swap files, and the {@code
   * ..2026_…} folders and {@code ..data} link of a Kubernetes ConfigMap or Secret mount, whose
   * files appear once more as the top-level links {@code name.yaml -> ..data/name.yaml}. Links are
   * followed (each link once; a loop ends there). What cannot be read as a policy file — a dangling
   * link, a loop, a FIFO or device, a folder that cannot be listed — is named in a warning, so a
   * file that silently stopped counting is never a surprise.
   */
  static List<Path> files(Path dir, Diagnostics d) {
    if (!Files.isDirectory(dir)) {
      if (Files.isRegularFile(dir)) {
        return List.of(dir);
      }
      d.fileError(dir, "no such policy folder");
      return List.of();
    }
    List<Path> out = new ArrayList<>();
    try {
      VisibleTree.walk(
          dir,
          new VisibleTree.Visitor() {
            @Override
            public void file(Path file, BasicFileAttributes a) {
              if (!policyName(file)) {
                return;
              }
              if (a.isRegularFile()) {
                out.add(file);
              } else if (a.isSymbolicLink()) {
                d.fileWarning(file, "not read: a link to nothing (" + target(file) + ")");
              } else {
                d.fileWarning(file, "not read: not a regular file (a FIFO, socket or device)");
              }
            }

            @Override
            public void failed(Path file, IOException e) {
              if (e instanceof FileSystemLoopException) {
                d.fileWarning(file, "not read: a link to a folder that contains it (a loop)");
              } else if (Files.isSymbolicLink(file) && !Files.exists(file)) {
                if (policyName(file)) {
                  d.fileWarning(file, "not read: a link to nothing (" + target(file) + ")");
                }
              } else {
                d.fileWarning(file, "not read: " + e);
              }
            }
          });
    } catch (IOException e) {
      d.fileError(dir, "cannot list: " + e.getMessage());
      return List.of();
    }
    out.sort(null);
    return out;
  }

  private static boolean policyName(Path p) {
    String n = p.getFileName().toString();
    return n.endsWith(".yaml") || n.endsWith(".yml");
  }

  private static String target(Path link) {
    try {
      return "it points at " + Files.readSymbolicLink(link);
    } catch (IOException | UnsupportedOperationException e) {
      return "its target cannot be read";
    }
  }

  /** Reads already-parsed documents; used by the loader and by tests with in-memory input. */
  public static Result fromDocuments(List<YamlDocument> docs, Diagnostics d) {
    return fromDocuments(docs, d, Reads.FRESH);
  }

  /**
   * How a load reads each document and attaches a route to its gateway: afresh, or as {@link
   * ParsedFiles} remembers from the last load, so that what did not change keeps its identity down
   * to the Envoy resources.
   */
  interface Reads {
    Reads FRESH =
        new Reads() {
          @Override
          public DocumentRead read(YamlDocument doc) {
            return PolicyLoader.read(doc);
          }

          @Override
          public RouteSpec attach(RouteSpec route, String gateway) {
            return route.withGateway(gateway);
          }
        };

    DocumentRead read(YamlDocument doc);

    /** The route, with the gateway it did not name. */
    RouteSpec attach(RouteSpec route, String gateway);
  }

  /**
   * What one document says on its own, before any check across documents: its kind and name, and
   * the findings of its fields, apart ({@code specFindings}) those of reading its spec, which a
   * duplicate's are not shown.
   */
  record DocumentRead(
      Optional<PolicyKind<?>> kind,
      Optional<String> name,
      List<Finding> fieldFindings,
      Optional<? extends PolicyResource> spec,
      List<Finding> specFindings,
      Set<Path> referencedFiles) {}

  static DocumentRead read(YamlDocument doc) {
    Diagnostics fields = new Diagnostics();
    YamlNode root = doc.node();
    Fields top = new Fields(fields, "");
    if (!root.isObject()) {
      top.error(root, "a policy document is a map with kind and name, got " + root.typeName());
      return unread(fields);
    }
    Optional<String> kindName = top.requiredString(root.get("kind"));
    if (kindName.isEmpty()) {
      return unread(fields);
    }
    Optional<PolicyKind<?>> kind = PolicyKinds.byName(kindName.get());
    if (kind.isEmpty()) {
      String hint =
          Suggest.closest(kindName.get(), PolicyKinds.names())
              .map(s -> " (did you mean " + s + "?)")
              .orElse(" (known kinds: " + String.join(", ", PolicyKinds.names()) + ")");
      top.error(root.get("kind"), "unknown kind \"" + kindName.get() + "\"" + hint);
      return unread(fields);
    }
    Optional<String> name = Names.name(root.get("name"), top);
    String label = kind.get().kind() + "/" + name.orElse(written(root.get("name")));
    new Fields(fields, label).object(root, kind.get().fields());
    // A document with a bad name is still read, for its other mistakes; it never becomes a spec.
    Diagnostics spec = new Diagnostics();
    Optional<? extends PolicyResource> read =
        kind.get()
            .read(
                name.orElse(label.substring(label.indexOf('/') + 1)),
                root,
                new Fields(name.isPresent() ? spec : fields, label),
                new Source(doc.file(), root.position()));
    Set<Path> files = new TreeSet<>(fields.referencedFiles());
    files.addAll(spec.referencedFiles());
    if (name.isEmpty()) {
      return new DocumentRead(kind, name, fields.findings(), Optional.empty(), List.of(), files);
    }
    return new DocumentRead(kind, name, fields.findings(), read, spec.findings(), files);
  }

  /** The name as written, for findings about a document whose name is not valid. */
  private static String written(YamlNode name) {
    String text = name.value().isTextual() ? name.value().asText() : "";
    return text.isBlank() || text.length() > 63 ? "?" : text;
  }

  private static DocumentRead unread(Diagnostics fields) {
    return new DocumentRead(
        Optional.empty(),
        Optional.empty(),
        fields.findings(),
        Optional.empty(),
        List.of(),
        fields.referencedFiles());
  }

  static Result fromDocuments(List<YamlDocument> docs, Diagnostics d, Reads reads) {
    Declarations declarations = new Declarations(d);
    docs.forEach(doc -> declarations.add(doc, reads.read(doc)));
    CrossCheck.Declared names = declarations.names();
    PolicySet set = attachRoutes(declarations.specs(), names, d, reads);
    check(set, names, d);
    return new Result(
        d.hasErrors() ? Optional.empty() : Optional.of(set),
        set,
        d.findings(),
        d.referencedFiles());
  }

  /**
   * The documents' specs and the names they declare. A name is declared once per kind: a second
   * document with it is an error, and only the first one's spec counts.
   */
  private static final class Declarations {
    private final Diagnostics d;
    private final PolicySet.Builder specs = PolicySet.builder();
    private final Map<String, Source> seen = new HashMap<>();
    private final Map<String, Set<String>> declared = new HashMap<>();

    Declarations(Diagnostics d) {
      this.d = d;
    }

    void add(YamlDocument doc, DocumentRead r) {
      r.fieldFindings().forEach(d::add);
      r.referencedFiles().forEach(d::referencedFile);
      if (r.kind().isEmpty() || r.name().isEmpty()) {
        return;
      }
      String kind = r.kind().get().kind();
      declared.computeIfAbsent(kind, k -> new LinkedHashSet<>()).add(r.name().get());
      if (duplicate(doc, kind + "/" + r.name().get())) {
        return;
      }
      r.specFindings().forEach(d::add);
      r.spec().ifPresent(specs::add);
    }

    private boolean duplicate(YamlDocument doc, String label) {
      YamlNode root = doc.node();
      Source earlier = seen.putIfAbsent(label, new Source(doc.file(), root.position()));
      if (earlier == null) {
        return false;
      }
      new Fields(d, label)
          .error(
              root.get("name"), "duplicate name: " + label + " is already defined at " + earlier);
      return true;
    }

    PolicySet specs() {
      return specs.build();
    }

    CrossCheck.Declared names() {
      return new CrossCheck.Declared(declared);
    }
  }

  /** Every kind's checks across documents, in the registry's order. */
  private static void check(PolicySet set, CrossCheck.Declared names, Diagnostics d) {
    for (PolicyKind<?> kind : PolicyKinds.ALL) {
      kind.checks().forEach(check -> check.check(set, names, d));
    }
  }

  /**
   * Gives each route the gateway it names or the only one there is. The one step between reading
   * and checking: every check sees routes with their gateway.
   */
  private static PolicySet attachRoutes(
      PolicySet set, CrossCheck.Declared declared, Diagnostics d, Reads reads) {
    return set.with(
        RouteSpec.class,
        CrossChecks.attachRoutes(
            set.gateways(), declared.names(GatewaySpec.KIND), set.routes(), d, reads::attach));
  }
}
