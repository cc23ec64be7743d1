package dev.sluice.server.mesh;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;

/**
 * Loading a root strictly: it must be a CA (basicConstraints CA, keyCertSign if key usage is
 * present), not expired, name the trust domain (URI SAN {@code spiffe://<trust-domain>}, or else a
 * subject attribute equal to it), and its key must match (checked by signing and verifying a
 * challenge). Errors name the file and never include key material.
 */
final class RootCheck {
  private static final int KEY_CERT_SIGN = 5;

  private RootCheck() {}

  static CaRoot load(Path certFile, Path keyFile, String trustDomain, Clock clock) {
    X509Certificate cert = Pem.readCertificate(certFile);
    checkCa(cert, certFile);
    if (cert.getNotAfter().toInstant().isBefore(clock.instant())) {
      throw new CaException(
          certFile + ": the CA certificate expired at " + cert.getNotAfter().toInstant());
    }
    checkTrustDomain(cert, certFile, trustDomain);
    PrivateKey key = Pem.readPrivateKey(keyFile);
    if (!Keys.match(key, cert.getPublicKey())) {
      throw new CaException(
          keyFile + ": the private key does not belong to the certificate in " + certFile);
    }
    return new CaRoot(trustDomain, cert, key);
  }

  private static void checkCa(X509Certificate cert, Path certFile) {
    if (cert.getBasicConstraints() < 0) {
      throw new CaException(certFile + ": not a CA certificate (basicConstraints CA is not set)");
    }
    boolean[] usage = cert.getKeyUsage();
    if (usage != null && (usage.length <= KEY_CERT_SIGN || !usage[KEY_CERT_SIGN])) {
      throw new CaException(
          certFile + ": the certificate may not sign certificates (key usage lacks keyCertSign)");
    }
  }

  private static void checkTrustDomain(X509Certificate cert, Path certFile, String trustDomain) {
    if (!namesTrustDomain(cert, trustDomain)) {
      throw new CaException(
          certFile
              + ": the CA certificate does not name trust domain "
              + trustDomain
              + " (expected URI SAN spiffe://"
              + trustDomain
              + ", found "
              + Keys.uriSans(cert)
              + ", subject "
              + cert.getSubjectX500Principal().getName()
              + ")");
    }
  }

  private static boolean namesTrustDomain(X509Certificate cert, String trustDomain) {
    List<String> uris = Keys.uriSans(cert);
    if (uris.contains("spiffe://" + trustDomain)) {
      return true;
    }
    if (!uris.isEmpty()) {
      return false;
    }
    X500Name subject = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
    for (var rdn : subject.getRDNs()) {
      for (var atv : rdn.getTypesAndValues()) {
        if (trustDomain.equals(atv.getValue().toString())) {
          return true;
        }
      }
    }
    return false;
  }
}
