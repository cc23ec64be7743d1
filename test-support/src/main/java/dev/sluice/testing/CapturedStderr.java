package dev.sluice.testing;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Copies what the JVM writes to System.err (where slf4j-simple sends Sluice's log) while open,
 * still passing it through, so a test can assert on Sluice's own log lines.
 */
public final class CapturedStderr implements AutoCloseable {
  private final PrintStream original = System.err;
  private final ByteArrayOutputStream copy = new ByteArrayOutputStream();

  public CapturedStderr() {
    System.setErr(
        new PrintStream(
            new OutputStream() {
              @Override
              public synchronized void write(int b) {
                copy.write(b);
                original.write(b);
              }

              @Override
              public synchronized void write(byte[] b, int off, int len) {
                copy.write(b, off, len);
                original.write(b, off, len);
              }
            },
            true,
            StandardCharsets.UTF_8));
  }

  public synchronized String text() {
    return copy.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    System.setErr(original);
  }
}
