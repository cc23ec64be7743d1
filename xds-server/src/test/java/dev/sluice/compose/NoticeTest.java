package dev.sluice.compose;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.RepoPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Sluice is Apache-2.0: the repository has the license's text, and NOTICE names every third-party
 * component the jar bundles, read from the runtime dependencies Maven resolved for this build
 * (target/runtime-dependencies.txt, written by the dependency plugin before the tests run).
 */
class NoticeTest {
  private static final Pattern COORDINATES =
      Pattern.compile("^\\s+([\\w.-]+):([\\w.-]+):jar:[^:]+:(compile|runtime)", Pattern.MULTILINE);

  @Test
  void theLicenseIsApache2() throws IOException {
    assertThat(Files.readString(RepoPaths.resolve("LICENSE")))
        .contains("Apache License")
        .contains("Version 2.0, January 2004");
  }

  @Test
  void noticeNamesEveryBundledComponent() throws IOException {
    Path resolved = Path.of("target/runtime-dependencies.txt");
    assertThat(resolved).as("written by the build before the tests").exists();
    Matcher m = COORDINATES.matcher(Files.readString(resolved));
    List<String> bundled = m.results().map(r -> r.group(1) + ":" + r.group(2)).toList();
    assertThat(bundled).as("runtime dependencies").hasSizeGreaterThan(20);
    List<String> notice =
        Files.readAllLines(RepoPaths.resolve("NOTICE")).stream().map(String::strip).toList();
    assertThat(notice).as("the components NOTICE names").containsAll(bundled);
  }
}
