package dev.sluice.server.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Prints what a Consumer's {@code apiKeys} holds for a key. The key is read from standard input,
 * never from the command line, where it would stay in the shell's history and the process list.
 */
@Command(
    name = "hash-key",
    mixinStandardHelpOptions = true,
    description = {
      "Print the sha256:… entry for a Consumer's apiKeys.",
      "Reads the key from standard input (echo -n \"$KEY\" | sluice hash-key), or makes a new random one with --generate."
    })
final class HashKeyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--generate",
      description = "Make a new random key (256 bits) and print it with its hash.")
  boolean generate;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    String key;
    if (generate) {
      byte[] random = new byte[32];
      new SecureRandom().nextBytes(random);
      key = "sk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
      out.println("key (give it to the client; it is not stored anywhere): " + key);
    } else {
      key = readLine();
      if (key == null || key.isEmpty()) {
        spec.commandLine().getErr().println("hash-key: no key on standard input");
        return 2;
      }
    }
    out.println("sha256:" + HexFormat.of().formatHex(digest("SHA-256", key)));
    out.flush();
    return 0;
  }

  private static String readLine() throws IOException {
    return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
  }

  static byte[] digest(String algorithm, String text) {
    try {
      return MessageDigest.getInstance(algorithm).digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * For a Consumer's {@code passwordHash}: the htpasswd {SHA} form, the one Envoy's basic_auth
   * checks.
   */
  @Command(
      name = "hash-password",
      mixinStandardHelpOptions = true,
      description = {
        "Print the {SHA}… value for a Consumer's passwordHash (basic auth).",
        "Reads the password from standard input: echo -n \"$PASSWORD\" | sluice hash-password"
      })
  static final class HashPasswordCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      String password = readLine();
      if (password == null || password.isEmpty()) {
        spec.commandLine().getErr().println("hash-password: no password on standard input");
        return 2;
      }
      spec.commandLine()
          .getOut()
          .println("{SHA}" + Base64.getEncoder().encodeToString(digest("SHA-1", password)));
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
