package dev.sluice.server.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.sluice.discovery.consul.ConsulConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;

/**
 * Asks Consul whether an ACL token grants {@code service:write} on a name: {@code POST
 * /v1/internal/acl/authorize} with the token as {@code X-Consul-Token}, the endpoint Consul's own
 * UI uses to ask what a token may do. Any token may ask about itself, so Sluice needs no ACL
 * permission of its own for it, and its own token is never sent.
 */
final class ConsulAuthorize {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What a header value may hold; anything else cannot be a Consul token (they are UUIDs). */
  private static final Pattern TOKEN = Pattern.compile("^[\\x21-\\x7e]{1,256}$");

  enum Answer {
    ALLOWED,
    NOT_ALLOWED,
    /** Consul does not know the token (403 "ACL not found": never issued, deleted or expired). */
    UNKNOWN_TOKEN
  }

  /**
   * Consul gave no answer about the token: unreachable, too slow, ACLs off, an error. Names no
   * token.
   */
  static final class Unanswered extends IOException {
    Unanswered(String message) {
      super(message);
    }
  }

  private final HttpClient client;
  private final URI uri;
  private final Duration timeout;

  ConsulAuthorize(HttpClient client, ConsulConfig config, Duration timeout) {
    this.client = client;
    this.uri =
        URI.create(
            config.address()
                + "/v1/internal/acl/authorize"
                + (config.datacenter().isEmpty()
                    ? ""
                    : "?dc=" + URLEncoder.encode(config.datacenter(), StandardCharsets.UTF_8)));
    this.timeout = timeout;
  }

  /** Whether {@code token} could be a Consul token at all; others are refused without asking. */
  static boolean plausible(String token) {
    return TOKEN.matcher(token).matches();
  }

  /**
   * Completes with the answer, or exceptionally with {@link Unanswered}; never blocks the caller.
   */
  CompletableFuture<Answer> serviceWrite(String token, String name) {
    HttpRequest request;
    try {
      request =
          HttpRequest.newBuilder(uri)
              .timeout(timeout)
              .header("X-Consul-Token", token)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(rules(name)))
              .build();
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(
          new Unanswered("cannot ask: " + e.getClass().getSimpleName()));
    }
    return client
        .sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .handle(
            (response, error) -> {
              if (error != null) {
                Throwable cause =
                    error instanceof CompletionException && error.getCause() != null
                        ? error.getCause()
                        : error;
                throw new CompletionException(
                    new Unanswered("Consul did not answer: " + cause.getClass().getSimpleName()));
              }
              return answer(response);
            });
  }

  /**
   * {@code [{"Resource":"service","Segment":<name>,"Access":"write"}]}, the name escaped as JSON.
   */
  static String rules(String name) {
    ArrayNode rules = JSON.createArrayNode();
    rules.addObject().put("Resource", "service").put("Segment", name).put("Access", "write");
    return rules.toString();
  }

  private static Answer answer(HttpResponse<String> response) {
    return switch (response.statusCode()) {
      case 200 -> allow(response.body());
      case 403 -> Answer.UNKNOWN_TOKEN;
      case 401 ->
          throw new CompletionException(
              new Unanswered("Consul's ACLs are disabled (401): its tokens prove nothing"));
      default ->
          throw new CompletionException(new Unanswered("Consul answered " + response.statusCode()));
    };
  }

  private static Answer allow(String body) {
    try {
      JsonNode allow = JSON.readTree(body).path(0).get("Allow");
      if (allow == null || !allow.isBoolean()) {
        throw new CompletionException(new Unanswered("Consul's answer holds no Allow"));
      }
      return allow.booleanValue() ? Answer.ALLOWED : Answer.NOT_ALLOWED;
    } catch (IOException e) {
      throw new CompletionException(new Unanswered("Consul's answer is not JSON"));
    }
  }
}
