package dev.sluice.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSetWatcherTest {
  @TempDir Path dir;

  private final AtomicInteger changes = new AtomicInteger();

  private void atomicWrite(Path file, String text) throws Exception {
    Path tmp = Files.createTempFile(file.getParent(), ".tmp", ".part");
    Files.writeString(tmp, text);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Waits long enough for a debounced callback that should not come. */
  private void quietFor(int expected) throws Exception {
    Thread.sleep(400);
    assertThat(changes.get()).isEqualTo(expected);
  }

  @Test
  void aWatchedFileThatChangesOrAppearsCallsBackOtherFilesDoNot() throws Exception {
    Path cert = dir.resolve("certs/edge.pem");
    Files.createDirectories(cert.getParent());
    try (FileSetWatcher w = new FileSetWatcher(Duration.ofMillis(50), changes::incrementAndGet)) {
      w.watch(Set.of(cert));
      assertThat(w.watched()).containsExactly(cert);

      atomicWrite(cert, "one"); // appears
      await().atMost(Duration.ofSeconds(5)).until(() -> changes.get() == 1);
      atomicWrite(cert, "two"); // changes
      await().atMost(Duration.ofSeconds(5)).until(() -> changes.get() == 2);
      atomicWrite(cert.resolveSibling("notes.txt"), "unrelated");
      quietFor(2);

      w.watch(Set.of()); // no longer used by any policy
      atomicWrite(cert, "three");
      quietFor(2);
    }
  }

  @Test
  void aKubernetesStyleSymlinkSwapCountsAsAChange() throws Exception {
    Path cert = dir.resolve("tls.crt");
    try (FileSetWatcher w = new FileSetWatcher(Duration.ofMillis(50), changes::incrementAndGet)) {
      w.watch(Set.of(cert));
      Files.createDirectory(dir.resolve("..2024_01_01"));
      await().atMost(Duration.ofSeconds(5)).until(() -> changes.get() == 1);
    }
  }

  @Test
  void aFolderThatDoesNotExistIsSkipped() throws Exception {
    try (FileSetWatcher w = new FileSetWatcher(Duration.ofMillis(50), changes::incrementAndGet)) {
      w.watch(Set.of(dir.resolve("nowhere/edge.pem")));
      assertThat(w.watched()).isEmpty();
    }
  }
}
