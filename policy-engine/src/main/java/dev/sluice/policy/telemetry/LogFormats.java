package dev.sluice.policy.telemetry;

import dev.sluice.policy.Source;
import dev.sluice.policy.telemetry.TelemetrySpec.LoggedInput;
import dev.sluice.yaml.Fields;
import dev.sluice.yaml.Suggest;
import dev.sluice.yaml.YamlNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Checks Envoy access-log format strings ({@code %RESPONSE_CODE%}, {@code %REQ(user-agent)%}, …)
 * before Envoy sees them: a command Envoy does not know would make it reject the listener, and a
 * command that writes a credential would break the promise that no key appears in a log.
 *
 * <p>The commands offered are those of Envoy 1.40's substitution formatter that a gateway log
 * needs, each checked against the real binary ({@code envoy --mode validate}). Left out on purpose:
 * {@code ENVIRONMENT} (environment variables hold secrets), {@code FILTER_STATE}, {@code CEL},
 * {@code METADATA} and the other metadata readers besides {@code DYNAMIC_METADATA}, {@code
 * COALESCE}, and TLS session ids.
 */
final class LogFormats {
  /** Envoy's own grammar: {@code %NAME%}, {@code %NAME(args)%}, {@code %NAME(args):length%}. */
  private static final Pattern COMMAND =
      Pattern.compile("%([A-Z0-9_]+)(\\(([^)]*)\\))?(:([0-9]+))?%");

  private static final Pattern LOWER_CASE_COMMAND =
      Pattern.compile("%([A-Za-z0-9_]+)(\\([^)]*\\))?(:[0-9]+)?%");
  private static final Pattern HEADER_NAME = Pattern.compile("^:?[a-zA-Z0-9!#$&'*+.^_`|~-]+$");

  /** Commands without parameters or length. */
  static final Set<String> PLAIN =
      Set.of(
          "REQUEST_HEADERS_BYTES",
          "BYTES_RECEIVED",
          "BYTES_RETRANSMITTED",
          "PACKETS_RETRANSMITTED",
          "PROTOCOL",
          "UPSTREAM_PROTOCOL",
          "RESPONSE_CODE",
          "CONNECTION_TERMINATION_DETAILS",
          "RESPONSE_HEADERS_BYTES",
          "RESPONSE_TRAILERS_BYTES",
          "BYTES_SENT",
          "UPSTREAM_REQUEST_ATTEMPT_COUNT",
          "UPSTREAM_WIRE_BYTES_SENT",
          "UPSTREAM_WIRE_BYTES_RECEIVED",
          "UPSTREAM_HEADER_BYTES_SENT",
          "UPSTREAM_HEADER_BYTES_RECEIVED",
          "DOWNSTREAM_WIRE_BYTES_SENT",
          "DOWNSTREAM_WIRE_BYTES_RECEIVED",
          "DOWNSTREAM_HEADER_BYTES_SENT",
          "DOWNSTREAM_HEADER_BYTES_RECEIVED",
          "DURATION",
          "REQUEST_DURATION",
          "REQUEST_TX_DURATION",
          "RESPONSE_DURATION",
          "RESPONSE_TX_DURATION",
          "ROUNDTRIP_DURATION",
          "DOWNSTREAM_HANDSHAKE_DURATION",
          "UPSTREAM_CONNECTION_POOL_READY_DURATION",
          "RESPONSE_FLAGS",
          "RESPONSE_FLAGS_LONG",
          "ROUTE_NAME",
          "VIRTUAL_CLUSTER_NAME",
          "UPSTREAM_HOST",
          "UPSTREAM_HOST_NAME",
          "UPSTREAM_HOST_NAME_WITHOUT_PORT",
          "UPSTREAM_CLUSTER",
          "UPSTREAM_CLUSTER_RAW",
          "UPSTREAM_LOCAL_ADDRESS",
          "UPSTREAM_LOCAL_PORT",
          "UPSTREAM_REMOTE_ADDRESS",
          "UPSTREAM_REMOTE_PORT",
          "UPSTREAM_TRANSPORT_FAILURE_REASON",
          "DOWNSTREAM_TRANSPORT_FAILURE_REASON",
          "DOWNSTREAM_LOCAL_CLOSE_REASON",
          "DOWNSTREAM_DETECTED_CLOSE_TYPE",
          "DOWNSTREAM_REMOTE_ADDRESS",
          "DOWNSTREAM_REMOTE_PORT",
          "DOWNSTREAM_DIRECT_REMOTE_ADDRESS",
          "DOWNSTREAM_DIRECT_REMOTE_PORT",
          "DOWNSTREAM_LOCAL_ADDRESS",
          "DOWNSTREAM_DIRECT_LOCAL_ADDRESS",
          "DOWNSTREAM_LOCAL_PORT",
          "DOWNSTREAM_DIRECT_LOCAL_PORT",
          "CONNECTION_ID",
          "UPSTREAM_CONNECTION_ID",
          "STREAM_ID",
          "GRPC_STATUS_NUMBER",
          "DOWNSTREAM_LOCAL_IP_SAN",
          "DOWNSTREAM_PEER_IP_SAN",
          "DOWNSTREAM_LOCAL_DNS_SAN",
          "DOWNSTREAM_PEER_DNS_SAN",
          "DOWNSTREAM_LOCAL_URI_SAN",
          "DOWNSTREAM_PEER_URI_SAN",
          "DOWNSTREAM_LOCAL_EMAIL_SAN",
          "DOWNSTREAM_PEER_EMAIL_SAN",
          "DOWNSTREAM_LOCAL_SUBJECT",
          "DOWNSTREAM_PEER_SUBJECT",
          "DOWNSTREAM_PEER_ISSUER",
          "DOWNSTREAM_TLS_CIPHER",
          "DOWNSTREAM_TLS_VERSION",
          "DOWNSTREAM_PEER_FINGERPRINT_256",
          "DOWNSTREAM_PEER_FINGERPRINT_1",
          "DOWNSTREAM_PEER_SERIAL",
          "DOWNSTREAM_PEER_CHAIN_FINGERPRINTS_256",
          "DOWNSTREAM_PEER_CHAIN_SERIALS",
          "DOWNSTREAM_PEER_CERT",
          "TLS_JA3_FINGERPRINT",
          "TLS_JA4_FINGERPRINT",
          "UPSTREAM_PEER_SUBJECT",
          "UPSTREAM_PEER_ISSUER",
          "UPSTREAM_TLS_CIPHER",
          "UPSTREAM_TLS_VERSION",
          "UPSTREAM_PEER_CERT",
          "UPSTREAM_PEER_URI_SAN",
          "UPSTREAM_PEER_DNS_SAN",
          "UPSTREAM_PEER_IP_SAN",
          "HOSTNAME",
          "LOCAL_REPLY_BODY",
          "FILTER_CHAIN_NAME",
          "ACCESS_LOG_TYPE",
          "UNIQUE_ID",
          "TRACE_ID",
          "CUSTOM_FLAGS");

  /** Commands with an optional time format in parentheses (strftime, plus %s and %3f …). */
  static final Set<String> TIMES =
      Set.of(
          "START_TIME",
          "START_TIME_LOCAL",
          "EMIT_TIME",
          "EMIT_TIME_LOCAL",
          "DOWNSTREAM_PEER_CERT_V_START",
          "DOWNSTREAM_PEER_CERT_V_END",
          "UPSTREAM_PEER_CERT_V_START",
          "UPSTREAM_PEER_CERT_V_END");

  /**
   * Commands with an optional mask length in parentheses: {@code (16)} logs {@code 10.1.0.0/16}.
   */
  static final Set<String> MASKED_ADDRESSES =
      Set.of(
          "DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT", "DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT",
          "DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT", "DOWNSTREAM_DIRECT_LOCAL_ADDRESS_WITHOUT_PORT",
          "UPSTREAM_LOCAL_ADDRESS_WITHOUT_PORT", "UPSTREAM_REMOTE_ADDRESS_WITHOUT_PORT");

  /**
   * Header commands: a header name, or two separated by {@code ?} (the second when the first is
   * absent).
   */
  static final Map<String, LoggedInput.Kind> HEADERS =
      Map.of(
          "REQ",
          LoggedInput.Kind.REQUEST_HEADER,
          "REQUEST_HEADER",
          LoggedInput.Kind.REQUEST_HEADER,
          "RESP",
          LoggedInput.Kind.RESPONSE_HEADER,
          "RESPONSE_HEADER",
          LoggedInput.Kind.RESPONSE_HEADER,
          "TRAILER",
          LoggedInput.Kind.RESPONSE_TRAILER,
          "RESPONSE_TRAILER",
          LoggedInput.Kind.RESPONSE_TRAILER);

  /** Commands with a fixed set of choices in parentheses, each optional. */
  static final Map<String, List<Set<String>>> CHOICES =
      Map.of(
          "PATH", List.of(Set.of("NQ", "WQ"), Set.of("ORIG", "PATH", "ORIG_OR_PATH")),
          "RESPONSE_CODE_DETAILS", List.of(Set.of("ALLOW_WHITESPACES")),
          "GRPC_STATUS", List.of(Set.of("CAMEL_STRING", "SNAKE_STRING", "NUMBER")),
          "REQUESTED_SERVER_NAME",
              List.of(
                  Set.of("SNI_ONLY", "SNI_FIRST", "HOST_FIRST"),
                  Set.of("ORIG", "HOST", "ORIG_OR_HOST")));

  /** Commands Envoy has that a Sluice access log does not offer, and why. */
  static final Map<String, String> REFUSED =
      Map.ofEntries(
          Map.entry("ENVIRONMENT", "it writes environment variables, which hold secrets"),
          Map.entry(
              "DOWNSTREAM_TLS_SESSION_ID", "a TLS session id lets its holder resume the session"),
          Map.entry(
              "UPSTREAM_TLS_SESSION_ID", "a TLS session id lets its holder resume the session"),
          Map.entry("FILTER_STATE", "filter state may hold credentials"),
          Map.entry("UPSTREAM_FILTER_STATE", "filter state may hold credentials"),
          Map.entry("CEL", "a CEL expression can read any header, credentials included"),
          Map.entry("METADATA", "use %DYNAMIC_METADATA(namespace:key)%"),
          Map.entry("CLUSTER_METADATA", "use %DYNAMIC_METADATA(namespace:key)%"),
          Map.entry("UPSTREAM_METADATA", "use %DYNAMIC_METADATA(namespace:key)%"),
          Map.entry("COALESCE", "its operators are not checked: write the commands themselves"),
          Map.entry("COMMON_DURATION", "use %DURATION%, %REQUEST_DURATION% or %RESPONSE_DURATION%"),
          Map.entry("SECRET", "it writes a secret"));

  /** Headers that carry credentials. */
  private static final Set<String> CREDENTIAL_HEADERS =
      Set.of(
          "authorization",
          "proxy-authorization",
          "cookie",
          "set-cookie",
          "x-api-key",
          "api-key",
          "apikey");

  /**
   * Words that mark a header or query parameter as a credential when they are one of its parts
   * ({@code x-auth-token}, {@code api_key}, {@code X-Amz-Signature}).
   */
  private static final Set<String> CREDENTIAL_WORDS =
      Set.of(
          "auth",
          "authorization",
          "cookie",
          "token",
          "key",
          "apikey",
          "secret",
          "password",
          "passwd",
          "pwd",
          "credential",
          "credentials",
          "session",
          "jwt",
          "signature",
          "sig");

  /** Request "headers" that hold the path with its query string. */
  private static final Set<String> PATH_HEADERS = Set.of(":path", "x-envoy-original-path");

  private LogFormats() {}

  static Set<String> known() {
    return Stream.of(
            PLAIN,
            TIMES,
            MASKED_ADDRESSES,
            HEADERS.keySet(),
            CHOICES.keySet(),
            Set.of("QUERY_PARAM", "DYNAMIC_METADATA"))
        .flatMap(Set::stream)
        .collect(Collectors.toSet());
  }

  /**
   * Checks one format string; reports each mistake at {@code node} and returns the headers and
   * query parameters it writes.
   */
  static List<LoggedInput> check(String format, YamlNode node, Fields f) {
    List<LoggedInput> inputs = new ArrayList<>();
    Source at = new Source(node.file(), node.position());
    int i = 0;
    while (i < format.length()) {
      int pct = format.indexOf('%', i);
      if (pct < 0) {
        break;
      }
      if (pct + 1 < format.length() && format.charAt(pct + 1) == '%') {
        i = pct + 2; // %% is a literal percent sign
        continue;
      }
      Matcher m = COMMAND.matcher(format).region(pct, format.length());
      if (!m.lookingAt()) {
        Matcher lower = LOWER_CASE_COMMAND.matcher(format).region(pct, format.length());
        if (lower.lookingAt() && known().contains(lower.group(1).toUpperCase(Locale.ROOT))) {
          f.error(
              node,
              "command names are upper case: write %"
                  + lower.group(1).toUpperCase(Locale.ROOT)
                  + (lower.group(2) == null ? "" : lower.group(2))
                  + (lower.group(3) == null ? "" : lower.group(3))
                  + "%");
          i = lower.end();
        } else {
          f.error(
              node,
              "a lone '%' at character "
                  + (pct + 1)
                  + ": write %% for a percent sign, or a command such as %RESPONSE_CODE%");
          i = pct + 1;
        }
        continue;
      }
      command(m.group(1), m.group(3), m.group(5), m.group(), node, at, f, inputs);
      i = m.end();
    }
    return inputs;
  }

  private static void command(
      String name,
      String arg,
      String length,
      String text,
      YamlNode node,
      Source at,
      Fields f,
      List<LoggedInput> inputs) {
    if (REFUSED.containsKey(name)) {
      f.error(node, text + " is not offered in access logs: " + REFUSED.get(name));
      return;
    }
    if (HEADERS.containsKey(name)) {
      headers(name, arg, text, node, at, f, inputs);
      return;
    }
    if (name.equals("QUERY_PARAM")) {
      if (arg == null || arg.isEmpty()) {
        f.error(node, text + " needs a parameter name: %QUERY_PARAM(page)%");
      } else if (isCredential(arg)) {
        f.error(
            node,
            text
                + " would write the query parameter \""
                + arg
                + "\", which looks like a credential: Sluice"
                + " never writes credentials to access logs");
      } else {
        inputs.add(new LoggedInput(LoggedInput.Kind.QUERY_PARAMETER, arg, at, node.path()));
      }
      return;
    }
    if (name.equals("DYNAMIC_METADATA")) {
      if (arg == null || arg.isEmpty() || arg.startsWith(":")) {
        f.error(
            node,
            text + " needs a namespace: %DYNAMIC_METADATA(envoy.filters.http.jwt_authn:sub)%");
      }
      return;
    }
    if (!known().contains(name)) {
      String hint =
          Suggest.closest(name, known()).map(s -> " (did you mean %" + s + "%?)").orElse("");
      f.error(node, "unknown command %" + name + "%" + hint);
      return;
    }
    if (length != null && !name.equals("PATH")) {
      f.error(node, text + ": %" + name + "% takes no length");
      return;
    }
    if (arg == null) {
      if (name.equals("PATH")) {
        f.error(
            node,
            text
                + " writes the query string, which may carry a token (?api_key=…, ?access_token=…):"
                + " write %PATH(NQ)%");
      }
      return;
    }
    if (PLAIN.contains(name)) {
      f.error(node, text + ": %" + name + "% takes no parameters");
    } else if (arg.isEmpty()) {
      f.error(node, text + ": write a value in the parentheses or leave them out");
    } else if (MASKED_ADDRESSES.contains(name)) {
      if (!arg.matches("[0-9]{1,3}") || Integer.parseInt(arg) > 128) {
        f.error(node, text + ": the mask is a prefix length, 0..32 for IPv4 and 0..128 for IPv6");
      }
    } else if (CHOICES.containsKey(name)) {
      choices(name, arg, text, node, f);
    }
    // TIMES: any strftime format is fine
  }

  private static void choices(String name, String arg, String text, YamlNode node, Fields f) {
    List<Set<String>> allowed = CHOICES.get(name);
    String[] parts = arg.split(":", -1);
    if (parts.length > allowed.size()) {
      f.error(node, text + ": too many parameters");
      return;
    }
    for (int p = 0; p < parts.length; p++) {
      if (!allowed.get(p).contains(parts[p])) {
        f.error(
            node,
            text
                + ": \""
                + parts[p]
                + "\" is not one of "
                + allowed.get(p).stream().sorted().toList());
        return;
      }
    }
    if (name.equals("PATH") && !parts[0].equals("NQ")) {
      f.error(
          node,
          text
              + " writes the query string, which may carry a token (?api_key=…, ?access_token=…):"
              + " write %PATH(NQ"
              + (parts.length > 1 ? ":" + parts[1] : "")
              + ")%");
    }
  }

  private static void headers(
      String name,
      String arg,
      String text,
      YamlNode node,
      Source at,
      Fields f,
      List<LoggedInput> inputs) {
    if (arg == null || arg.isEmpty()) {
      f.error(node, text + " needs a header name: %" + name + "(user-agent)%");
      return;
    }
    String[] names = arg.split("\\?", -1);
    if (names.length > 2) {
      f.error(
          node,
          text + ": at most two header names, the second used when the first is absent (x-a?x-b)");
      return;
    }
    LoggedInput.Kind kind = HEADERS.get(name);
    List<LoggedInput> found = new ArrayList<>();
    for (String h : names) {
      String header = h.toLowerCase(Locale.ROOT);
      if (!HEADER_NAME.matcher(header).matches()) {
        f.error(node, text + ": \"" + h + "\" is not a header name");
        return;
      } else if (kind == LoggedInput.Kind.REQUEST_HEADER && PATH_HEADERS.contains(header)) {
        f.error(
            node,
            text
                + " writes the query string, which may carry a token (?api_key=…, ?access_token=…):"
                + " write %PATH(NQ)%");
        return;
      } else if (isCredential(header)) {
        f.error(
            node,
            text
                + " would write the "
                + header
                + " header, which carries credentials: Sluice never writes"
                + " credentials to access logs");
        return;
      }
      found.add(new LoggedInput(kind, header, at, node.path()));
    }
    inputs.addAll(found);
  }

  /** Whether a header or query parameter name looks like it carries a credential. */
  static boolean isCredential(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (CREDENTIAL_HEADERS.contains(n)) {
      return true;
    }
    for (String part : n.split("[-_.]", 0)) {
      if (CREDENTIAL_WORDS.contains(part)) {
        return true;
      }
    }
    return false;
  }
}
