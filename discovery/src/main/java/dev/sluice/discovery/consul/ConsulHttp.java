package dev.sluice.discovery.consul;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/** Consul's HTTP API as this source uses it: GETs with blocking-query parameters, over the JDK client. */
final class ConsulHttp {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ConsulConfig config;
  private final HttpClient client;
  private final AtomicLong requests = new AtomicLong();

  /** One answer: the body and {@code X-Consul-Index}. */
  record Answer(JsonNode body, long index) {}

  /** Consul answered, but not with 200. */
  static final class StatusException extends IOException {
    final int status;

    StatusException(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  ConsulHttp(ConsulConfig config) {
    this.config = config;
    HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2));
    if (config.address().getScheme().equals("https")) {
      b.sslContext(sslContext(config));
    }
    this.client = b.build();
  }

  long requests() {
    return requests.get();
  }

  /**
   * GET {@code path} as a blocking query at {@code index} (0 = answer at once).
   *
   * @throws IOException when Consul cannot be reached or does not answer 200
   */
  Answer get(String path, long index, Duration wait) throws IOException, InterruptedException {
    StringBuilder url = new StringBuilder(config.address().toString()).append(path).append("?stale=false");
    if (!config.datacenter().isEmpty()) {
      url.append("&dc=").append(URLEncoder.encode(config.datacenter(), StandardCharsets.UTF_8));
    }
    if (index > 0) {
      url.append("&index=").append(index).append("&wait=").append(wait.toSeconds()).append('s');
    }
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url.toString()))
        // Consul adds up to wait/16 of jitter to a blocking query; give it that and a margin.
        .timeout(wait.plus(wait.dividedBy(16)).plusSeconds(10))
        .GET();
    config.token().ifPresent(t -> req.header("X-Consul-Token", t));
    requests.incrementAndGet();
    // sendAsync + get, not send: a watcher stopped mid-query must return at once, and only the
    // future's get() answers an interrupt.
    var future = client.sendAsync(req.build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> resp;
    try {
      resp = future.get();
    } catch (InterruptedException e) {
      future.cancel(true);
      throw e;
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      throw new IOException(String.valueOf(cause), cause);
    }
    if (resp.statusCode() != 200) {
      String body = resp.body() == null ? "" : resp.body().strip();
      throw new StatusException(resp.statusCode(), "Consul answered " + resp.statusCode() + " for " + path
          + (body.isEmpty() ? "" : ": " + body.substring(0, Math.min(200, body.length()))));
    }
    long returned = resp.headers().firstValue("X-Consul-Index").map(Long::parseLong).orElse(0L);
    return new Answer(JSON.readTree(resp.body()), returned);
  }

  /** TLS from PEM files as Consul's own clients take them: a CA bundle, a client certificate and key. */
  private static SSLContext sslContext(ConsulConfig c) {
    try {
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
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
        keys.setKeyEntry("client", privateKey(c.keyFile().get()), new char[0], chain.toArray(new Certificate[0]));
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

  private static Collection<? extends Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
    try (var in = Files.newInputStream(pem)) {
      Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new IOException("no certificate in " + pem);
      }
      return certs;
    }
  }

  /** A PEM private key: PKCS#8, PKCS#1 (RSA) or SEC1 (EC, whose public part is optional). */
  static PrivateKey privateKey(Path pem) throws IOException {
    try (Reader r = Files.newBufferedReader(pem); PEMParser parser = new PEMParser(r)) {
      Object o = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (o instanceof PEMKeyPair pair) {
        // only the private part: a SEC1 key written without its public key has none to convert
        return converter.getPrivateKey(pair.getPrivateKeyInfo());
      }
      if (o instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      throw new IOException("no unencrypted private key in " + pem);
    }
  }
}
