package dev.sluice.ir;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An API key read from {@code header} or {@code query} (one is empty) whose SHA-256 must be one of
 * {@code consumerBySha256}'s keys; the value is the consumer's name.
 */
public record ApiKeyCheck(String header, String query, SortedMap<String, String> consumerBySha256) {
  public ApiKeyCheck {
    consumerBySha256 = Collections.unmodifiableSortedMap(new TreeMap<>(consumerBySha256));
  }

  public static ApiKeyCheck of(String header, String query, Map<String, String> consumerBySha256) {
    return new ApiKeyCheck(header, query, new TreeMap<>(consumerBySha256));
  }
}
