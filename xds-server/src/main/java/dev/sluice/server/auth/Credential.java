package dev.sluice.server.auth;

import java.util.List;
import java.util.Optional;

/**
 * What a client presented on its connection: a bearer token from its gRPC metadata and the URI
 * names of a client certificate the server verified. Never printed whole: the token is a secret.
 *
 * @param peer the remote address, for refusals and logs
 */
public record Credential(Optional<String> token, List<String> certificateUris, String peer) {
  public Credential {
    certificateUris = List.copyOf(certificateUris);
  }

  public static Credential none(String peer) {
    return new Credential(Optional.empty(), List.of(), peer);
  }

  public boolean isEmpty() {
    return token.isEmpty() && certificateUris.isEmpty();
  }

  @Override
  public String toString() {
    return "Credential[token="
        + (token.isPresent() ? "<redacted>" : "none")
        + ", certificate="
        + certificateUris
        + ", peer="
        + peer
        + "]";
  }
}
