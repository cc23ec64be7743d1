package dev.sluice.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Chromium, headless: the DOM a page renders to and a screenshot of it. Found via {@code
 * CHROMIUM_BIN}, then {@code chromium} on the PATH; missing, it fails and says how to install it.
 */
public final class HeadlessChromium {
  private final Path binary;

  private HeadlessChromium(Path binary) {
    this.binary = binary;
  }

  public static HeadlessChromium find() {
    return new HeadlessChromium(
        Executables.find(
            "CHROMIUM_BIN",
            List.of("chromium", "chromium-browser"),
            "Run scripts/install-chromium (Debian's package chromium: apt-get install chromium) or set CHROMIUM_BIN."));
  }

  /** The DOM after the page loaded, as HTML. */
  public String dom(String url) throws IOException, InterruptedException {
    return run(List.of("--dump-dom", url), null);
  }

  /** Saves a PNG of the page at {@code width}×{@code height}. */
  public void screenshot(String url, Path png, int width, int height)
      throws IOException, InterruptedException {
    Files.createDirectories(png.toAbsolutePath().getParent());
    run(
        List.of(
            "--screenshot=" + png.toAbsolutePath(),
            "--window-size=" + width + "," + height,
            "--hide-scrollbars",
            url),
        png);
  }

  private String run(List<String> args, Path expected) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory("chromium-profile");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                binary.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--user-data-dir=" + profile));
    cmd.addAll(args);
    try {
      Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("chromium did not finish within 60 s: " + cmd);
      }
      if (expected != null && !Files.isRegularFile(expected)) {
        throw new IllegalStateException(
            "chromium wrote no " + expected + " (exit " + p.exitValue() + ")");
      }
      return new String(out, StandardCharsets.UTF_8);
    } finally {
      try (var files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }
}
