package dev.sluice.server.mesh;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Collection;
import java.util.List;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Keys, serials and signatures. EC P-256 wherever Sluice generates a key: small, fast to generate
 * on every issue, accepted by Envoy (BoringSSL) and every TLS stack. A supplied RSA root also
 * works; it then signs with SHA256withRSA.
 */
final class Keys {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Keys() {}

  static KeyPair ecKeys() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return g.generateKeyPair();
  }

  /**
   * 128 random bits, positive and non-zero (RFC 5280 allows up to 20 octets): two replicas never
   * issue the same serial, and a rotation shows as a serial change.
   */
  static BigInteger serial() {
    BigInteger s;
    do {
      byte[] b = new byte[16];
      RANDOM.nextBytes(b);
      s = new BigInteger(1, b);
    } while (s.signum() == 0);
    return s;
  }

  static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey issuer)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(
              b.build(new JcaContentSignerBuilder(signatureAlgorithm(issuer)).build(issuer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  /** Whether {@code key} and {@code pub} are a pair: a random challenge signed and verified. */
  static boolean match(PrivateKey key, PublicKey pub) {
    try {
      byte[] challenge = new byte[32];
      RANDOM.nextBytes(challenge);
      String alg = signatureAlgorithm(key);
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(challenge);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(pub);
      v.update(challenge);
      return v.verify(sig);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /**
   * The certificate's URI subject alternative names; empty when it has none or they do not parse.
   */
  static List<String> uriSans(X509Certificate cert) {
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      if (sans == null) {
        return List.of();
      }
      return sans.stream()
          .filter(e -> Integer.valueOf(GeneralName.uniformResourceIdentifier).equals(e.get(0)))
          .map(e -> String.valueOf(e.get(1)))
          .toList();
    } catch (CertificateParsingException e) {
      return List.of();
    }
  }

  private static String signatureAlgorithm(PrivateKey key) {
    return switch (key.getAlgorithm()) {
      case "EC", "ECDSA" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> throw new CaException("unsupported CA key algorithm " + key.getAlgorithm());
    };
  }
}
