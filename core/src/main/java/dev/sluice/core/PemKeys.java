package dev.sluice.core;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/**
 * Private keys in PEM as tools write them: PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE
 * KEY}) and SEC1 ({@code EC PRIVATE KEY}, whose public part is optional). Failures carry no cause
 * and no parser message: either might quote the key's text.
 */
public final class PemKeys {
  private PemKeys() {}

  /**
   * The first PEM object of {@code pem}, which must be an unencrypted private key.
   *
   * @throws UnreadableKeyException saying what is wrong, never quoting {@code pem}
   */
  public static PrivateKey privateKey(String pem) throws UnreadableKeyException {
    Object o;
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      o = parser.readObject();
    } catch (Exception e) {
      throw new UnreadableKeyException(
          "not a readable PEM private key (the PEM block is malformed)");
    }
    try {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (o instanceof PEMKeyPair pair) {
        // only the private part: a SEC1 key written without its public key has none to convert
        return converter.getPrivateKey(pair.getPrivateKeyInfo());
      }
      if (o instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
    } catch (Exception e) {
      throw new UnreadableKeyException("not a usable private key (the key data is malformed)");
    }
    if (o == null) {
      throw new UnreadableKeyException("no PEM private key found");
    }
    throw new UnreadableKeyException(
        "not an unencrypted private key (found "
            + o.getClass().getSimpleName()
            + "; encrypted keys are not supported)");
  }

  /** A key that cannot be read; the message says why and quotes nothing of the key. */
  /**
   * The PEM text of a certificate, key or key generator BouncyCastle can write (a {@code
   * JcaPKCS8Generator} for a private key in PKCS#8).
   */
  public static String text(Object pemObject) {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
      pw.writeObject(pemObject);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  public static final class UnreadableKeyException extends Exception {
    private static final long serialVersionUID = 1L;

    UnreadableKeyException(String message) {
      super(message);
    }
  }
}
