package dev.sluice.policy.tls;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A private key read from a file when the policies loaded. Not a record, so that nothing that
 * prints it (a log line, an exception, a debugger's toString) can show the key: only the file and a
 * fingerprint are ever printed, and the PEM text is reachable through {@link #pem()} alone, which
 * only the SDS translator calls.
 */
public final class PrivateKeyFile {
  private final Path file;
  private final String pem;

  /**
   * @param pem the key as a PKCS#8 {@code PRIVATE KEY} PEM block
   */
  public PrivateKeyFile(Path file, String pem) {
    this.file = Objects.requireNonNull(file, "file");
    this.pem = Objects.requireNonNull(pem, "pem");
  }

  public Path file() {
    return file;
  }

  /** The key itself. Goes to Envoy and nowhere else. */
  public String pem() {
    return pem;
  }

  /**
   * The first 16 hex digits of the SHA-256 of the PEM text: tells two keys apart, reveals nothing.
   */
  public String fingerprint() {
    return fingerprint(pem.getBytes(StandardCharsets.UTF_8));
  }

  /** The first 16 hex digits of the SHA-256 of {@code bytes}. */
  public static String fingerprint(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PrivateKeyFile k && k.file.equals(file) && k.pem.equals(pem);
  }

  @Override
  public int hashCode() {
    return Objects.hash(file, pem);
  }

  @Override
  public String toString() {
    return "PrivateKeyFile[" + file + ", <redacted sha256:" + fingerprint() + ">]";
  }
}
