package dev.sluice.server.e2e;

import dev.sluice.server.mesh.WorkloadCertificate;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * Calls a sidecar's inbound port the way a peer sidecar does: TLS 1.3 with a client certificate,
 * trusting the mesh root for the server. What a test uses to knock on the door with an identity of
 * its choosing (another trust domain, a service no rule names).
 */
final class MtlsProbe {
  private MtlsProbe() {}

  /** The status of {@code GET path}, or -1 when the handshake or the connection fails. */
  static int get(int port, WorkloadCertificate client, Path meshRoot, String path) {
    try {
      CertificateFactory certs = CertificateFactory.getInstance("X.509");
      X509Certificate leaf =
          (X509Certificate)
              certs.generateCertificate(
                  new ByteArrayInputStream(
                      client.certificatePem().getBytes(StandardCharsets.US_ASCII)));
      String b64 = client.privateKeyPem().replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
      var key =
          KeyFactory.getInstance("EC")
              .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("client", key, new char[0], new Certificate[] {leaf});
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      try (InputStream in = Files.newInputStream(meshRoot)) {
        trust.setCertificateEntry("mesh", certs.generateCertificate(in));
      }
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, new char[0]);
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ctx = SSLContext.getInstance("TLSv1.3");
      ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      try (SSLSocket socket = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
        socket.setSoTimeout(5000);
        socket.setEnabledProtocols(new String[] {"TLSv1.3"});
        socket.startHandshake();
        socket
            .getOutputStream()
            .write(
                ("GET " + path + " HTTP/1.1\r\nHost: mesh\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        String line =
            new BufferedReader(
                    new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                .readLine();
        return line == null ? -1 : Integer.parseInt(line.split(" ")[1]);
      }
    } catch (IOException e) {
      return -1;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
