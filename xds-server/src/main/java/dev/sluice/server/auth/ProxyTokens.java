package dev.sluice.server.auth;

import dev.sluice.discovery.FileWatcher;
import dev.sluice.server.telemetry.Metrics;
import dev.sluice.yaml.Finding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proxy tokens defined in Sluice's own file ({@link ProxyTokensFile}), for setups without Consul
 * ACLs. The file is watched: a saved change applies at once, and the streams whose token it removed
 * or narrowed are ended (see {@link #onChange}). A file with errors is refused whole; the last good
 * tokens stay in force.
 */
public final class ProxyTokens implements ProxyAuthenticator, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProxyTokens.class);
  private final Path file;
  private final Metrics metrics;
  private volatile Map<String, Grant> byHash;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final FileWatcher watcher;

  private ProxyTokens(Path file, Duration debounce, Metrics metrics, Map<String, Grant> first)
      throws IOException {
    this.file = file;
    this.metrics = metrics;
    this.byHash = first;
    this.watcher = new FileWatcher(file, debounce, this::reload);
  }

  /**
   * Reads the file and watches it.
   *
   * @throws IllegalArgumentException naming every error (file:line:column) if the file is refused
   */
  public static ProxyTokens watch(Path file, Duration debounce, Metrics metrics) {
    ProxyTokensFile.Result first = ProxyTokensFile.read(file);
    if (!first.ok()) {
      throw new IllegalArgumentException(format(first.errors()));
    }
    try {
      ProxyTokens tokens = new ProxyTokens(file, debounce, metrics, first.byHash());
      metrics.gauge("sluice_proxy_tokens", () -> tokens.byHash.size());
      return tokens;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot watch " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  private void reload() {
    ProxyTokensFile.Result r = ProxyTokensFile.read(file);
    if (!r.ok()) {
      metrics.increment("sluice_proxy_tokens_reload_errors_total");
      LOG.error(
          "proxy tokens not reloaded, the last good ones stay in force:\n{}", format(r.errors()));
      return;
    }
    byHash = r.byHash();
    LOG.info("proxy tokens reloaded from {}: {} token(s)", file, r.byHash().size());
    listeners.forEach(Runnable::run);
  }

  @Override
  public CompletableFuture<Decision> authorize(Credential credential, Claim claim) {
    if (credential.token().isEmpty()) {
      return CompletableFuture.completedFuture(
          Decision.deny(
              "",
              Decision.NO_CREDENTIAL,
              "no token: send one as gRPC metadata 'authorization: Bearer <token>' to claim "
                  + claim));
    }
    Grant grant = byHash.get(sha256(credential.token().get()));
    if (grant == null) {
      return CompletableFuture.completedFuture(
          Decision.deny(
              "",
              Decision.UNKNOWN_CREDENTIAL,
              "the token is not one of the proxy tokens; it cannot claim " + claim));
    }
    return CompletableFuture.completedFuture(grant.decide(claim, "token " + grant.name()));
  }

  @Override
  public String describe() {
    return "proxy tokens from " + file;
  }

  /** {@code sha256:<hex>}, as {@code sluice hash-key} prints it. */
  static String sha256(String token) {
    try {
      return "sha256:"
          + HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("SHA-256")
                      .digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String format(List<Finding> errors) {
    return errors.stream().map(Finding::format).collect(Collectors.joining("\n"));
  }

  @Override
  public void close() {
    watcher.close();
  }
}
