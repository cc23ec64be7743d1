package dev.sluice.policy;

import dev.sluice.yaml.Fields;
import dev.sluice.yaml.YamlNode;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A {@code host:port} that Envoy reaches by DNS, such as a collector or a rate-limit service.
 *
 * @param host a host name or IP address (no brackets for IPv6)
 */
public record HostPort(String host, int port) {
  private static final Pattern HOST_NAME =
      Pattern.compile(
          "^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$");
  private static final Pattern IPV6 = Pattern.compile("^[0-9a-fA-F:.]+$");

  /**
   * Reads {@code host}, {@code host:port}, {@code [IPv6]} or {@code [IPv6]:port}; reports mistakes
   * at {@code n}.
   *
   * @param defaultPort the port when none is written
   * @param example what to write instead, for the messages, e.g. {@code otel-collector:4317 (OTLP
   *     over gRPC, without a scheme)}
   */
  public static Optional<HostPort> read(
      String text, YamlNode n, Fields f, int defaultPort, String example) {
    if (text.contains("://")) {
      f.error(n, "write host:port, e.g. " + example + ", got \"" + text + "\"");
      return Optional.empty();
    }
    String host = text;
    String port = null;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0
          || !IPV6.matcher(text.substring(1, close)).matches()
          || (close < text.length() - 1 && text.charAt(close + 1) != ':')) {
        f.error(n, "\"" + text + "\" is not [IPv6 address]:port");
        return Optional.empty();
      }
      host = text.substring(1, close);
      port = close < text.length() - 1 ? text.substring(close + 2) : null;
    } else if (text.chars().filter(c -> c == ':').count() > 1) {
      f.error(n, "write an IPv6 address in brackets: [" + text + "]:" + defaultPort);
      return Optional.empty();
    } else if (text.contains(":")) {
      host = text.substring(0, text.indexOf(':'));
      port = text.substring(text.indexOf(':') + 1);
    }
    if (!text.startsWith("[") && !HOST_NAME.matcher(host).matches()) {
      f.error(n, "\"" + host + "\" is not a host name or IP address");
      return Optional.empty();
    }
    if (port == null) {
      return Optional.of(new HostPort(host, defaultPort));
    }
    if (!port.matches("[0-9]{1,5}")
        || Integer.parseInt(port) < 1
        || Integer.parseInt(port) > 65535) {
      f.error(n, "\"" + port + "\" is not a port (1..65535)");
      return Optional.empty();
    }
    return Optional.of(new HostPort(host, Integer.parseInt(port)));
  }
}
