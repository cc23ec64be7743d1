package dev.sluice.server.auth;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Reads what a call presents — the {@code authorization: Bearer <token>} metadata (Envoy sends it
 * from the bootstrap's {@code initial_metadata}) and the URI names of a verified client certificate
 * — into the call's {@link Context}, where the services find it as {@link #current()}.
 */
public final class CredentialInterceptor implements ServerInterceptor {
  /** Longer values are not a token of ours; they are cut before they are hashed or kept. */
  static final int MAX_TOKEN_LENGTH = 4096;

  private static final Context.Key<Credential> CREDENTIAL = Context.key("sluice-credential");
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String BEARER = "Bearer ";

  /** The credential of the call being handled; none outside a call. */
  public static Credential current() {
    Credential c = CREDENTIAL.get();
    return c == null ? Credential.none("") : c;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    SocketAddress peer = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    Credential credential =
        new Credential(
            token(headers),
            certificateUris(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION)),
            peer == null ? "" : peer.toString());
    return Contexts.interceptCall(
        Context.current().withValue(CREDENTIAL, credential), call, headers, next);
  }

  private static Optional<String> token(Metadata headers) {
    String value = headers.get(AUTHORIZATION);
    if (value == null || !value.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return Optional.empty();
    }
    String token = value.substring(BEARER.length()).strip();
    if (token.length() > MAX_TOKEN_LENGTH) {
      token = token.substring(0, MAX_TOKEN_LENGTH);
    }
    return token.isEmpty() ? Optional.empty() : Optional.of(token);
  }

  /** The URI SANs of the verified client certificate (its SPIFFE id); empty without one. */
  static List<String> certificateUris(SSLSession session) {
    if (session == null) {
      return List.of();
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      if (chain.length == 0
          || !(chain[0] instanceof X509Certificate leaf)
          || leaf.getSubjectAlternativeNames() == null) {
        return List.of();
      }
      List<String> uris = new ArrayList<>();
      for (List<?> san : leaf.getSubjectAlternativeNames()) {
        if (Integer.valueOf(6).equals(san.get(0))) { // uniformResourceIdentifier
          uris.add(String.valueOf(san.get(1)));
        }
      }
      return uris;
    } catch (SSLPeerUnverifiedException | CertificateParsingException e) {
      return List.of();
    }
  }
}
