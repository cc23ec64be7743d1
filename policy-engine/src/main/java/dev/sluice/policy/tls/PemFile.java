package dev.sluice.policy.tls;

import java.nio.file.Path;

/**
 * Public PEM material (certificates) read from a file when the policies loaded.
 *
 * @param file where it was read from, absolute
 * @param pem the certificates, re-encoded as plain PEM blocks in file order (comments and other
 *     text around them dropped), so the output does not depend on how the file was formatted
 */
public record PemFile(Path file, String pem) {
  @Override
  public String toString() {
    return "PemFile[" + file + ", " + pem.length() + " chars]";
  }
}
