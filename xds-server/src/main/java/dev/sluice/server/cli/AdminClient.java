package dev.sluice.server.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * GETs against a running server's admin API, with {@code Authorization: Bearer} from a token file.
 */
final class AdminClient {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private final String base;
  private final Optional<String> token;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(3))
          .build();

  record Response(int status, String body) {}

  AdminClient(String server, Path tokenFile) throws CliFailure {
    String s = server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
    URI uri;
    try {
      uri = URI.create(s);
    } catch (IllegalArgumentException e) {
      uri = null;
    }
    if (uri == null
        || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
        || uri.getHost() == null) {
      throw new CliFailure(
          ExitCodes.USAGE, "invalid --server " + server + ": write it like http://127.0.0.1:18001");
    }
    this.base = s;
    if (tokenFile == null) {
      token = Optional.empty();
    } else {
      try {
        token = Optional.of(Files.readString(tokenFile).strip()).filter(t -> !t.isEmpty());
      } catch (IOException e) {
        throw new CliFailure(
            ExitCodes.USAGE, "cannot read --token-file " + tokenFile + ": " + e.getMessage());
      }
    }
  }

  String base() {
    return base;
  }

  static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** GET {@code base + path}; any answer comes back, a failure to connect is exit 2. */
  Response get(String path) throws CliFailure {
    HttpRequest.Builder req =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT).GET();
    token.ifPresent(t -> req.header("Authorization", "Bearer " + t));
    try {
      HttpResponse<String> r =
          http.send(req.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Response(r.statusCode(), r.body());
    } catch (ConnectException e) {
      throw new CliFailure(ExitCodes.USAGE, unreachable(e), e);
    } catch (IOException e) {
      throw new CliFailure(
          ExitCodes.USAGE,
          "cannot reach the server at "
              + base
              + ": "
              + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliFailure(ExitCodes.USAGE, "interrupted while calling " + base + path);
    }
  }

  /**
   * What a failed connection means to the user: nobody listens at the address (the usual case: the
   * server is not started), or the host name does not resolve.
   */
  private String unreachable(ConnectException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UnresolvedAddressException) {
        return "cannot reach the server at "
            + base
            + ": unknown host "
            + URI.create(base).getHost();
      }
    }
    return "connection refused: is `sluice serve` running at " + base + "?";
  }

  /** GET that must answer 200; 401/403 and anything else are exit 2 with what the server said. */
  String getOk(String path) throws CliFailure {
    Response r = get(path);
    if (r.status() == 200) {
      return r.body();
    }
    throw refused(path, r);
  }

  CliFailure refused(String path, Response r) {
    String hint =
        r.status() == 401 || r.status() == 403
            ? (token.isPresent()
                ? " (the token in --token-file was not accepted)"
                : " (the admin API wants a token: give --token-file)")
            : "";
    String body = r.body() == null ? "" : r.body().strip();
    return new CliFailure(
        ExitCodes.USAGE,
        "GET "
            + base
            + path
            + " answered "
            + r.status()
            + hint
            + (body.isEmpty() ? "" : ": " + body.substring(0, Math.min(200, body.length()))));
  }
}
