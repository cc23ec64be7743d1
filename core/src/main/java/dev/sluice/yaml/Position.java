package dev.sluice.yaml;

/** A place in a source file, 1-based like editors show it. */
public record Position(int line, int column) {
  public static final Position UNKNOWN = new Position(0, 0);

  @Override
  public String toString() {
    return line + ":" + column;
  }
}
