package dev.sluice.server.mesh;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;

/**
 * The CA's root: its certificate (also as PEM, the trust bundle sidecars validate peers against)
 * and its private key.
 */
record CaRoot(String trustDomain, X509Certificate certificate, PrivateKey key, String pem) {
  CaRoot(String trustDomain, X509Certificate certificate, PrivateKey key) {
    this(trustDomain, certificate, key, Pem.of(certificate));
  }

  Instant notAfter() {
    return certificate.getNotAfter().toInstant();
  }

  /** Whether {@code cert} was issued by this root and its signature verifies. */
  boolean issued(X509Certificate cert) {
    if (!cert.getIssuerX500Principal().equals(certificate.getSubjectX500Principal())) {
      return false;
    }
    try {
      cert.verify(certificate.getPublicKey());
      return true;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /** Never prints the key: trust domain, serial and expiry only. */
  @Override
  public String toString() {
    return trustDomain
        + ", root serial "
        + certificate.getSerialNumber().toString(16)
        + ", expires "
        + notAfter();
  }
}
