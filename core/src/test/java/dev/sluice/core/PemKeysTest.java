package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.junit.jupiter.api.Test;

/** Private keys in the PEM forms tools write, and what a key that cannot be used is told. */
class PemKeysTest {
  @Test
  void aPkcs8KeyIsRead() throws Exception {
    var key = ec().getPrivate();
    String pem = pem("PRIVATE KEY", PrivateKeyInfo.getInstance(key.getEncoded()).getEncoded());

    assertThat(PemKeys.privateKey(pem).getEncoded()).isEqualTo(key.getEncoded());
  }

  @Test
  void anEcKeyWrittenWithoutItsPublicPartIsRead() throws Exception {
    ECPrivateKey key = (ECPrivateKey) ec().getPrivate();
    // SEC1 (BEGIN EC PRIVATE KEY) with the curve but no public key, as `openssl ec -no_public`
    // writes it
    ASN1Encodable curve = X9ObjectIdentifiers.prime256v1;
    var sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, key.getS(), curve);

    var read = PemKeys.privateKey(pem("EC PRIVATE KEY", sec1.getEncoded()));

    assertThat(read.getAlgorithm()).isIn("EC", "ECDSA");
    assertThat(((ECPrivateKey) read).getS()).isEqualTo(key.getS());
  }

  @Test
  void aPkcs1RsaKeyIsRead() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    RSAPrivateCrtKey key = (RSAPrivateCrtKey) g.generateKeyPair().getPrivate();
    byte[] pkcs1 =
        PrivateKeyInfo.getInstance(key.getEncoded())
            .parsePrivateKey()
            .toASN1Primitive()
            .getEncoded();

    var read = PemKeys.privateKey(pem("RSA PRIVATE KEY", pkcs1));

    assertThat(((RSAPrivateCrtKey) read).getPrivateExponent()).isEqualTo(key.getPrivateExponent());
  }

  @Test
  void textWithoutPemIsNoKey() {
    assertThatThrownBy(() -> PemKeys.privateKey("not a key"))
        .isInstanceOf(PemKeys.UnreadableKeyException.class)
        .hasMessage("no PEM private key found");
  }

  @Test
  void anEncryptedKeyIsRefusedByName() throws Exception {
    var gen =
        new JcaPKCS8Generator(
            ec().getPrivate(),
            new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
                .setProvider(new BouncyCastleProvider())
                .setPassword("secret".toCharArray())
                .build());
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(gen);
    }

    assertThatThrownBy(() -> PemKeys.privateKey(out.toString()))
        .isInstanceOf(PemKeys.UnreadableKeyException.class)
        .hasMessage(
            "not an unencrypted private key (found PKCS8EncryptedPrivateKeyInfo;"
                + " encrypted keys are not supported)");
  }

  @Test
  void aDamagedKeyIsNamedWithoutQuotingIt() throws Exception {
    byte[] der = PrivateKeyInfo.getInstance(ec().getPrivate().getEncoded()).getEncoded();
    der[der.length / 2] ^= 0x55;
    der[8] ^= 0x7f;
    String pem = pem("PRIVATE KEY", der);
    String body = Base64.getEncoder().encodeToString(der).substring(0, 16);

    assertThatThrownBy(() -> PemKeys.privateKey(pem))
        .isInstanceOf(PemKeys.UnreadableKeyException.class)
        .hasNoCause()
        .message()
        .startsWith("not a ")
        .doesNotContain(body);
  }

  private static KeyPair ec() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static String pem(String type, byte[] der) throws Exception {
    StringWriter out = new StringWriter();
    try (PemWriter w = new PemWriter(out)) {
      w.writeObject(new PemObject(type, der));
    }
    return out.toString();
  }
}
