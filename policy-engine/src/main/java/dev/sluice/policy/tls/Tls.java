package dev.sluice.policy.tls;

import dev.sluice.core.PemKeys;
import dev.sluice.yaml.Fields;
import dev.sluice.yaml.YamlNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 *
 *
 * <pre>
 * tls:
 *   certificate: certs/edge.pem      # required; PEM, leaf first; relative to the policy file
 *   key: certs/edge-key.pem          # required; PEM, unencrypted (PKCS#8, PKCS#1 or SEC1)
 *   clientCa: certs/clients-ca.pem   # optional: require client certificates signed by these CAs
 *   minVersion: "1.2"                # "1.2" (default) or "1.3"
 * </pre>
 *
 * The files are read and checked when the policies load — PEM that parses, a key that belongs to
 * the certificate, a key type and size Envoy serves — so Envoy never gets a secret it would reject,
 * and a certificate rewritten before its key is rejected until the key follows.
 *
 * <p>The key's text is never put in a message: errors about it name the file and what is wrong,
 * nothing read from it.
 */
public final class Tls {
  static final Set<String> FIELDS = Set.of("certificate", "key", "clientCa", "minVersion");

  /** Certificate chains and keys are a few KiB; anything this large is the wrong file. */
  static final long MAX_FILE_BYTES = 1024 * 1024;

  private static final Map<String, TlsSpec.Version> VERSIONS =
      Map.of("1.2", TlsSpec.Version.TLS_1_2, "1.3", TlsSpec.Version.TLS_1_3);

  /** The curves Envoy accepts in a certificate (anything else fails to load). */
  private static final Map<ASN1ObjectIdentifier, String> CURVES =
      Map.of(
          X9ObjectIdentifiers.prime256v1,
          "P-256",
          SECObjectIdentifiers.secp384r1,
          "P-384",
          SECObjectIdentifiers.secp521r1,
          "P-521");

  private static final int MIN_RSA_BITS = 2048;
  private static final Set<String> KEY_TYPES =
      Set.of("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY");

  private Tls() {}

  public static Optional<TlsSpec> read(YamlNode n, Fields f) {
    if (n.isAbsent() || !f.object(n, FIELDS)) {
      return Optional.empty();
    }
    YamlNode certNode = n.get("certificate");
    YamlNode keyNode = n.get("key");
    YamlNode caNode = n.get("clientCa");
    if (certNode.isAbsent()) {
      f.error(
          certNode, "required field is missing: the PEM file with the certificate chain to serve");
    }
    if (keyNode.isAbsent()) {
      f.error(
          keyNode, "required field is missing: the PEM file with the certificate's private key");
    }
    Optional<TlsSpec.Version> minVersion = minVersion(n.get("minVersion"), f);
    Optional<Path> certPath = path(certNode, f);
    Optional<Path> keyPath = path(keyNode, f);
    Optional<Path> caPath = path(caNode, f);

    Optional<List<X509Certificate>> chain = certPath.flatMap(p -> certificates(certNode, p, f));
    chain.ifPresent(c -> checkLeaf(certNode, certPath.get(), c.get(0), f));
    Optional<PrivateKey> key = keyPath.flatMap(p -> privateKey(keyNode, p, f));
    Optional<List<X509Certificate>> ca = caPath.flatMap(p -> certificates(caNode, p, f));
    if (chain.isEmpty()
        || key.isEmpty()
        || minVersion.isEmpty()
        || (caPath.isPresent() && ca.isEmpty())) {
      return Optional.empty();
    }
    if (!belongsTo(key.get(), chain.get().get(0))) {
      f.error(
          keyNode,
          keyPath.get()
              + " is not the private key of the certificate in "
              + certPath.get()
              + " (rewrite both files when rotating)");
      return Optional.empty();
    }
    return Optional.of(
        new TlsSpec(
            new PemFile(certPath.get(), pem(chain.get())),
            new PrivateKeyFile(keyPath.get(), Pem.encode("PRIVATE KEY", key.get().getEncoded())),
            caPath.map(p -> new PemFile(p, pem(ca.get()))),
            minVersion.get()));
  }

  private static Optional<TlsSpec.Version> minVersion(YamlNode n, Fields f) {
    Optional<String> text = f.string(n);
    if (n.isAbsent()) {
      return Optional.of(TlsSpec.Version.TLS_1_2);
    }
    if (text.isEmpty()) {
      return Optional.empty();
    }
    TlsSpec.Version v = VERSIONS.get(text.get());
    if (v == null) {
      if (text.get().equals("1.0") || text.get().equals("1.1") || text.get().equals("1")) {
        f.error(
            n,
            "TLS "
                + text.get()
                + " is not allowed: the minimum is 1.2 (TLS 1.0 and 1.1 are deprecated, RFC 8996)");
      } else {
        f.error(n, "expected \"1.2\" or \"1.3\", got \"" + text.get() + "\"");
      }
    }
    return Optional.ofNullable(v);
  }

  /**
   * The file a field names, relative to the policy file; noted as referenced even if it does not
   * exist.
   */
  private static Optional<Path> path(YamlNode n, Fields f) {
    if (n.isAbsent()) {
      return Optional.empty();
    }
    Optional<String> name = f.string(n);
    if (name.isEmpty()) {
      return Optional.empty();
    }
    if (name.get().isBlank()) {
      f.error(n, "must not be empty");
      return Optional.empty();
    }
    Path base = n.file() == null ? Path.of(".") : n.file().toAbsolutePath().getParent();
    Path path = base.resolve(name.get()).toAbsolutePath().normalize();
    f.diagnostics().referencedFile(path);
    return Optional.of(path);
  }

  private static Optional<String> read(YamlNode at, Path path, Fields f) {
    try {
      if (!Files.exists(path)) {
        f.error(at, "no such file: " + path);
        return Optional.empty();
      }
      if (!Files.isRegularFile(path)) {
        f.error(at, path + " is not a regular file");
        return Optional.empty();
      }
      long size = Files.size(path);
      if (size > MAX_FILE_BYTES) {
        f.error(
            at,
            path
                + " is too large for a PEM file ("
                + size
                + " bytes, at most "
                + MAX_FILE_BYTES
                + ")");
        return Optional.empty();
      }
      // ISO-8859-1 maps every byte to a character: any file reads, and PEM is ASCII
      return Optional.of(Files.readString(path, StandardCharsets.ISO_8859_1));
    } catch (NoSuchFileException e) {
      f.error(at, "no such file: " + path);
    } catch (AccessDeniedException e) {
      f.error(at, "cannot read " + path + ": permission denied");
    } catch (IOException e) {
      f.error(at, "cannot read " + path + ": " + e.getClass().getSimpleName());
    }
    return Optional.empty();
  }

  /**
   * Every CERTIFICATE block of the file, in order; other blocks (a key in a combined file) are left
   * alone.
   */
  private static Optional<List<X509Certificate>> certificates(YamlNode at, Path path, Fields f) {
    Optional<String> text = read(at, path, f);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    List<X509Certificate> out = new ArrayList<>();
    int index = 0;
    for (Pem.Block b : Pem.blocks(text.get())) {
      if (!b.type().equals("CERTIFICATE")) {
        continue;
      }
      index++;
      try {
        if (b.der() == null) {
          throw new GeneralSecurityException("not base64");
        }
        out.add(
            (X509Certificate)
                CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(b.der())));
      } catch (GeneralSecurityException | RuntimeException e) {
        f.error(at, path + ": certificate " + index + " is not a valid X.509 certificate");
        return Optional.empty();
      }
    }
    if (out.isEmpty()) {
      f.error(at, path + " holds no PEM certificate (a -----BEGIN CERTIFICATE----- block)");
      return Optional.empty();
    }
    return Optional.of(out);
  }

  /**
   * Envoy refuses RSA keys under 2048 bits and curves other than P-256/384/521; an expired
   * certificate only earns a warning.
   */
  private static void checkLeaf(YamlNode at, Path path, X509Certificate leaf, Fields f) {
    PublicKey k = leaf.getPublicKey();
    SubjectPublicKeyInfo info = SubjectPublicKeyInfo.getInstance(k.getEncoded());
    ASN1ObjectIdentifier alg = info.getAlgorithm().getAlgorithm();
    if (alg.equals(PKCSObjectIdentifiers.rsaEncryption)) {
      int bits = ((RSAPublicKey) k).getModulus().bitLength();
      if (bits < MIN_RSA_BITS) {
        f.error(
            at,
            path
                + ": the certificate's RSA key has "
                + bits
                + " bits; Envoy requires "
                + MIN_RSA_BITS
                + " or more");
      }
    } else if (alg.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
      ASN1Primitive curve =
          info.getAlgorithm().getParameters() == null
              ? null
              : info.getAlgorithm().getParameters().toASN1Primitive();
      if (!(curve instanceof ASN1ObjectIdentifier oid) || !CURVES.containsKey(oid)) {
        f.error(
            at,
            path
                + ": the certificate's ECDSA curve is not one Envoy serves (use P-256, P-384 or P-521)");
      }
    } else {
      f.error(
          at,
          path
              + ": the certificate has a "
              + k.getAlgorithm()
              + " key; Envoy serves RSA (2048 bits or more) and ECDSA (P-256, P-384, P-521) certificates");
    }
    Instant notAfter = leaf.getNotAfter().toInstant();
    Instant notBefore = leaf.getNotBefore().toInstant();
    Instant now = Instant.now();
    if (notAfter.isBefore(now)) {
      f.warning(at, path + ": the certificate expired at " + notAfter + "; clients will refuse it");
    } else if (notBefore.isAfter(now)) {
      f.warning(
          at,
          path
              + ": the certificate is not valid before "
              + notBefore
              + "; clients will refuse it until then");
    }
  }

  /**
   * The one private key of the file. Re-encoded by the JDK as PKCS#8, so the same key gives the
   * same bytes whichever form the file has. Messages name the file and never quote it.
   */
  private static Optional<PrivateKey> privateKey(YamlNode at, Path path, Fields f) {
    Optional<String> text = read(at, path, f);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    List<Pem.Block> keys =
        Pem.blocks(text.get()).stream().filter(b -> b.type().endsWith("PRIVATE KEY")).toList();
    if (keys.isEmpty()) {
      f.error(at, path + " holds no PEM private key (a -----BEGIN PRIVATE KEY----- block)");
      return Optional.empty();
    }
    if (keys.size() > 1) {
      f.error(at, path + " holds " + keys.size() + " private keys; give exactly one");
      return Optional.empty();
    }
    Pem.Block b = keys.get(0);
    if (b.encrypted()) {
      f.error(
          at,
          path
              + " holds an encrypted private key, which Envoy cannot use: decrypt it (openssl pkey -in <file> -out <file>)"
              + " and protect the file instead");
      return Optional.empty();
    }
    try {
      if (b.der() == null) {
        throw new IllegalArgumentException("not base64");
      }
      if (!KEY_TYPES.contains(b.type())) {
        f.error(
            at,
            path
                + " holds a "
                + b.type()
                + " block; expected PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY");
        return Optional.empty();
      }
      return Optional.of(canonical(PemKeys.privateKey(Pem.encode(b.type(), b.der()))));
    } catch (PemKeys.UnreadableKeyException | GeneralSecurityException | RuntimeException e) {
      // no exception text: parsers may quote what they could not read
      f.error(
          at,
          path
              + ": the private key cannot be read (expected unencrypted PKCS#8, PKCS#1 or SEC1 PEM)");
      return Optional.empty();
    }
  }

  /**
   * The key rebuilt from its numbers: the JDK keeps a parsed key's original encoding, which differs
   * between forms.
   */
  private static PrivateKey canonical(PrivateKey k) throws GeneralSecurityException {
    KeyFactory factory = KeyFactory.getInstance(k.getAlgorithm());
    if (k instanceof ECPrivateKey ec) {
      return factory.generatePrivate(new ECPrivateKeySpec(ec.getS(), ec.getParams()));
    }
    if (k instanceof RSAPrivateCrtKey rsa) {
      return factory.generatePrivate(
          new RSAPrivateCrtKeySpec(
              rsa.getModulus(),
              rsa.getPublicExponent(),
              rsa.getPrivateExponent(),
              rsa.getPrimeP(),
              rsa.getPrimeQ(),
              rsa.getPrimeExponentP(),
              rsa.getPrimeExponentQ(),
              rsa.getCrtCoefficient()));
    }
    return k;
  }

  /**
   * Signs a fixed message with the key and checks it with the certificate: works for every key
   * type.
   */
  private static boolean belongsTo(PrivateKey key, X509Certificate cert) {
    try {
      String alg =
          switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC", "ECDSA" -> "SHA256withECDSA";
            default -> null;
          };
      if (alg == null || !key.getAlgorithm().equals(cert.getPublicKey().getAlgorithm())) {
        return false;
      }
      byte[] message =
          "sluice: does this key belong to this certificate?".getBytes(StandardCharsets.US_ASCII);
      Signature sign = Signature.getInstance(alg);
      sign.initSign(key);
      sign.update(message);
      byte[] signature = sign.sign();
      Signature verify = Signature.getInstance(alg);
      verify.initVerify(cert.getPublicKey());
      verify.update(message);
      return verify.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static String pem(List<X509Certificate> certs) {
    StringBuilder sb = new StringBuilder();
    for (X509Certificate c : certs) {
      try {
        sb.append(Pem.encode("CERTIFICATE", c.getEncoded()));
      } catch (CertificateEncodingException e) {
        throw new IllegalStateException("a certificate that parsed cannot be encoded", e);
      }
    }
    return sb.toString();
  }
}
