package dev.sluice.core;

import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;

/**
 * A folder tree as the policy loader reads it and its watcher watches it: links are followed, and
 * hidden folders and files (a name starting with '.', as editors' swap files and {@code .git}) are
 * left out. One rule, so the watcher watches exactly the folders the loader reads.
 */
public final class VisibleTree {
  private VisibleTree() {}

  /** What a walk tells about each place; every method has a default that does nothing. */
  public interface Visitor {
    /** A folder (the root included); false leaves out what is under it. */
    default boolean folder(Path folder) throws IOException {
      return true;
    }

    /** A file, or a link to one or to nothing, that is not hidden. */
    default void file(Path file, BasicFileAttributes attributes) {}

    /** A place that could not be read (not a hidden one): a loop, a dangling link, no access. */
    default void failed(Path place, IOException e) {}
  }

  public static void walk(Path root, Visitor visitor) throws IOException {
    Files.walkFileTree(
        root,
        Set.of(FileVisitOption.FOLLOW_LINKS),
        Integer.MAX_VALUE,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path folder, BasicFileAttributes a)
              throws IOException {
            boolean skip = !folder.equals(root) && hidden(folder);
            return !skip && visitor.folder(folder)
                ? FileVisitResult.CONTINUE
                : FileVisitResult.SKIP_SUBTREE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes a) {
            if (!hidden(file)) {
              visitor.file(file, a);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path place, IOException e) {
            if (!hidden(place)) {
              visitor.failed(place, e);
            }
            return FileVisitResult.CONTINUE;
          }
        });
  }

  public static boolean hidden(Path p) {
    return p.getFileName() != null && p.getFileName().toString().startsWith(".");
  }
}
