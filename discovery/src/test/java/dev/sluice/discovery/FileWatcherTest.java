package dev.sluice.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileWatcherTest {
  @TempDir Path dir;

  private final AtomicInteger changes = new AtomicInteger();

  @Test
  void aChangeInALinkedSubFolderCallsBackAndALinkLoopIsWatchedOnce() throws Exception {
    Path policies = Files.createDirectory(dir.resolve("policies"));
    Path team = Files.createDirectories(dir.resolve("elsewhere/team"));
    Files.writeString(team.resolve("routes.yaml"), "a");
    Files.createSymbolicLink(policies.resolve("team"), team);
    Files.createSymbolicLink(team.resolve("loop"), policies);
    try (FileWatcher w =
        new FileWatcher(policies, Duration.ofMillis(50), changes::incrementAndGet)) {
      Files.writeString(team.resolve("routes.yaml"), "b");
      await().atMost(Duration.ofSeconds(10)).until(() -> changes.get() >= 1);
      assertThat(w.failures()).isZero();
    }
  }

  @Test
  void aFolderUnderADotFolderIsNotWatched() throws Exception {
    Path policies = Files.createDirectory(dir.resolve("policies"));
    Path stamped = Files.createDirectory(policies.resolve("..2026_12_07_20_00.000000001"));
    Files.writeString(stamped.resolve("routes.yaml"), "a");
    try (FileWatcher w =
        new FileWatcher(policies, Duration.ofMillis(50), changes::incrementAndGet)) {
      Files.writeString(stamped.resolve("routes.yaml"), "b");
      Files.writeString(policies.resolve("seen.yaml"), "c");
      await().atMost(Duration.ofSeconds(10)).until(() -> changes.get() >= 1);
      Thread.sleep(300); // a debounced callback for the dot-folder's change would come within this
      assertThat(changes.get()).isEqualTo(1);
    }
  }

  /**
   * Any failure, an Error too, is reported and counted, and the watch is set up again: later edits
   * are seen.
   */
  @Test
  void aWatchThatFailsIsReportedAndSetUpAgain() throws Exception {
    AtomicBoolean fail = new AtomicBoolean(true);
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    WatchLoop.Watches watches =
        new WatchLoop.Watches() {
          @Override
          public void registerAll(WatchService service) throws IOException {
            dir.register(
                service,
                StandardWatchEventKinds.ENTRY_CREATE,
                StandardWatchEventKinds.ENTRY_MODIFY);
          }

          @Override
          public boolean relevant(WatchKey key, WatchEvent<?> event, WatchService service) {
            if (fail.getAndSet(false)) {
              throw new OutOfMemoryError("what a loaded JVM throws anywhere");
            }
            return true;
          }
        };
    Debouncer reload =
        new Debouncer("test-reload", Duration.ofMillis(50), changes::incrementAndGet, "test");
    try (WatchLoop loop =
        new WatchLoop("test-watch", "test folder", watches, reload, failures::add)) {
      Files.writeString(dir.resolve("first.yaml"), "a");
      await().atMost(Duration.ofSeconds(10)).until(() -> loop.failures() == 1);
      assertThat(failures).singleElement().isInstanceOf(OutOfMemoryError.class);
      // set up again, it reloads once for what it may have missed, then sees the next edit
      await().atMost(Duration.ofSeconds(10)).until(() -> changes.get() >= 1);
      int before = changes.get();
      Files.writeString(dir.resolve("second.yaml"), "b");
      await().atMost(Duration.ofSeconds(10)).until(() -> changes.get() > before);
    }
  }

  /**
   * The JDK's watch service waits in close() for its poller thread; a dead poller (killed by an
   * OutOfMemoryError) is played by a suspended one. Closing the watcher still returns.
   */
  @Test
  @SuppressWarnings("removal")
  void closingReturnsWhenTheWatchServicesPollerDoesNotAnswer() throws Exception {
    try (FileWatcher w = new FileWatcher(dir, Duration.ofMillis(50), changes::incrementAndGet)) {
      List<Thread> pollers =
          Thread.getAllStackTraces().keySet().stream()
              .filter(t -> t.getName().equals("FileSystemWatchService"))
              .toList();
      assertThat(pollers).isNotEmpty();
      pollers.forEach(Thread::suspend);
      try {
        CompletableFuture<Void> closed = CompletableFuture.runAsync(w::close);
        await().atMost(Duration.ofSeconds(30)).until(closed::isDone);
      } finally {
        pollers.forEach(Thread::resume);
      }
    }
  }
}
