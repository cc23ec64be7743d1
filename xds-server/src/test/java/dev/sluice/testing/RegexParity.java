package dev.sluice.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.policy.route.Regexes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compares Sluice's verdict on regular expressions ({@link Regexes#problem}) with the real Envoy's
 * ({@code envoy --mode validate} on a config whose routes match a header against them). The
 * expressions Sluice accepts go to Envoy together and must load; each one Sluice refuses goes alone
 * and must be refused, for the same reason: RE2's message, or the same program size. A batch that
 * fails is halved until the expressions Envoy refuses are found.
 *
 * <p>Also a command: {@code scripts/regex-parity N} runs N expressions and prints the result.
 */
public final class RegexParity {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern ENVOY_SIZE =
      Pattern.compile("RE2 program size of (\\d+) > max program size of (\\d+)");
  private static final Pattern SLUICE_SIZE =
      Pattern.compile("RE2 program size of (\\d+) > max program size of 100");
  private static final int PARALLEL = 4;

  private final Path envoy;
  private final Path work;

  /**
   * One expression the two sides judge differently: Sluice's problem (or none) against Envoy's
   * error (or none).
   */
  public record Disagreement(String regex, Optional<String> sluice, Optional<String> envoy) {
    @Override
    public String toString() {
      return "regex \""
          + regex
          + "\": Sluice says "
          + sluice.orElse("accepted")
          + "; Envoy says "
          + envoy.orElse("accepted");
    }
  }

  public RegexParity(Path envoy, Path work) {
    this.envoy = envoy;
    this.work = work;
  }

  /** The corpus of real expressions, then seeded generated ones, {@code count} in all. */
  public static List<String> patterns(int count, long seed) {
    List<String> out = new ArrayList<>(RegexCorpus.real());
    Random random = new Random(seed);
    RegexCorpus generator = new RegexCorpus(random);
    while (out.size() < count) {
      out.add(generator.next());
    }
    return out.subList(0, count);
  }

  /** Every expression the two sides judge differently. */
  public List<Disagreement> compare(List<String> patterns)
      throws IOException, InterruptedException {
    List<String> accepted = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    for (String p : patterns) {
      (Regexes.problem(p).isPresent() ? refused : accepted).add(p);
    }
    List<Disagreement> out = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
    try {
      List<Future<?>> jobs = new ArrayList<>();
      for (List<String> batch : chunks(accepted, 250)) {
        jobs.add(
            pool.submit(
                () -> {
                  for (String p : refusedIn(batch)) {
                    out.add(new Disagreement(p, Optional.empty(), envoyError(List.of(p))));
                  }
                  return null;
                }));
      }
      for (String p : refused) {
        jobs.add(
            pool.submit(
                () -> {
                  Optional<String> sluice = Regexes.problem(p);
                  Optional<String> envoys = envoyError(List.of(p));
                  if (envoys.isEmpty() || !sameReason(sluice.orElseThrow(), envoys.get())) {
                    out.add(new Disagreement(p, sluice, envoys));
                  }
                  return null;
                }));
      }
      for (Future<?> job : jobs) {
        job.get();
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(1, TimeUnit.MINUTES);
    }
    return out;
  }

  private static List<List<String>> chunks(List<String> all, int size) {
    List<List<String>> out = new ArrayList<>();
    for (int i = 0; i < all.size(); i += size) {
      out.add(all.subList(i, Math.min(all.size(), i + size)));
    }
    return out;
  }

  /** The expressions of a batch that Envoy refuses, found by halving the batch. */
  private List<String> refusedIn(List<String> batch) throws IOException, InterruptedException {
    if (batch.isEmpty() || envoyError(batch).isEmpty()) {
      return List.of();
    }
    if (batch.size() == 1) {
      return batch;
    }
    List<String> out = new ArrayList<>(refusedIn(batch.subList(0, batch.size() / 2)));
    out.addAll(refusedIn(batch.subList(batch.size() / 2, batch.size())));
    return out;
  }

  /**
   * Both name the same cause: the same RE2 program size, or Sluice's message ends with RE2's text
   * that Envoy printed (Envoy prints the text alone for a syntax error).
   */
  static boolean sameReason(String sluice, String envoy) {
    Matcher e = ENVOY_SIZE.matcher(envoy);
    if (e.find()) {
      Matcher s = SLUICE_SIZE.matcher(sluice);
      return e.group(2).equals("100") && s.find() && s.group(1).equals(e.group(1));
    }
    if (envoy.contains("value length must be at least 1 characters")) {
      return sluice.contains("it is empty, and Envoy requires at least 1 character");
    }
    // RE2 quotes the whole expression as written, and a part of it as it read it: Latin-1, each
    // byte
    // a character, printed as UTF-8; Sluice shows both as written
    String printed = envoy.substring(envoy.indexOf("': ") + 3).strip();
    String asWritten =
        new String(printed.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    return sluice.endsWith(": " + printed) || sluice.endsWith(": " + asWritten);
  }

  /** Envoy's error for a config holding this one expression, or empty when it loads. */
  public Optional<String> envoyErrorOf(String regex) throws IOException, InterruptedException {
    return envoyError(List.of(regex));
  }

  /** Envoy's error for a config holding these expressions, or empty when it loads. */
  Optional<String> envoyError(List<String> batch) throws IOException, InterruptedException {
    Path config = Files.createTempFile(work, "regex-", ".json");
    try {
      Files.writeString(config, JSON.writeValueAsString(config(batch)), StandardCharsets.UTF_8);
      Process p =
          new ProcessBuilder(
                  envoy.toString(),
                  "--mode",
                  "validate",
                  "-c",
                  config.toString(),
                  "-l",
                  "critical",
                  "--base-id",
                  String.valueOf(Math.abs(config.hashCode() % 100000)))
              .redirectErrorStream(true)
              .start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int exit = p.waitFor();
      if (exit == 0) {
        return Optional.empty();
      }
      int at = output.indexOf("error initializing configuration");
      if (at < 0) {
        throw new IllegalStateException(
            "envoy --mode validate failed without a configuration error: " + output);
      }
      return Optional.of(
          output.substring(
              at, output.indexOf('\n', at) < 0 ? output.length() : output.indexOf('\n', at)));
    } finally {
      Files.deleteIfExists(config);
    }
  }

  private static ObjectNode config(List<String> batch) {
    ArrayNode routes = JSON.createArrayNode();
    for (String regex : batch) {
      ObjectNode route = routes.addObject();
      ObjectNode match = route.putObject("match");
      match.put("prefix", "/");
      ObjectNode header = match.putArray("headers").addObject();
      header.put("name", "x-test");
      header.putObject("string_match").putObject("safe_regex").put("regex", regex);
      route.putObject("direct_response").put("status", 200);
    }
    ObjectNode hcm = JSON.createObjectNode();
    hcm.put(
        "@type",
        "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager");
    hcm.put("stat_prefix", "parity");
    ObjectNode router = hcm.putArray("http_filters").addObject();
    router.put("name", "envoy.filters.http.router");
    router
        .putObject("typed_config")
        .put("@type", "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router");
    ObjectNode vhost = hcm.putObject("route_config").putArray("virtual_hosts").addObject();
    vhost.put("name", "parity");
    vhost.putArray("domains").add("*");
    vhost.set("routes", routes);
    ObjectNode root = JSON.createObjectNode();
    ObjectNode listener = root.putObject("static_resources").putArray("listeners").addObject();
    listener.put("name", "parity");
    ObjectNode socket = listener.putObject("address").putObject("socket_address");
    socket.put("address", "127.0.0.1");
    socket.put("port_value", 10000);
    ObjectNode filter =
        listener.putArray("filter_chains").addObject().putArray("filters").addObject();
    filter.put("name", "envoy.filters.network.http_connection_manager");
    filter.set("typed_config", hcm);
    return root;
  }

  /** {@code RegexParity N [SEED]}: compares N expressions and prints the figures. */
  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    long seed = args.length > 1 ? Long.parseLong(args[1]) : 1;
    Path work = Files.createTempDirectory("regex-parity");
    try {
      List<String> patterns = patterns(count, seed);
      long refused = patterns.stream().filter(p -> Regexes.problem(p).isPresent()).count();
      long start = System.nanoTime();
      List<Disagreement> disagreements =
          new RegexParity(EnvoyBinary.find(), work).compare(patterns);
      double seconds = (System.nanoTime() - start) / 1e9;
      disagreements.forEach(d -> System.out.println("DISAGREEMENT " + d));
      System.out.printf(
          "patterns %d (seed %d; Sluice accepts %d, refuses %d), disagreements %d, %.0f s%n",
          count, seed, count - refused, refused, disagreements.size(), seconds);
      System.exit(disagreements.isEmpty() ? 0 : 1);
    } finally {
      try (var files = Files.list(work)) {
        files.forEach(f -> f.toFile().delete());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Files.deleteIfExists(work);
    }
  }
}
