package dev.sluice.server.mesh;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writing the CA's files: each to a temporary file that is flushed and then atomically renamed, so
 * a reader never sees half a file; keys {@code 0600} and their directories {@code 0700} where the
 * file system has POSIX permissions.
 */
final class PrivateFiles {
  private PrivateFiles() {}

  /** Temporary file in the same directory, flushed, then renamed over {@code target} atomically. */
  static void writeAtomically(Path target, String content, boolean secret) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    boolean posix = Files.getFileStore(dir).supportsFileAttributeView("posix");
    String mode = secret ? "rw-------" : "rw-r--r--";
    Path tmp =
        posix
            ? Files.createTempFile(
                dir,
                "." + target.getFileName(),
                ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)))
            : Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
    try {
      write(tmp, content);
      if (posix) {
        // the umask may have narrowed the mode at creation; set it exactly
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(mode));
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * {@code dir}, created {@code 0700} where the file system has POSIX permissions: it holds keys.
   */
  static void createPrivateDirectory(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    boolean posix =
        Files.getFileStore(dir.toAbsolutePath().getParent()).supportsFileAttributeView("posix");
    try {
      if (posix) {
        Files.createDirectory(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        // the umask may have narrowed the mode at creation; set it exactly
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      } else {
        Files.createDirectory(dir);
      }
    } catch (FileAlreadyExistsException e) {
      // another replica created it first
    }
  }

  private static void write(Path file, String content) throws IOException {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.wrap(content.getBytes(StandardCharsets.US_ASCII));
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
  }
}
