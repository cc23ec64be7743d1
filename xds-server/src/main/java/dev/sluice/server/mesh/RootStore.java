package dev.sluice.server.mesh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The root on disk: {@value #CERT_FILE} and {@value #KEY_FILE} in the CA directory, loaded if both
 * are there, generated and written otherwise.
 *
 * <p>Persisted in a directory, shared by replicas: Sluice replicas are stateless, yet every replica
 * must issue certificates that every sidecar trusts. Pointing them at one directory (a shared
 * volume, or a user-supplied CA) gives them one root, and a restart keeps the root, so identities
 * and existing connections survive it.
 *
 * <p>First start is race-free: creation happens under a {@link DirectoryLock} on {@value
 * #LOCK_FILE}. Under the lock the files are re-checked, so a replica that loses the race reads the
 * winner's root instead of writing its own. The key is written first and the certificate last, each
 * atomically ({@link PrivateFiles}), so a reader that sees {@value #CERT_FILE} also sees a complete
 * key. A directory holding only one of the two files is an error, not a reason to generate a new
 * root over it.
 */
final class RootStore {
  static final String CERT_FILE = "ca.pem";
  static final String KEY_FILE = "ca-key.pem";
  static final String LOCK_FILE = "ca.lock";

  private RootStore() {}

  /**
   * @throws CaException if the files cannot be read or used (the message names the file)
   */
  static CaRoot loadOrCreate(Path dir, String trustDomain, Clock clock) {
    Path certFile = dir.resolve(CERT_FILE);
    Path keyFile = dir.resolve(KEY_FILE);
    if (Files.exists(certFile) && Files.exists(keyFile)) {
      return RootCheck.load(certFile, keyFile, trustDomain, clock);
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new CaException(dir + ": cannot create the CA directory: " + e.getMessage(), e);
    }
    try {
      return DirectoryLock.holding(
          dir.resolve(LOCK_FILE), () -> loadOrGenerate(certFile, keyFile, trustDomain, clock));
    } catch (IOException e) {
      throw new CaException(dir + ": cannot create the CA: " + e.getMessage(), e);
    }
  }

  /** Under the lock: another replica may have written the root meanwhile. */
  private static CaRoot loadOrGenerate(Path certFile, Path keyFile, String trustDomain, Clock clock)
      throws IOException {
    boolean hasCert = Files.exists(certFile);
    boolean hasKey = Files.exists(keyFile);
    if (hasCert && hasKey) {
      return RootCheck.load(certFile, keyFile, trustDomain, clock);
    }
    if (hasCert || hasKey) {
      throw halfPresent(hasCert ? certFile : keyFile, hasCert ? keyFile : certFile);
    }
    CaRoot root = RootGenerator.generate(trustDomain, clock);
    PrivateFiles.writeAtomically(keyFile, Pem.of(root.key()), true);
    PrivateFiles.writeAtomically(certFile, root.pem(), false);
    return root;
  }

  private static CaException halfPresent(Path present, Path missing) {
    return new CaException(
        missing
            + ": missing, but "
            + present
            + " exists; supply both files,"
            + " or remove "
            + present
            + " to let Sluice generate a new root");
  }
}
