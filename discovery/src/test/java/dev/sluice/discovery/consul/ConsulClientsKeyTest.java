package dev.sluice.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Client keys for Consul's verify_incoming, in the PEM forms tools write. */
class ConsulClientsKeyTest {
  @TempDir Path dir;

  @Test
  void anEcKeyWrittenWithoutItsPublicPartIsRead() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    java.security.interfaces.ECPrivateKey key =
        (java.security.interfaces.ECPrivateKey) g.generateKeyPair().getPrivate();
    // SEC1 (BEGIN EC PRIVATE KEY) with the curve but no public key, as `openssl ec -no_public`
    // writes it
    ASN1Encodable curve = X9ObjectIdentifiers.prime256v1;
    ECPrivateKey sec1 = new ECPrivateKey(256, key.getS(), curve);
    Path pem = dir.resolve("client-key.pem");
    try (PemWriter w = new PemWriter(Files.newBufferedWriter(pem))) {
      w.writeObject(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
    }
    var read = ConsulClients.privateKey(pem);
    assertThat(read.getAlgorithm()).isIn("EC", "ECDSA");
    assertThat(((java.security.interfaces.ECPrivateKey) read).getS()).isEqualTo(key.getS());
  }

  @Test
  void aPkcs8KeyIsRead() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    var key = g.generateKeyPair().getPrivate();
    Path pem = dir.resolve("pkcs8.pem");
    try (PemWriter w = new PemWriter(Files.newBufferedWriter(pem))) {
      w.writeObject(
          new PemObject("PRIVATE KEY", PrivateKeyInfo.getInstance(key.getEncoded()).getEncoded()));
    }
    assertThat(ConsulClients.privateKey(pem).getEncoded()).isEqualTo(key.getEncoded());
  }
}
