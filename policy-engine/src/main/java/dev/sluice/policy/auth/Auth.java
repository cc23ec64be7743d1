package dev.sluice.policy.auth;

import dev.sluice.policy.Names;
import dev.sluice.policy.Source;
import dev.sluice.policy.auth.AuthSpec.ApiKeyAuth;
import dev.sluice.policy.auth.AuthSpec.ExternalAuth;
import dev.sluice.policy.auth.AuthSpec.JwtAuth;
import dev.sluice.policy.auth.AuthSpec.JwtMode;
import dev.sluice.yaml.Fields;
import dev.sluice.yaml.YamlNode;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 *
 *
 * <pre>
 * auth:                                   # or `auth: none` on a Route: no auth even if the Gateway has some
 *   jwt: {providers: [auth0], mode: required}     # required (default), allowMissing or optional
 *   apiKey: {header: x-api-key}                   # or {query: api_key}; Consumers hold the key hashes
 *   basic: true                                   # user = Consumer name, password = its passwordHash
 *   external:                                     # ext_authz
 *     service: authz                              # a service in the registry
 *     protocol: http                              # http (default) or grpc
 *     pathPrefix: /check                          # http only: prefixed to the checked request's path
 *     timeout: 1s                                 # default 1s
 *     failOpen: false                             # default false: when the service fails, 403
 *     headersToUpstream: [x-user]                 # headers of its 200 answer the upstream gets
 * </pre>
 */
public final class Auth {
  static final Pattern HEADER = Pattern.compile("^[a-zA-Z0-9-]+$");
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
  private static final Map<String, JwtMode> MODES =
      Map.of(
          "required",
          JwtMode.REQUIRED,
          "allowMissing",
          JwtMode.ALLOW_MISSING,
          "optional",
          JwtMode.OPTIONAL);

  private Auth() {}

  public static Optional<AuthSpec> read(YamlNode n, Fields f) {
    if (n.isAbsent()) {
      return Optional.empty();
    }
    if (n.isScalar() && "none".equals(n.value().asText())) {
      return Optional.of(AuthSpec.NONE);
    }
    if (!f.object(n, Set.of("jwt", "apiKey", "basic", "external"))) {
      return Optional.empty();
    }
    if (n.fields().isEmpty()) {
      f.error(n, "give at least one of jwt, apiKey, basic and external (or write auth: none)");
      return Optional.empty();
    }
    Optional<JwtAuth> jwt = jwt(n.get("jwt"), f);
    Optional<ApiKeyAuth> apiKey = apiKey(n.get("apiKey"), f);
    boolean basic = f.bool(n.get("basic")).orElse(false);
    Optional<ExternalAuth> external = external(n.get("external"), f);
    return Optional.of(new AuthSpec(jwt, apiKey, basic, external));
  }

  private static Optional<JwtAuth> jwt(YamlNode n, Fields f) {
    if (n.isAbsent() || !f.object(n, Set.of("providers", "mode"))) {
      return Optional.empty();
    }
    List<String> providers = f.strings(n.get("providers"));
    if (providers.isEmpty()) {
      f.error(n.get("providers"), "name at least one JwtProvider");
      return Optional.empty();
    }
    JwtMode mode = JwtMode.REQUIRED;
    Optional<String> m = f.string(n.get("mode"));
    if (m.isPresent()) {
      mode = MODES.get(m.get());
      if (mode == null) {
        f.error(
            n.get("mode"), "expected required, allowMissing or optional, got \"" + m.get() + "\"");
        return Optional.empty();
      }
    }
    YamlNode at = n.get("providers");
    return Optional.of(new JwtAuth(providers, mode, new Source(at.file(), at.position())));
  }

  private static Optional<ApiKeyAuth> apiKey(YamlNode n, Fields f) {
    if (n.isAbsent()) {
      return Optional.empty();
    }
    if (n.isScalar() && n.value().isBoolean() && n.value().booleanValue()) {
      return Optional.of(new ApiKeyAuth("x-api-key", ""));
    }
    if (!f.object(n, Set.of("header", "query"))) {
      return Optional.empty();
    }
    Optional<String> header = f.string(n.get("header"));
    Optional<String> query = f.string(n.get("query"));
    if (header.isPresent() && query.isPresent()) {
      f.error(n, "give one of header and query");
      return Optional.empty();
    }
    if (header.isPresent() && !HEADER.matcher(header.get()).matches()) {
      f.error(n.get("header"), "\"" + header.get() + "\" is not a header name");
      return Optional.empty();
    }
    if (header.isEmpty() && query.isEmpty()) {
      return Optional.of(new ApiKeyAuth("x-api-key", ""));
    }
    return Optional.of(
        new ApiKeyAuth(header.map(h -> h.toLowerCase(Locale.ROOT)).orElse(""), query.orElse("")));
  }

  private static Optional<ExternalAuth> external(YamlNode n, Fields f) {
    if (n.isAbsent()
        || !f.object(
            n,
            Set.of(
                "service", "protocol", "pathPrefix", "timeout", "failOpen", "headersToUpstream"))) {
      return Optional.empty();
    }
    Optional<String> service = Names.name(n.get("service"), f);
    ExternalAuth.Protocol protocol = ExternalAuth.Protocol.HTTP;
    Optional<String> p = f.string(n.get("protocol"));
    if (p.isPresent()) {
      switch (p.get()) {
        case "http" -> protocol = ExternalAuth.Protocol.HTTP;
        case "grpc" -> protocol = ExternalAuth.Protocol.GRPC;
        default -> f.error(n.get("protocol"), "expected http or grpc, got \"" + p.get() + "\"");
      }
    }
    String pathPrefix = f.string(n.get("pathPrefix")).orElse("");
    if (!pathPrefix.isEmpty()
        && (!pathPrefix.startsWith("/") || protocol == ExternalAuth.Protocol.GRPC)) {
      f.error(
          n.get("pathPrefix"),
          protocol == ExternalAuth.Protocol.GRPC
              ? "a gRPC authorization service has no path prefix"
              : "must start with /");
    }
    Duration timeout = f.duration(n.get("timeout")).orElse(DEFAULT_TIMEOUT);
    boolean failOpen = f.bool(n.get("failOpen")).orElse(false);
    List<String> headers = f.strings(n.get("headersToUpstream"));
    for (String h : headers) {
      if (!HEADER.matcher(h).matches()) {
        f.error(n.get("headersToUpstream"), "\"" + h + "\" is not a header name");
      }
    }
    if (service.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new ExternalAuth(
            service.get(),
            protocol,
            pathPrefix,
            timeout,
            failOpen,
            headers.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList(),
            new Source(n.file(), n.position())));
  }
}
