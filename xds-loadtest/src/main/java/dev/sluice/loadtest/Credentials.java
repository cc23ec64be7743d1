package dev.sluice.loadtest;

import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptor;
import io.grpc.InsecureChannelCredentials;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Optional;

/**
 * What every connection of a run presents, read once from {@link Options.Security}'s files: the
 * channel credentials (plaintext, or TLS trusting the CA file) and, with a token, the interceptor
 * that adds {@code authorization: Bearer <token>} to every stream's headers. The token is never
 * printed, nor any part of it.
 */
final class Credentials {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  final ChannelCredentials channel;
  final Optional<ClientInterceptor> token;

  /**
   * The authority the TLS handshake names and verifies (SNI and the certificate's name); none for
   * plaintext.
   */
  final Optional<String> serverName;

  private Credentials(
      ChannelCredentials channel, Optional<ClientInterceptor> token, Optional<String> serverName) {
    this.channel = channel;
    this.token = token;
    this.serverName = serverName;
  }

  /**
   * @throws IllegalArgumentException naming the file when one cannot be read or holds no
   *     certificate or token
   */
  static Credentials of(Options.Security security) {
    ChannelCredentials channel = InsecureChannelCredentials.create();
    Optional<String> serverName = Optional.empty();
    if (security.tls()) {
      try (InputStream in = Files.newInputStream(security.tlsCa())) {
        if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
          throw new IllegalArgumentException(
              "--tls-ca " + security.tlsCa() + " holds no certificate");
        }
        // grpc-netty makes a TLS context per channel from these: each connection handshakes in
        // full, as its own Envoy
        channel =
            TlsChannelCredentials.newBuilder().trustManager(security.tlsCa().toFile()).build();
      } catch (IOException | CertificateException e) {
        throw new IllegalArgumentException(
            "--tls-ca " + security.tlsCa() + ": cannot read it (" + e + ")", e);
      }
      serverName = Optional.of(security.serverName());
    }
    Optional<ClientInterceptor> token = Optional.empty();
    if (security.tokenFile() != null) {
      Metadata headers = new Metadata();
      headers.put(AUTHORIZATION, "Bearer " + readToken(security));
      token = Optional.of(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    return new Credentials(channel, token, serverName);
  }

  private static String readToken(Options.Security security) {
    String text;
    try {
      text = Files.readString(security.tokenFile(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "--token-file " + security.tokenFile() + ": cannot read it (" + e + ")", e);
    }
    if (text.isEmpty() || !text.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new IllegalArgumentException(
          "--token-file "
              + security.tokenFile()
              + " must hold one token: printable ASCII without spaces, on one line");
    }
    return text;
  }
}
