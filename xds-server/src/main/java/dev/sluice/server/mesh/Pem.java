package dev.sluice.server.mesh;

import dev.sluice.core.PemKeys;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/**
 * Certificates and private keys to and from PEM text. Errors name the file and never carry key
 * material: key parse failures have no cause and no parser message, since either might quote the
 * key's text.
 */
final class Pem {
  static final String CERT_BEGIN = "-----BEGIN CERTIFICATE-----";
  static final String PKCS8_BEGIN = "-----BEGIN PRIVATE KEY-----";

  private Pem() {}

  static String of(X509Certificate cert) {
    return write(cert);
  }

  /** PKCS#8 ({@value #PKCS8_BEGIN}). */
  static String of(PrivateKey key) {
    try {
      return write(new JcaPKCS8Generator(key, null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first certificate in {@code file}. */
  static X509Certificate readCertificate(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new CaException(file + ": missing");
    } catch (IOException e) {
      throw new CaException(file + ": cannot read: " + e.getMessage(), e);
    }
    try {
      Collection<? extends Certificate> certs =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(bytes));
      if (certs.isEmpty()) {
        throw new CaException(file + ": no PEM certificate found");
      }
      return (X509Certificate) certs.iterator().next();
    } catch (CertificateException e) {
      throw new CaException(file + ": not a readable PEM certificate (" + e.getMessage() + ")", e);
    }
  }

  static X509Certificate parseCertificate(String pem) throws CertificateException {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
  }

  /** The first private key in {@code file}. */
  static PrivateKey readPrivateKey(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new CaException(file + ": missing");
    } catch (IOException e) {
      throw new CaException(file + ": cannot read (" + e.getClass().getSimpleName() + ")");
    }
    return parsePrivateKey(text, file);
  }

  /** The first PEM private key in {@code text}; errors name {@code file} and nothing else. */
  static PrivateKey parsePrivateKey(String text, Path file) {
    try {
      return PemKeys.privateKey(text);
    } catch (PemKeys.UnreadableKeyException e) {
      throw new CaException(file + ": " + e.getMessage());
    }
  }

  private static String write(Object o) {
    return PemKeys.text(o);
  }
}
