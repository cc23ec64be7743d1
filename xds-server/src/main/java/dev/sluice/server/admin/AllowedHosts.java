package dev.sluice.server.admin;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The {@code Host} headers the admin API answers while it has no token. A web page in a browser on
 * the operator's machine can point a DNS name of its own at 127.0.0.1 (DNS rebinding); the browser
 * then takes the admin port for the page's own origin and lets it read every answer. Such requests
 * carry the page's name as Host, so only these are answered:
 *
 * <ul>
 *   <li>{@code localhost}, the listen address when it is a name, and any further names given;
 *   <li>any IP address ({@code 127.0.0.1}, {@code [::1]}, {@code 10.0.0.5}): a browser sends an
 *       address as Host only to that address, and only a page whose origin is that address and this
 *       port may read the answer — a page this server served;
 * </ul>
 *
 * each with or without a port (a port mapping may change it), in any case, with or without the
 * trailing dot of a fully qualified name.
 */
final class AllowedHosts {
  private static final Pattern PORT = Pattern.compile("\\d{1,5}");
  private static final Pattern IPV4 =
      Pattern.compile(
          "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
  private static final Pattern IPV6 = Pattern.compile("\\[[0-9a-f:.]*:[0-9a-f:.]*]");
  private final Set<String> names = new TreeSet<>();

  /**
   * @param listenAddress where the admin port listens; counts when it is a name
   * @param more further names the operator reaches the admin port by
   */
  AllowedHosts(String listenAddress, Collection<String> more) {
    names.add("localhost");
    List<String> given = new ArrayList<>(more);
    given.add(listenAddress);
    for (String n : given) {
      String name = normal(n);
      // addresses are answered anyway, and a wildcard (0.0.0.0, ::) is nobody's Host
      if (!name.isEmpty() && !isAddress(name) && !name.contains(":")) {
        names.add(name);
      }
    }
  }

  /** Whether a request with this Host header (null when it had none) is answered. */
  boolean allows(String hostHeader) {
    if (hostHeader == null) {
      return false;
    }
    String host = hostHeader.strip();
    String port = "";
    if (host.startsWith("[")) {
      int end = host.indexOf(']');
      if (end < 0) {
        return false;
      }
      port = host.substring(end + 1);
      host = host.substring(0, end + 1);
    } else if (host.indexOf(':') >= 0) {
      port = host.substring(host.indexOf(':'));
      host = host.substring(0, host.indexOf(':'));
    }
    if (!port.isEmpty() && !(port.startsWith(":") && PORT.matcher(port.substring(1)).matches())) {
      return false;
    }
    host = normal(host);
    return !host.isEmpty() && (names.contains(host) || isAddress(host));
  }

  /** The names answered besides addresses, for the refusal's text. */
  Set<String> names() {
    return names;
  }

  private static String normal(String name) {
    String n = name.strip().toLowerCase(Locale.ROOT);
    return n.length() > 1 && n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }

  /** An IPv4 address in dotted decimal, or a bracketed IPv6 address: never a DNS name. */
  private static boolean isAddress(String host) {
    return IPV4.matcher(host).matches() || IPV6.matcher(host).matches();
  }
}
