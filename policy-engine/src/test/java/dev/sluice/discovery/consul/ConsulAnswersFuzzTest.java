package dev.sluice.discovery.consul;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.google.common.net.InetAddresses;
import dev.sluice.discovery.Health;
import dev.sluice.discovery.Service;
import dev.sluice.discovery.ServiceCatalog;
import dev.sluice.discovery.ServiceInstance;
import dev.sluice.fuzz.Fuzz;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Fuzzes how Consul's answers become a catalog, without HTTP: an {@code X-Consul-Index} header and
 * a 200's body, read as {@code /v1/catalog/services} and as {@code /v1/health/service/<name>} the
 * way {@link ConsulSource}'s loops read them. Every answer is either a catalog Envoy can use (each
 * instance an IP address and a port in 1–65535 that gets traffic) or an error of that request
 * ({@link java.io.IOException}, which the loop reports as stale and retries); anything else thrown
 * would end up in the loop's "unexpected" branch, a bug.
 *
 * <p>An input is the header's value, a line break, then the body; an input without a line break is
 * a body without the header.
 *
 * <p>It lives in policy-engine with the other fuzz tests and their shared checks ({@code
 * dev.sluice.fuzz}): policy-engine sees discovery's classes, and one module runs every target.
 */
class ConsulAnswersFuzzTest {
  private static final ObjectMapper JSON = consulJson();

  /**
   * Seeds, under {@code ConsulAnswersFuzzTestInputs}: service lists and health answers, kept and
   * dropped instances, each with several index values.
   */
  @DictionaryFile(resourcePath = "ConsulAnswersFuzzTest.dict")
  @FuzzTest(maxExecutions = Fuzz.SHORT_RUNS)
  void everyAnswerBecomesAUsableCatalogOrAnErrorOfThatRequest(byte[] input) throws Exception {
    Fuzz.check(ConsulAnswersFuzzTest::map, input, new Fuzz.AllocationBound(8L << 20, 64));
  }

  /** Reads the input as both answers; returns what Envoy could not use, if anything. */
  static Optional<String> map(byte[] input) throws Exception {
    int newline = indexOf(input, (byte) '\n');
    String header = newline < 0 ? null : new String(input, 0, newline, StandardCharsets.ISO_8859_1);
    byte[] body = newline < 0 ? input : Arrays.copyOfRange(input, newline + 1, input.length);
    List<String> names = new ArrayList<>(List.of("users"));
    try {
      names.addAll(serviceList(header, body));
    } catch (IOException e) {
      if (e.getMessage() == null || e.getMessage().isBlank()) {
        return Optional.of("an error without a message: " + e);
      }
    }
    for (String name : names.subList(0, Math.min(3, names.size()))) {
      try {
        Optional<String> problem = usable(health(name, header, body));
        if (problem.isPresent()) {
          return problem;
        }
      } catch (IOException e) {
        if (e.getMessage() == null || e.getMessage().isBlank()) {
          return Optional.of("an error without a message: " + e);
        }
      }
    }
    return Optional.empty();
  }

  /** As ConsulSource's service-list loop reads an answer. */
  private static Set<String> serviceList(String header, byte[] body) throws IOException {
    String path = "/v1/catalog/services";
    ConsulHttp.index(header, path);
    Set<String> names = new HashSet<>();
    ConsulHttp.object(read(body, path), path).fieldNames().forEachRemaining(names::add);
    names.remove("consul");
    return names;
  }

  /** As ConsulSource's loop of one service reads an answer, then published. */
  private static ServiceCatalog health(String name, String header, byte[] body) throws IOException {
    String path = "/v1/health/service/" + ConsulHttp.segment(name);
    ConsulHttp.index(header, path);
    HealthEntries.Read read =
        HealthEntries.read(name, ConsulHttp.array(read(body, path), path), true);
    return ServiceCatalog.of(List.of(new Service(name, read.instances())));
  }

  /** As {@link ConsulHttp#get} reads a 200's body. */
  private static JsonNode read(byte[] body, String path) throws IOException {
    JsonNode node;
    try (InputStream in = new ByteArrayInputStream(body)) {
      node = JSON.readTree(in);
    } catch (JsonProcessingException e) {
      throw new ConsulHttp.BadAnswerException(
          "Consul answered "
              + path
              + " with a body that is not JSON: "
              + ConsulHttp.shorten(e.getOriginalMessage()));
    }
    return node == null ? MissingNode.getInstance() : node;
  }

  private static Optional<String> usable(ServiceCatalog catalog) {
    for (Service s : catalog.services().values()) {
      for (ServiceInstance i : s.instances()) {
        if (i.port() < 1
            || i.port() > 65535
            || !InetAddresses.isInetAddress(i.address())
            || i.weight() < 1
            || i.health() == Health.CRITICAL) {
          return Optional.of("an instance Envoy cannot use reached the catalog: " + i);
        }
      }
    }
    return Optional.empty();
  }

  private static int indexOf(byte[] b, byte x) {
    for (int i = 0; i < b.length; i++) {
      if (b[i] == x) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The very reader ConsulHttp uses for bodies (its settings matter: trailing tokens are an error).
   */
  private static ObjectMapper consulJson() {
    try {
      var f = ConsulHttp.class.getDeclaredField("JSON");
      f.setAccessible(true);
      return (ObjectMapper) f.get(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }
}
