package dev.sluice.server.mesh;

import java.math.BigInteger;
import java.time.Instant;

/**
 * A workload certificate issued by {@link CertificateAuthority}: what a sidecar needs for mTLS.
 *
 * @param certificatePem the leaf certificate, PEM
 * @param privateKeyPem the leaf's private key, PKCS#8 PEM ({@code -----BEGIN PRIVATE KEY-----})
 * @param trustBundlePem the CA certificate, PEM: what peers' certificates are verified against
 * @param serial the leaf's serial number (random, 128 bits)
 * @param notBefore start of validity (backdated a minute for clock skew)
 * @param notAfter end of validity
 * @param spiffeId the identity in the URI SAN, {@code spiffe://<trust-domain>/service/<name>}
 */
public record WorkloadCertificate(
    String certificatePem,
    String privateKeyPem,
    String trustBundlePem,
    BigInteger serial,
    Instant notBefore,
    Instant notAfter,
    String spiffeId) {

  /** The serial in lower-case hex, as {@code openssl x509 -serial} and Envoy's admin show it. */
  public String serialHex() {
    return serial.toString(16);
  }

  /** Never prints the private key (nor the PEMs): identity, serial and validity only. */
  @Override
  public String toString() {
    return "WorkloadCertificate[spiffeId="
        + spiffeId
        + ", serial="
        + serialHex()
        + ", notBefore="
        + notBefore
        + ", notAfter="
        + notAfter
        + ", privateKey=<redacted>]";
  }
}
