package dev.sluice.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@code sluice hash-key} / {@code hash-password}: the values a Consumer holds, from standard
 * input.
 */
class HashKeyCommandTest {
  private static String run(String stdin, String... args) {
    InputStream in = System.in;
    System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    try {
      StringWriter out = new StringWriter();
      assertThat(SluiceCli.run(new PrintWriter(out), args)).isZero();
      return out.toString();
    } finally {
      System.setIn(in);
    }
  }

  @Test
  void hashKeyPrintsTheSha256EntryOfTheKeyOnStandardInput() {
    // sha256("abc") from FIPS 180-2, appendix B.1
    assertThat(run("abc\n", "hash-key"))
        .isEqualTo("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n");
  }

  @Test
  void generateMakesARandomKeyAndPrintsItsHash() {
    String[] lines = run("", "hash-key", "--generate").split("\n");
    String key = lines[0].substring(lines[0].lastIndexOf(' ') + 1);
    assertThat(key).startsWith("sk_").hasSizeGreaterThan(40);
    assertThat(lines[1]).isEqualTo(run(key, "hash-key").trim());
    assertThat(run("", "hash-key", "--generate")).doesNotContain(key);
  }

  @Test
  void hashPasswordPrintsTheHtpasswdShaForm() {
    // htpasswd -nbs user password → user:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=
    assertThat(run("password", "hash-password")).isEqualTo("{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n");
  }
}
