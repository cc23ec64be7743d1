package dev.sluice.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.yaml.Finding;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileCatalogSourceTest {
  private static final Duration DEBOUNCE = Duration.ofMillis(100);

  @TempDir Path dir;
  private final List<ServiceCatalog> catalogs = new CopyOnWriteArrayList<>();
  private final List<List<Finding>> errors = new CopyOnWriteArrayList<>();
  private FileCatalogSource source;

  private final CatalogListener listener =
      new CatalogListener() {
        @Override
        public void onCatalog(ServiceCatalog catalog) {
          catalogs.add(catalog);
        }

        @Override
        public void onError(List<Finding> problems) {
          errors.add(problems);
        }
      };

  @AfterEach
  void close() {
    if (source != null) {
      source.close();
    }
  }

  private Path start(String content) throws Exception {
    Path file = dir.resolve("services.yaml");
    Files.writeString(file, content);
    source = new FileCatalogSource(file, DEBOUNCE);
    source.start(listener);
    return file;
  }

  @Test
  void theFirstCatalogIsDeliveredByStart() throws Exception {
    start("services:\n  users: [127.0.0.1:9001]\n");
    assertThat(catalogs).hasSize(1);
    assertThat(catalogs.get(0).services().keySet()).containsExactly("users");
    assertThat(errors).isEmpty();
    assertThat(source.describe()).isEqualTo("file:" + dir.resolve("services.yaml"));
  }

  @Test
  void anEditDeliversTheNewCatalogWithinTwoSeconds() throws Exception {
    Path file = start("services:\n  users: [127.0.0.1:9001]\n");
    Files.writeString(file, "services:\n  users: [127.0.0.1:9001]\n  orders: [127.0.0.1:9002]\n");
    await().atMost(Duration.ofSeconds(30)).until(() -> catalogs.size() == 2);
    assertThat(catalogs.get(1).services().keySet()).containsExactly("orders", "users");
    assertThat(errors).isEmpty();
  }

  @Test
  void anAtomicRenameIsSeenToo() throws Exception {
    Path file = start("services:\n  users: [127.0.0.1:9001]\n");
    Path tmp = dir.resolve(".services.yaml.swp");
    Files.writeString(tmp, "services:\n  users: [127.0.0.1:9005]\n");
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    await().atMost(Duration.ofSeconds(30)).until(() -> catalogs.size() == 2);
    assertThat(catalogs.get(1).service("users").orElseThrow().instances())
        .containsExactly(ServiceInstance.of("127.0.0.1", 9005));
  }

  @Test
  void aBrokenEditIsReportedAndTheCatalogIsKept() throws Exception {
    Path file = start("services:\n  users: [127.0.0.1:9001]\n");
    Files.writeString(file, "services:\n  users:\n    - address: 127.0.0.1\n      port: 99999\n");
    await().atMost(Duration.ofSeconds(30)).until(() -> !errors.isEmpty());
    assertThat(errors.get(0))
        .extracting(Finding::format)
        .containsExactly(
            "error: "
                + file
                + ":4:13: Service/users field services.users[0].port: 99999 is out of range 1..65535");
    // Nothing else arrives: the previous catalog stays in force.
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(30))
        .until(() -> catalogs.size() == 1);

    Files.writeString(file, "services:\n  users: [127.0.0.1:9001, 127.0.0.1:9002]\n");
    await().atMost(Duration.ofSeconds(30)).until(() -> catalogs.size() == 2);
    assertThat(catalogs.get(1).service("users").orElseThrow().instances()).hasSize(2);
  }

  @Test
  void invalidYamlIsReportedWithItsPosition() throws Exception {
    Path file = start("services:\n  users: [127.0.0.1:9001]\n");
    Files.writeString(file, "services:\n  users: [127.0.0.1:9001\n");
    await().atMost(Duration.ofSeconds(30)).until(() -> !errors.isEmpty());
    assertThat(errors.get(0)).hasSize(1);
    assertThat(errors.get(0).get(0).format()).startsWith("error: " + file + ":3:1: invalid YAML: ");
    assertThat(catalogs).hasSize(1);
  }

  @Test
  void rewritingTheSameContentDeliversNothing() throws Exception {
    Path file = start("services:\n  users: [127.0.0.1:9001]\n");
    // Same services, written differently: the catalog is equal, so listeners are not bothered.
    Files.writeString(
        file, "# touched\nservices:\n  users:\n    - address: 127.0.0.1\n      port: 9001\n");
    Files.writeString(dir.resolve("unrelated.txt"), "x");
    await()
        .during(Duration.ofMillis(400))
        .atMost(Duration.ofSeconds(30))
        .until(() -> catalogs.size() == 1);
    assertThat(errors).isEmpty();
  }

  @Test
  void aMissingFileIsAnError() {
    FileCatalogSource.Result r = FileCatalogSource.read(dir.resolve("absent.yaml"));
    assertThat(r.catalog()).isEmpty();
    assertThat(r.findings())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.isError()).isTrue();
              assertThat(f.message()).startsWith("cannot read the registry file: ");
            });
  }
}
