package dev.sluice.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.sluice.server.cli.SluiceCli;
import dev.sluice.testing.RepoPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * Issue 9, "every command in the docs is tested or checked by a test": the runnable steps of
 * docs/quickstart.md (blocks {@code ```sh quickstart}) are run by {@code QuickstartIT}; every other
 * command in a shell block ({@code sh}, {@code bash}, {@code shell}, {@code console}) of README.md,
 * docs/**.md, envoy-configs/*.md and compose/**.md is checked here, without running it:
 *
 * <ul>
 *   <li>{@code sluice}/{@code ./sluice}: parsed by the real picocli command tree ({@link
 *       SluiceCli}) without executing: unknown subcommands and options and missing required options
 *       fail; placeholders ({@code <proxy>}, {@code $KEY}, {@code DIR}) may stand for values; a
 *       usage synopsis ({@code [--registry FILE|consul://…]}) is checked without its optional parts
 *       and with each alternative;
 *   <li>{@code scripts/<name>}: exists and is executable; if it answers {@code --help}, every
 *       option the doc gives it is in its header comment (which is what {@code --help} prints);
 *   <li>{@code docker compose -f F} / {@code docker-compose -f F}: F exists, from the repo root;
 *   <li>{@code curl}: to this machine, on a {@linkplain #DOCUMENTED_PORTS documented port}, and on
 *       Sluice's admin port only to a path the {@code AdminServer} serves;
 *   <li>anything else: one of the {@linkplain #STANDARD_TOOLS standard tools} the docs use, so a
 *       typo such as {@code sluicectl} fails;
 *   <li>and for every program: arguments that look like repo paths ({@code compose/…}, {@code
 *       docs/…}, {@code envoy-configs/…}, {@code scripts/…}) exist.
 * </ul>
 *
 * Commands named in prose code spans ({@code `./sluice render --policies … --proxy edge`}, {@code
 * `scripts/bench-consul 100`}, {@code `curl localhost:18001/proxies`}) get the same rules, as
 * fragments: they may leave out required options, but what they give must exist.
 *
 * <p>It also checks that the relative links of those files point at files that exist, and that
 * {@code #anchors} into Markdown files name a heading (GitHub's slugs).
 *
 * <p>Not checked: what a command does when run (that is QuickstartIT's and the scripts' own
 * tests'), commands in blocks of other languages, and {@code cd}: paths are read from the root.
 */
class DocCommandsTest {
  /** The fence tag of the steps {@code QuickstartIT} runs; those are tested by running them. */
  static final String RUN_BY_QUICKSTART_IT = "quickstart";

  static final Set<String> SHELL_LANGUAGES = Set.of("sh", "bash", "shell", "console");

  /**
   * The ports the docs may curl, all on this machine, and what listens there (the demo's and the
   * quickstart's topology: scripts/demo, scripts/quickstart, compose/). A doc that curls another
   * port needs it added here, with what it is.
   */
  static final Map<Integer, String> DOCUMENTED_PORTS =
      Map.of(
          8080, "the edge Envoy's gateway listener (envoy-configs/edge.yaml)",
          9901, "the edge Envoy's admin",
          9911, "web's sidecar Envoy admin (quickstart)",
          9912, "orders' sidecar Envoy admin (quickstart)",
          9913, "users' sidecar Envoy admin (quickstart)",
          8500, "Consul's HTTP API",
          18001, "Sluice's admin API (sluice serve --admin-port)");

  static final Set<String> LOCAL_HOSTS = Set.of("localhost", "127.0.0.1");

  /**
   * Programs the docs run besides sluice, scripts/, docker compose and curl: only the ones they
   * use, so that anything else (a typo, a tool a reader may not have) fails.
   */
  static final Set<String> STANDARD_TOOLS =
      Set.of(
          "cat", "cd", "consul", "cp", "echo", "envoy", "git", "grep", "jq", "kill", "mv", "tail");

  /** Repo-relative paths in arguments: these must exist. */
  private static final Pattern REPO_PATH =
      Pattern.compile("^(?:compose|docs|envoy-configs|scripts)/.*");

  private static final Pattern INLINE_COMMAND =
      Pattern.compile(
          "^(?:(?:\\./)?sluice [a-z<-].*|(?:\\./)?scripts/\\S.*|curl .*|docker compose .*|docker-compose .*)$");
  private static final Pattern SCRIPT = Pattern.compile("^(?:\\./)?scripts/.+");
  private static final Pattern ASSIGNMENT = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]*=.*");
  private static final Pattern URL =
      Pattern.compile(
          "^(?:([A-Za-z][A-Za-z0-9+.-]*)://)?([^/:?#\\s]+)(?::([^/?#]*))?([^?#]*)(?:[?#].*)?$");
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:.*");
  private static final Pattern ADMIN_CONTEXT =
      Pattern.compile("(?:createContext|guarded|probe)\\(\\s*\"(/[^\"]*)\"");
  private static final Pattern HELP_OPTION =
      Pattern.compile("(?m)^[^#\\n]*(?:^|[\\s|(])(?:--help|-h)(?:[\\s|)]|$)");

  /** curl options that take a value (the next word), long and short. */
  private static final Set<String> CURL_LONG_WITH_VALUE =
      Set.of(
          "--output",
          "--write-out",
          "--request",
          "--data",
          "--data-raw",
          "--data-binary",
          "--data-urlencode",
          "--json",
          "--header",
          "--user",
          "--user-agent",
          "--referer",
          "--cookie",
          "--cookie-jar",
          "--max-time",
          "--connect-timeout",
          "--upload-file",
          "--form",
          "--cacert",
          "--cert",
          "--key",
          "--resolve",
          "--retry",
          "--retry-delay",
          "--proxy",
          "--unix-socket",
          "--config",
          "--oauth2-bearer",
          "--url");

  private static final String CURL_SHORT_WITH_VALUE = "owXdHuAebcmTFExK";

  private final Path root = RepoPaths.root();
  private final List<String> adminPaths = adminPaths(root);
  private final int adminPort =
      Integer.parseInt(
          new CommandLine(new SluiceCli())
              .getSubcommands()
              .get("serve")
              .getCommandSpec()
              .findOption("--admin-port")
              .defaultValue());

  // ---------------------------------------------------------------------------------------------
  // the tests

  @TestFactory
  Stream<DynamicNode> everyShellCommandInTheDocsChecksOut() {
    return docs(root).stream()
        .filter(doc -> !commands(doc).isEmpty())
        .map(
            doc -> {
              String rel = relative(doc);
              List<Markdown.Command> commands = commands(doc);
              return dynamicContainer(
                  rel,
                  commands.stream()
                      .map(
                          c ->
                              dynamicTest(
                                  rel + ":" + c.line() + ": " + oneLine(c.text()),
                                  () -> {
                                    List<String> problems = problems(c.text());
                                    assertThat(problems)
                                        .withFailMessage(
                                            "%s:%d: %s%n  %s",
                                            rel, c.line(), c.text(), String.join("\n  ", problems))
                                        .isEmpty();
                                  })));
            });
  }

  /**
   * Commands named in prose, in code spans: {@code `./sluice render --policies
   * compose/demo/policies --proxy edge`}, {@code `scripts/bench-consul 100`}, {@code `curl
   * localhost:18001/proxies`}. Checked as {@linkplain #problems(String, boolean) fragments}: what
   * they give must be right.
   */
  @TestFactory
  Stream<DynamicNode> everyCommandNamedInProseChecksOut() {
    return docs(root).stream()
        .filter(doc -> !inlineCommands(doc).isEmpty())
        .map(
            doc -> {
              String rel = relative(doc);
              return dynamicContainer(
                  rel,
                  inlineCommands(doc).stream()
                      .map(
                          c ->
                              dynamicTest(
                                  rel + ":" + c.line() + ": `" + c.text() + "`",
                                  () -> {
                                    List<String> problems = problems(c.text(), true);
                                    assertThat(problems)
                                        .withFailMessage(
                                            "%s:%d: `%s`%n  %s",
                                            rel, c.line(), c.text(), String.join("\n  ", problems))
                                        .isEmpty();
                                  })));
            });
  }

  @TestFactory
  Stream<DynamicNode> everyRelativeLinkInTheDocsResolves() {
    return docs(root).stream()
        .filter(doc -> !relativeLinks(doc).isEmpty())
        .map(
            doc -> {
              String rel = relative(doc);
              List<Markdown.Link> links = relativeLinks(doc);
              return dynamicContainer(
                  rel,
                  links.stream()
                      .map(
                          l ->
                              dynamicTest(
                                  rel + ":" + l.line() + ": " + l.target(),
                                  () -> {
                                    String problem = linkProblem(doc, l.target());
                                    assertThat(problem)
                                        .withFailMessage(
                                            "%s:%d: link (%s): %s",
                                            rel, l.line(), l.target(), problem)
                                        .isNull();
                                  })));
            });
  }

  /** The extraction works: a broken one would find nothing and let every doc through. */
  @Test
  void theDocsHaveCommandsOfEveryKindToCheck() {
    List<String> all =
        docs(root).stream().flatMap(d -> commands(d).stream()).map(Markdown.Command::text).toList();
    assertThat(docs(root))
        .extracting(this::relative)
        .contains(
            "README.md", "docs/operations.md", "docs/quickstart.md", "envoy-configs/README.md");
    assertThat(all).hasSizeGreaterThanOrEqualTo(10);
    assertThat(all).anyMatch(c -> c.startsWith("scripts/quickstart"));
    assertThat(all).anyMatch(c -> c.startsWith("sluice serve"));
    assertThat(all).anyMatch(c -> c.contains("| sluice hash-key"));
    assertThat(all).anyMatch(c -> c.startsWith("curl "));
  }

  @Test
  void theAdminPathsAreTheAdminServers() {
    assertThat(adminPort).isEqualTo(18001);
    assertThat(DOCUMENTED_PORTS).containsKey(adminPort);
    assertThat(adminPaths)
        .contains("/healthz", "/ready", "/metrics", "/status", "/proxies", "/config/", "/");
  }

  /** Each rule can fail, with a message that says why. */
  @Test
  void wrongCommandsFail() {
    assertThat(problems("sluicectl status --server http://127.0.0.1:18001"))
        .singleElement()
        .asString()
        .contains("unknown program `sluicectl`");
    assertThat(problems("./sluice statsu --server http://127.0.0.1:18001"))
        .singleElement()
        .asString()
        .contains("Unmatched argument")
        .contains("statsu");
    assertThat(problems("sluice status"))
        .singleElement()
        .asString()
        .contains("Missing required option: '--server");
    assertThat(problems("sluice render --policies DIR --proxy"))
        .singleElement()
        .asString()
        .contains("--proxy");
    assertThat(problems("sluice serve --registry x --policies y --xds-prot 1"))
        .singleElement()
        .asString()
        .contains("--xds-prot");
    assertThat(problems("sluice serve --registy x --policies y"))
        .satisfiesExactly(
            p -> assertThat(p).contains("Missing required option: '--registry"),
            p -> assertThat(p).contains("Unknown option").contains("--registy"));
    assertThat(problems("sluice validate compose/nope/policies"))
        .singleElement()
        .asString()
        .contains("`compose/nope/policies` does not exist");
    assertThat(
            problems(
                "sluice render --policies DIR [--registry FILE|consul://…] [--proxy GROUP] [--typ TYPE]"))
        .first()
        .asString()
        .contains("sluice render --policies DIR --registry FILE --proxy GROUP --typ TYPE")
        .contains("--typ");
    assertThat(problems("sluice status --server http://127.0.0.1:18001/statuz"))
        .singleElement()
        .asString()
        .contains("/statuz");
    assertThat(problems("scripts/dmeo"))
        .singleElement()
        .asString()
        .contains("`scripts/dmeo` does not exist");
    assertThat(problems("scripts/demo --consl")).singleElement().asString().contains("--consl");
    assertThat(problems("docker compose -f compose/nope.yml up -d"))
        .singleElement()
        .asString()
        .contains("compose/nope.yml");
    assertThat(problems("docker compose up -d")).singleElement().asString().contains("-f");
    assertThat(problems("docker compose version")).isEmpty();
    assertThat(problems("curl -s example.com:8080/web"))
        .singleElement()
        .asString()
        .contains("example.com");
    assertThat(problems("curl -s localhost:8081/web")).singleElement().asString().contains("8081");
    assertThat(problems("curl -s localhost:18001/statuz"))
        .singleElement()
        .asString()
        .contains("/statuz");
    assertThat(problems("curl -s localhost:18001/config/"))
        .singleElement()
        .asString()
        .contains("/config/");
    assertThat(problems("echo hi | jqq .")).singleElement().asString().contains("`jqq`");
    assertThat(problems("echo 'unclosed"))
        .singleElement()
        .asString()
        .contains("not a complete command");
    assertThat(problems("sluice render --bootstrap", true))
        .singleElement()
        .asString()
        .contains("--bootstrap");
    assertThat(problems("sluice serve --mesh-ca-dir /x --mesh-cert-ttll 1h", true))
        .singleElement()
        .asString()
        .contains("--mesh-cert-ttll");
    assertThat(problems("sluice sevre", true)).singleElement().asString().contains("sevre");
  }

  @Test
  void rightCommandsPass() {
    assertThat(
            problems(
                "sluice validate compose/demo/policies [--registry compose/demo/services.yaml]"))
        .isEmpty();
    assertThat(
            problems(
                "sluice render --policies DIR [--registry FILE|consul://host:port[?token-file=F]] [--type TYPE]"))
        .isEmpty();
    assertThat(
            problems(
                "echo -n \"$KEY\" | sluice hash-key          # sha256:9f86d08…   (a Consumer's apiKeys entry)"))
        .isEmpty();
    assertThat(problems("sudo FOO=1 ./sluice --help")).isEmpty();
    assertThat(problems("export X=$(scripts/install-envoy)")).isEmpty();
    assertThat(problems("curl -s -o /dev/null -w '%{http_code}\\n' localhost:8080/web 2>&1 | jq ."))
        .isEmpty();
    assertThat(problems("curl -s 127.0.0.1:18001/config/<proxy>")).isEmpty();
    assertThat(problems("curl -sf http://127.0.0.1:18001/healthz && echo up")).isEmpty();
    assertThat(problems("git clone <this repository> sluice && cd sluice")).isEmpty();
    assertThat(problems("export X=$(scripts/nope)"))
        .singleElement()
        .asString()
        .contains("scripts/nope");
    assertThat(problems("sluice serve", true)).isEmpty();
    assertThat(problems("sluice validate", true)).isEmpty();
    assertThat(problems("sluice render --policies DIR --proxy", true)).isEmpty();
    assertThat(problems("./sluice <command>", true)).isEmpty();
    assertThat(problems("sluice status --server …", true)).isEmpty();
  }

  @Test
  void shellBlocksAreReadLikeAShellWould() {
    Markdown.Fence fence =
        new Markdown.Fence(
            "sh",
            10,
            List.of(
                "# a comment",
                "cat > compose/x.yaml <<'EOF'",
                "kind: Route  # not a command",
                "EOF",
                "curl -s -X PUT --data '{\"a\": 1}' \\",
                "  localhost:8500/v1/agent/service/register",
                "echo one |",
                "  jq .",
                ""));
    assertThat(Markdown.commands(fence))
        .containsExactly(
            new Markdown.Command(11, "cat > compose/x.yaml <<'EOF'"),
            new Markdown.Command(
                14, "curl -s -X PUT --data '{\"a\": 1}' localhost:8500/v1/agent/service/register"),
            new Markdown.Command(16, "echo one | jq ."));
    assertThat(
            Markdown.codeSpans(
                List.of(
                    "```sh",
                    "`not prose`",
                    "```",
                    "",
                    "Run `scripts/demo` or `sluice",
                    "serve --policies DIR`.")))
        .containsExactly(
            new Markdown.Command(5, "scripts/demo"),
            new Markdown.Command(5, "sluice serve --policies DIR"));
    Markdown.Fence console =
        new Markdown.Fence("console", 1, List.of("$ sluice --help", "Usage: sluice", "$ echo a"));
    assertThat(Markdown.commands(console))
        .extracting(Markdown.Command::text)
        .containsExactly("sluice --help", "echo a");
    assertThat(ShellSyntax.scan("a 'b # c' \"d e\" # f | g; h").commands())
        .containsExactly(List.of("a", "b # c", "d e"));
    assertThat(ShellSyntax.scan("a 2>&1 >x | b && c || d; e & f").commands())
        .containsExactly(
            List.of("a"), List.of("b"), List.of("c"), List.of("d"), List.of("e"), List.of("f"));
    assertThat(ShellSyntax.synopsisVariants("s d --p OLD [--r FILE|consul://…] [--t F]"))
        .containsExactly(
            "s d --p OLD", "s d --p OLD --r FILE --t F", "s d --p OLD --r consul://… --t F");
  }

  @Test
  void anchorsAreGitHubs() {
    assertThat(Markdown.slug("The registry: `--registry`")).isEqualTo("the-registry---registry");
    assertThat(Markdown.slug("sluice hash-key and sluice hash-password"))
        .isEqualTo("sluice-hash-key-and-sluice-hash-password");
    assertThat(Markdown.slug("grpcJson: JSON to gRPC transcoding"))
        .isEqualTo("grpcjson-json-to-grpc-transcoding");
    assertThat(Markdown.slug("The file registry (`services.yaml`)"))
        .isEqualTo("the-file-registry-servicesyaml");
    assertThat(Markdown.slug("`GET /config/<group or node>`")).isEqualTo("get-configgroup-or-node");
    assertThat(
            Markdown.anchors(
                List.of("# A", "```sh", "# not a heading", "```", "## A", "Setext", "---")))
        .containsExactly("a", "a-1", "setext");
  }

  // ---------------------------------------------------------------------------------------------
  // commands

  private List<Markdown.Command> commands(Path doc) {
    return Markdown.fences(lines(doc)).stream()
        .filter(
            f -> SHELL_LANGUAGES.contains(f.language()) && !f.tags().contains(RUN_BY_QUICKSTART_IT))
        .flatMap(f -> Markdown.commands(f).stream())
        .toList();
  }

  /** Code spans in prose that run one of the programs these rules know. */
  private List<Markdown.Command> inlineCommands(Path doc) {
    return Markdown.codeSpans(lines(doc)).stream()
        .filter(c -> INLINE_COMMAND.matcher(c.text()).matches())
        .toList();
  }

  /** What is wrong with a command line as a doc gives it; empty if nothing. */
  List<String> problems(String line) {
    return problems(line, false);
  }

  /**
   * {@code fragment}: a command named in prose ({@code `sluice serve`}), which may leave out
   * required options and values; what it does give must still be right.
   */
  List<String> problems(String line, boolean fragment) {
    Set<String> problems = new LinkedHashSet<>();
    List<String> variants = ShellSyntax.synopsisVariants(line);
    for (String variant : variants) {
      String as = variants.size() > 1 ? " (as `" + variant + "`)" : "";
      for (String p : lineProblems(variant, fragment, 0)) {
        problems.add(p + as);
      }
    }
    return List.copyOf(problems);
  }

  private List<String> lineProblems(String line, boolean fragment, int depth) {
    List<String> problems = new ArrayList<>();
    ShellSyntax.Scan scan = ShellSyntax.scan(line);
    if (scan.incomplete()) {
      problems.add("not a complete command: an unclosed quote, or a trailing \\ or operator");
      return problems;
    }
    for (List<String> words : scan.commands()) {
      problems.addAll(commandProblems(words, fragment));
    }
    if (depth < 5) {
      for (String substitution : scan.substitutions()) {
        problems.addAll(lineProblems(substitution, fragment, depth + 1));
      }
    }
    return problems;
  }

  private List<String> commandProblems(List<String> command, boolean fragment) {
    List<String> words = new ArrayList<>(command);
    while (!words.isEmpty()) { // VAR=value, export, sudo [-opts]: what runs is after them
      String w = words.get(0);
      if (ASSIGNMENT.matcher(w).matches() || w.equals("export")) {
        words.remove(0);
      } else if (w.equals("sudo")) {
        words.remove(0);
        while (!words.isEmpty() && words.get(0).startsWith("-")) {
          words.remove(0);
        }
      } else {
        break;
      }
    }
    if (words.isEmpty()) {
      return List.of();
    }
    String program = words.get(0);
    List<String> args = words.subList(1, words.size());
    List<String> problems = new ArrayList<>();
    if (program.equals("sluice") || program.equals("./sluice")) {
      if (program.startsWith("./")) {
        problems.addAll(executableProblems("sluice"));
      }
      problems.addAll(sluiceProblems(args, fragment));
    } else if (SCRIPT.matcher(program).matches()) {
      problems.addAll(scriptProblems(program.replaceFirst("^\\./", ""), args));
    } else if (program.equals("docker") && !args.isEmpty() && args.get(0).equals("compose")) {
      problems.addAll(composeProblems(args.subList(1, args.size())));
    } else if (program.equals("docker-compose")) {
      problems.addAll(composeProblems(args));
    } else if (program.equals("curl")) {
      problems.addAll(curlProblems(args));
    } else if (!STANDARD_TOOLS.contains(program)) {
      problems.add(
          "unknown program `"
              + program
              + "`: not sluice, ./sluice, scripts/…, docker compose, curl, or one of "
              + "the standard tools DocCommandsTest.STANDARD_TOOLS allows "
              + new TreeSet<>(STANDARD_TOOLS));
    }
    for (String arg : args) {
      String path = arg.replaceFirst("^--?[A-Za-z0-9-]+=", "").replaceFirst("^\\./", "");
      if (REPO_PATH.matcher(path).matches()
          && !path.matches(".*[<>$*?…{}].*")
          && !Files.exists(root.resolve(path))
          && problems.stream().noneMatch(p -> p.contains("`" + path + "`"))) {
        problems.add("`" + path + "` does not exist in the repository");
      }
    }
    return problems;
  }

  /** Parsed by the real command tree, not run. */
  private List<String> sluiceProblems(List<String> given, boolean fragment) {
    List<String> args = new ArrayList<>(given);
    List<String> problems = new ArrayList<>();
    if (fragment && !args.isEmpty() && isPlaceholder(args.get(0))) {
      return problems; // `./sluice <command>`
    }
    boolean missingSeen = false;
    for (int attempt = 0; ; attempt++) {
      try {
        new CommandLine(new SluiceCli()).parseArgs(args.toArray(String[]::new));
        break;
      } catch (MissingParameterException e) {
        if (!fragment && !missingSeen) {
          problems.add("sluice " + String.join(" ", given) + ": " + e.getMessage());
        }
        missingSeen = true;
        // picocli reports what is missing before what is unknown: fill it in to check the rest
        // (a fragment may leave it out)
        if (attempt >= 50 || !fillIn(args, e.getMissing())) {
          break;
        }
      } catch (ParameterException e) {
        // a placeholder where the option wants a port, a duration or an xDS type: the doc stands
        // for a value
        if (attempt < 50
            && e.getCause() != null
            && e.getValue() != null
            && isPlaceholder(e.getValue())
            && e.getArgSpec() instanceof OptionSpec option
            && replacePlaceholder(args, option, e.getValue())) {
          continue;
        }
        problems.add("sluice " + String.join(" ", given) + ": " + e.getMessage());
        break;
      }
    }
    for (String arg : given) {
      Matcher url = URL.matcher(arg.replaceFirst("^--?[A-Za-z0-9-]+=", ""));
      if (arg.matches("^(?:--?[A-Za-z0-9-]+=)?https?://.*")
          && url.matches()
          && String.valueOf(adminPort).equals(url.group(3))) {
        problems.addAll(adminPathProblems(url.group(4)));
      }
    }
    return problems;
  }

  /** Adds a value for each missing option or parameter; false if there is nothing to add. */
  private static boolean fillIn(List<String> args, List<ArgSpec> missing) {
    boolean added = false;
    for (ArgSpec arg : missing) {
      String value = arg.defaultValue() != null ? arg.defaultValue() : "X";
      if (arg instanceof OptionSpec option) {
        int at = args.indexOf(option.longestName());
        if (at >= 0 && at == args.size() - 1) {
          args.add(value); // `--proxy` at the end: its value
        } else {
          args.add(option.longestName() + "=" + value);
        }
      } else {
        args.add(value);
      }
      added = true;
    }
    return added;
  }

  /** {@code DIR}, {@code F}, {@code <proxy>}, {@code $KEY}, {@code …}. */
  static boolean isPlaceholder(String value) {
    return value.matches("[A-Z][A-Z0-9_]*")
        || value.contains("<")
        || value.contains("$")
        || value.contains("…");
  }

  /** Puts the option's default (or nothing) where the doc has a placeholder; false if not found. */
  private static boolean replacePlaceholder(List<String> args, OptionSpec option, String value) {
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      for (String name : option.names()) {
        boolean separate = a.equals(name) && i + 1 < args.size() && args.get(i + 1).equals(value);
        boolean joined = a.equals(name + "=" + value);
        if (separate || joined) {
          if (joined) {
            args.remove(i);
          } else {
            args.remove(i + 1);
            args.remove(i);
          }
          if (option.defaultValue() != null) {
            args.add(i, name + "=" + option.defaultValue());
          }
          return true;
        }
      }
    }
    return false;
  }

  private List<String> scriptProblems(String script, List<String> args) {
    List<String> problems = new ArrayList<>(executableProblems(script));
    if (!problems.isEmpty()) {
      return problems;
    }
    String source = read(root.resolve(script));
    if (!HELP_OPTION.matcher(source).find()) {
      return problems; // no --help: its arguments are its own business (scripts/test passes them to
      // Maven)
    }
    String header =
        source.lines().skip(1).takeWhile(l -> l.startsWith("#")).collect(Collectors.joining("\n"));
    for (String arg : args) {
      if (arg.startsWith("-")) {
        String option = arg.split("=", 2)[0];
        if (!Pattern.compile("(?<![\\w-])" + Pattern.quote(option) + "(?![\\w-])")
            .matcher(header)
            .find()) {
          problems.add(
              "`"
                  + script
                  + "` has no option `"
                  + option
                  + "` in its header comment (what --help prints)");
        }
      }
    }
    return problems;
  }

  private List<String> executableProblems(String file) {
    Path path = root.resolve(file);
    if (!Files.isRegularFile(path)) {
      return List.of("`" + file + "` does not exist in the repository");
    }
    if (!Files.isExecutable(path)) {
      return List.of("`" + file + "` is not executable (git update-index --chmod=+x " + file + ")");
    }
    return List.of();
  }

  private List<String> composeProblems(List<String> args) {
    List<String> files = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if ((a.equals("-f") || a.equals("--file")) && i + 1 < args.size()) {
        files.add(args.get(++i));
      } else if (a.startsWith("--file=")) {
        files.add(a.substring("--file=".length()));
      } else if (a.startsWith("-f") && a.length() > 2 && !a.startsWith("--")) {
        files.add(a.substring(2));
      }
    }
    if (files.isEmpty() && !args.equals(List.of("version"))) {
      return List.of("docker compose without -f: name the compose file, from the repository root");
    }
    List<String> problems = new ArrayList<>();
    for (String f : files) {
      if (!Files.isRegularFile(root.resolve(f))) {
        problems.add("compose file `" + f + "` does not exist (from the repository root)");
      }
    }
    return problems;
  }

  private List<String> curlProblems(List<String> args) {
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.startsWith("--")) {
        if (a.equals("--url") && i + 1 < args.size()) {
          urls.add(args.get(++i));
        } else if (CURL_LONG_WITH_VALUE.contains(a)) {
          i++;
        }
      } else if (a.startsWith("-") && a.length() > 1) {
        if (CURL_SHORT_WITH_VALUE.indexOf(a.charAt(a.length() - 1)) >= 0) {
          i++;
        }
      } else {
        urls.add(a);
      }
    }
    if (urls.isEmpty()) {
      return List.of("curl without a URL");
    }
    List<String> problems = new ArrayList<>();
    for (String u : urls) {
      Matcher url = URL.matcher(u);
      if (!url.matches()) {
        problems.add("curl: cannot read the URL `" + u + "`");
        continue;
      }
      String scheme = url.group(1) == null ? "http" : url.group(1).toLowerCase(Locale.ROOT);
      String host = url.group(2);
      if (!LOCAL_HOSTS.contains(host)) {
        problems.add("curl to `" + host + "`: the docs' curls go to this machine, " + LOCAL_HOSTS);
        continue;
      }
      String portText =
          url.group(3) == null ? (scheme.equals("https") ? "443" : "80") : url.group(3);
      if (!portText.matches("\\d+")) {
        problems.add("curl: the port of `" + u + "` is not a number");
        continue;
      }
      int port = Integer.parseInt(portText);
      if (!DOCUMENTED_PORTS.containsKey(port)) {
        problems.add(
            "curl to port "
                + port
                + ", not one of the documented ports "
                + new TreeMap<>(DOCUMENTED_PORTS).keySet()
                + " (DocCommandsTest.DOCUMENTED_PORTS)");
      } else if (port == adminPort) {
        problems.addAll(adminPathProblems(url.group(4)));
      }
    }
    return problems;
  }

  private List<String> adminPathProblems(String path) {
    String p = path.isEmpty() ? "/" : path;
    boolean served =
        adminPaths.stream()
            .anyMatch(
                context ->
                    context.endsWith("/") && context.length() > 1
                        ? p.startsWith(context) && p.length() > context.length()
                        : p.equals(context));
    if (served) {
      return List.of();
    }
    return List.of(
        "`"
            + p
            + "` is not a path Sluice's admin API (:"
            + adminPort
            + ") serves; AdminServer serves "
            + adminPaths.stream()
                .map(c -> c.endsWith("/") && c.length() > 1 ? c + "<name>" : c)
                .toList());
  }

  /**
   * The paths the admin server registers, read from its source: starting an AdminServer needs a
   * whole SluiceServer, and the registrations there are the list. A context ending in '/' (but "/")
   * is a prefix: {@code /config/<group or node>}.
   */
  static List<String> adminPaths(Path root) {
    Matcher m =
        ADMIN_CONTEXT.matcher(
            read(
                root.resolve("xds-server/src/main/java/dev/sluice/server/admin/AdminServer.java")));
    List<String> paths = new ArrayList<>();
    while (m.find()) {
      paths.add(m.group(1));
    }
    return paths;
  }

  // ---------------------------------------------------------------------------------------------
  // links

  /** Links without a scheme (http:, mailto:): to files of the repository. */
  private List<Markdown.Link> relativeLinks(Path doc) {
    return Markdown.links(lines(doc)).stream()
        .filter(l -> !SCHEME.matcher(l.target()).matches())
        .toList();
  }

  /** Null if the link resolves; else what is wrong. */
  private String linkProblem(Path doc, String target) {
    int hash = target.indexOf('#');
    String pathPart = (hash < 0 ? target : target.substring(0, hash)).replace("%20", " ");
    String anchor = hash < 0 ? null : target.substring(hash + 1);
    Path resolved =
        pathPart.isEmpty()
            ? doc
            : pathPart.startsWith("/")
                ? root.resolve(pathPart.substring(1)).normalize()
                : doc.getParent().resolve(pathPart).normalize();
    if (!resolved.startsWith(root)) {
      return "points outside the repository";
    }
    if (!Files.exists(resolved)) {
      return "`" + relative(resolved) + "` does not exist";
    }
    if (anchor != null
        && !anchor.isEmpty()
        && Files.isRegularFile(resolved)
        && resolved.toString().endsWith(".md")) {
      Set<String> anchors = Markdown.anchors(lines(resolved));
      if (!anchors.contains(anchor)) {
        return "`#"
            + anchor
            + "` is not a heading of "
            + relative(resolved)
            + "; its anchors: "
            + anchors;
      }
    }
    return null;
  }

  // ---------------------------------------------------------------------------------------------
  // files

  /** README.md, docs/**.md, envoy-configs/*.md, compose/**.md. */
  static List<Path> docs(Path root) {
    List<Path> docs = new ArrayList<>();
    docs.add(root.resolve("README.md"));
    docs.addAll(markdown(root.resolve("docs"), Integer.MAX_VALUE));
    docs.addAll(markdown(root.resolve("envoy-configs"), 1));
    docs.addAll(markdown(root.resolve("compose"), Integer.MAX_VALUE));
    return docs;
  }

  private static List<Path> markdown(Path dir, int depth) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(dir, depth)) {
      return files
          .filter(f -> f.toString().endsWith(".md") && Files.isRegularFile(f))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String relative(Path p) {
    return root.relativize(p).toString().replace('\\', '/');
  }

  private static List<String> lines(Path file) {
    return read(file).lines().toList();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String oneLine(String text) {
    String s = text.replaceAll("\\s*\\n\\s*", " ⏎ ");
    return s.length() > 120 ? s.substring(0, 117) + "…" : s;
  }
}
