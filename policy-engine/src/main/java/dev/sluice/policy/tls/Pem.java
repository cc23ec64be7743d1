package dev.sluice.policy.tls;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PEM blocks of a file. Our own small scanner rather than BouncyCastle's PEMParser, which
 * throws on the first block type it does not know: a certificate file may carry a key, a key file
 * its certificate, and either may have comments around the blocks.
 */
final class Pem {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);

  /**
   * One block.
   *
   * @param der the decoded body, or null when it is not base64
   * @param encrypted a PKCS#8 {@code ENCRYPTED PRIVATE KEY}, or a legacy block with a {@code
   *     Proc-Type: 4,ENCRYPTED} header
   */
  @SuppressWarnings("ArrayRecordComponent") // read once and handed on, never compared
  record Block(String type, byte[] der, boolean encrypted) {}

  private Pem() {}

  static List<Block> blocks(String text) {
    List<Block> out = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      String type = m.group(1);
      boolean encrypted =
          type.startsWith("ENCRYPTED ") || m.group(2).contains("Proc-Type: 4,ENCRYPTED");
      byte[] der;
      try {
        der = Base64.getDecoder().decode(m.group(2).replaceAll("\\s", ""));
      } catch (IllegalArgumentException e) {
        der = null;
      }
      out.add(new Block(type, der, encrypted));
    }
    return out;
  }

  /** One PEM block, 64 base64 characters a line, ending with a newline. */
  static String encode(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
