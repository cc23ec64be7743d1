package dev.sluice.yaml;

/**
 * How much YAML Sluice reads from one file (docs/policies.md, Limits): each bound is checked before
 * the work it protects, and input beyond it is refused with a finding at its place. The defaults
 * can be changed with Java system properties ({@code
 * JAVA_OPTS="-Dsluice.yaml.maxFileBytes=8388608"}).
 *
 * @param maxFileBytes a larger file is refused before it is read
 * @param maxDocuments documents ({@code ---}) in one file
 * @param maxScalarChars characters of one value (or key)
 * @param maxDepth maps and lists nested in one another
 */
public record YamlLimits(long maxFileBytes, int maxDocuments, int maxScalarChars, int maxDepth) {
  public static final YamlLimits DEFAULT =
      new YamlLimits(
          Long.getLong("sluice.yaml.maxFileBytes", 4L * 1024 * 1024),
          Integer.getInteger("sluice.yaml.maxDocuments", 10_000),
          Integer.getInteger("sluice.yaml.maxScalarChars", 256 * 1024),
          Integer.getInteger("sluice.yaml.maxDepth", 32));
}
