package dev.sluice.policy.tls;

import java.util.Optional;

/**
 * TLS termination on a Gateway: the certificate chain and key Envoy presents, and optionally the CA
 * that client certificates must be signed by. The files' contents are read when the policies load
 * and travel to Envoy inline, over SDS, so Envoy needs no access to the files; a change to a file
 * is a change to the policies.
 *
 * @param certificate the certificate chain, leaf first
 * @param key the private key of the leaf certificate; its text never appears in {@code toString}
 * @param clientCa when present, clients must present a certificate signed by one of these CAs
 * @param minVersion the lowest TLS version the gateway accepts
 */
public record TlsSpec(
    PemFile certificate, PrivateKeyFile key, Optional<PemFile> clientCa, Version minVersion) {

  /** The TLS versions a gateway may require at least. 1.0 and 1.1 are deprecated (RFC 8996). */
  public enum Version {
    TLS_1_2("1.2"),
    TLS_1_3("1.3");

    private final String text;

    Version(String text) {
      this.text = text;
    }

    /** As written in a policy: {@code 1.2}. */
    public String text() {
      return text;
    }
  }
}
