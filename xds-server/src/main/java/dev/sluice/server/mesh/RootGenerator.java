package dev.sluice.server.mesh;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;

/**
 * A new root for a trust domain: EC P-256, self-signed, naming the trust domain as URI SAN {@code
 * spiffe://<trust-domain>}, valid 10 years, allowed to sign only leaves (path length 0).
 */
final class RootGenerator {
  private static final int ROOT_YEARS = 10;

  private RootGenerator() {}

  static CaRoot generate(String trustDomain, Clock clock) {
    try {
      KeyPair pair = Keys.ecKeys();
      Instant now = clock.instant();
      Instant notAfter = now.atOffset(ZoneOffset.UTC).plusYears(ROOT_YEARS).toInstant();
      X500Name name =
          new X500NameBuilder(BCStyle.INSTANCE)
              .addRDN(BCStyle.O, "Sluice")
              .addRDN(BCStyle.CN, trustDomain)
              .build();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              name,
              Keys.serial(),
              Date.from(now.minus(LeafIssuer.BACKDATE)),
              Date.from(notAfter),
              name,
              pair.getPublic());
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
      b.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(
              new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://" + trustDomain)));
      X509Certificate cert = Keys.sign(b, pair.getPrivate());
      return new CaRoot(trustDomain, cert, pair.getPrivate());
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot generate the CA root: " + e.getMessage(), e);
    }
  }
}
