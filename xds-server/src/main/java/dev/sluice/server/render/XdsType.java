package dev.sluice.server.render;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The xDS resource types a proxy group gets, in the order {@code render} prints them. */
public enum XdsType {
  LISTENERS("listeners", "name"),
  ROUTES("routes", "name"),
  CLUSTERS("clusters", "name"),
  ENDPOINTS("endpoints", "cluster_name"),
  SECRETS("secrets", "name");

  private final String key;
  private final String nameField;

  XdsType(String key, String nameField) {
    this.key = key;
    this.nameField = nameField;
  }

  /**
   * The section name in rendered YAML and on the command line: {@code listeners}, {@code routes}, …
   */
  public String key() {
    return key;
  }

  /** The field that names a resource of this type ({@code cluster_name} for endpoints). */
  public String nameField() {
    return nameField;
  }

  public static Optional<XdsType> byKey(String key) {
    return Arrays.stream(values()).filter(t -> t.key.equals(key)).findFirst();
  }

  public static List<String> keys() {
    return Arrays.stream(values()).map(XdsType::key).toList();
  }

  @Override
  public String toString() {
    return key;
  }
}
