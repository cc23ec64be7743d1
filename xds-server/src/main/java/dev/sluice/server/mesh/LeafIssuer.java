package dev.sluice.server.mesh;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;

/**
 * Issues leaves signed by the root, each with a fresh key and a random serial ({@link Keys}).
 *
 * <p>Workload leaves follow the SPIFFE X.509-SVID profile: exactly one URI SAN (the SPIFFE ID), not
 * a CA, key usage digitalSignature + keyEncipherment, extended key usage serverAuth + clientAuth
 * (the same certificate serves the inbound listener and the outbound calls), subject CN = service
 * name for humans reading logs. notBefore is backdated a minute so a peer whose clock is slightly
 * behind accepts a fresh certificate; notAfter never exceeds the root's.
 */
final class LeafIssuer {
  /** How far notBefore is backdated, for peers whose clocks lag. */
  static final Duration BACKDATE = Duration.ofMinutes(1);

  /** An IPv4 address or anything with a colon (IPv6): an IP SAN rather than a DNS one. */
  private static final Pattern IP_ADDRESS = Pattern.compile("^(\\d{1,3}(\\.\\d{1,3}){3}|.*:.*)$");

  private final CaRoot root;
  private final Clock clock;

  LeafIssuer(CaRoot root, Clock clock) {
    this.root = root;
    this.clock = clock;
  }

  static void checkTtl(Duration ttl) {
    if (ttl == null || ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("certificate lifetime must be positive, got " + ttl);
    }
  }

  /** A workload leaf for {@code service}, whose SPIFFE ID is {@code id}. */
  WorkloadCertificate workload(String service, String id, Duration ttl) {
    checkTtl(ttl);
    Instant now = clock.instant();
    Instant notAfter = notAfter(now, ttl);
    if (!notAfter.isAfter(now)) {
      throw new CaException(
          "the CA certificate expired at " + root.notAfter() + "; cannot issue for " + service);
    }
    try {
      return sign(
          service,
          now,
          notAfter,
          new ExtendedKeyUsage(
              new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}),
          new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, id)),
          id);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException(
          "cannot issue a certificate for " + service + ": " + e.getMessage(), e);
    }
  }

  /** A TLS server leaf: DNS and IP address SANs, serverAuth only, no SPIFFE ID. */
  WorkloadCertificate server(List<String> names, Duration ttl) {
    checkTtl(ttl);
    if (names.isEmpty()) {
      throw new IllegalArgumentException("a server certificate needs at least one name");
    }
    Instant now = clock.instant();
    GeneralName[] sans =
        names.stream()
            .map(
                n ->
                    new GeneralName(
                        IP_ADDRESS.matcher(n).matches()
                            ? GeneralName.iPAddress
                            : GeneralName.dNSName,
                        n))
            .toArray(GeneralName[]::new);
    try {
      return sign(
          names.get(0),
          now,
          notAfter(now, ttl),
          new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth),
          new GeneralNames(sans),
          "");
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException(
          "cannot issue a server certificate for " + names + ": " + e.getMessage(), e);
    }
  }

  private Instant notAfter(Instant now, Duration ttl) {
    Instant wanted = now.plus(ttl);
    return wanted.isAfter(root.notAfter()) ? root.notAfter() : wanted;
  }

  private WorkloadCertificate sign(
      String commonName,
      Instant now,
      Instant notAfter,
      ExtendedKeyUsage usage,
      GeneralNames sans,
      String spiffeId)
      throws GeneralSecurityException, CertIOException {
    KeyPair pair = Keys.ecKeys();
    BigInteger serial = Keys.serial();
    X509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            root.certificate(),
            serial,
            Date.from(now.minus(BACKDATE)),
            Date.from(notAfter),
            new X500Name("CN=" + commonName),
            pair.getPublic());
    JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    b.addExtension(
        Extension.keyUsage,
        true,
        new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
    b.addExtension(Extension.extendedKeyUsage, false, usage);
    b.addExtension(Extension.subjectAlternativeName, false, sans);
    b.addExtension(
        Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
    b.addExtension(
        Extension.authorityKeyIdentifier,
        false,
        ext.createAuthorityKeyIdentifier(root.certificate()));
    X509Certificate leaf = Keys.sign(b, root.key());
    return new WorkloadCertificate(
        Pem.of(leaf),
        Pem.of(pair.getPrivate()),
        root.pem(),
        serial,
        leaf.getNotBefore().toInstant(),
        leaf.getNotAfter().toInstant(),
        spiffeId);
  }
}
