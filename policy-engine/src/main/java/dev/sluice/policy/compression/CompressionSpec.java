package dev.sluice.policy.compression;

import java.util.List;

/**
 * Response compression on a Gateway (Envoy's compressor filter, one per algorithm, the client's
 * Accept-Encoding choosing). A Route may turn it off with {@code compression: false}.
 *
 * @param algorithms {@code gzip} and/or {@code brotli}, in order of preference
 * @param minLength responses shorter than this many bytes are sent as they are
 * @param contentTypes the media types compressed; empty means Envoy's default list (text, JSON, JS,
 *     XML...)
 */
public record CompressionSpec(List<String> algorithms, int minLength, List<String> contentTypes) {
  public CompressionSpec {
    algorithms = List.copyOf(algorithms);
    contentTypes = List.copyOf(contentTypes);
  }
}
