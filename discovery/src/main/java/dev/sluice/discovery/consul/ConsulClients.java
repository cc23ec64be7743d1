package dev.sluice.discovery.consul;

import dev.sluice.core.PemKeys;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * JDK HTTP clients for a Consul as {@link ConsulConfig} describes it: HTTP/1.1, a short connect
 * timeout, and over https its CA bundle and client certificate. The catalog watcher and anything
 * else that asks the same Consul (proxy tokens) build their clients here, so both reach it alike.
 */
public final class ConsulClients {
  /** How long a connection to Consul may take to open. */
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

  private ConsulClients() {}

  /**
   * A new client for {@code config}'s address. It sends no token by itself: callers add {@code
   * X-Consul-Token} to each request.
   *
   * @throws IllegalArgumentException naming the file when the TLS material cannot be used
   */
  public static HttpClient newClient(ConsulConfig config) {
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT);
    if (config.address().getScheme().equals("https")) {
      b.sslContext(sslContext(config));
    }
    return b.build();
  }

  /**
   * TLS from PEM files as Consul's own clients take them: a CA bundle, a client certificate and
   * key.
   */
  private static SSLContext sslContext(ConsulConfig c) {
    try {
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      if (c.caFile().isPresent()) {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        int i = 0;
        for (Certificate cert : certificates(c.caFile().get())) {
          trust.setCertificateEntry("ca-" + i++, cert);
        }
        tmf.init(trust);
      } else {
        tmf.init((KeyStore) null);
      }
      KeyManagerFactory kmf = null;
      if (c.certFile().isPresent() && c.keyFile().isPresent()) {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        Collection<? extends Certificate> chain = certificates(c.certFile().get());
        keys.setKeyEntry(
            "client",
            privateKey(c.keyFile().get()),
            new char[0],
            chain.toArray(new Certificate[0]));
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      // The message names files and the kind of problem, never key material.
      throw new IllegalArgumentException("cannot set up TLS to Consul: " + e.getMessage(), e);
    }
  }

  private static Collection<? extends Certificate> certificates(Path pem)
      throws IOException, GeneralSecurityException {
    try (var in = Files.newInputStream(pem)) {
      Collection<? extends Certificate> certs =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new IOException("no certificate in " + pem);
      }
      return certs;
    }
  }

  /** A PEM private key: PKCS#8, PKCS#1 (RSA) or SEC1 (EC, whose public part is optional). */
  private static PrivateKey privateKey(Path pem) throws IOException {
    try {
      return PemKeys.privateKey(Files.readString(pem));
    } catch (PemKeys.UnreadableKeyException e) {
      throw new IOException(pem + ": " + e.getMessage());
    }
  }
}
