package dev.sluice.policy.jwt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.policy.PolicyKind;
import dev.sluice.policy.PolicySet;
import dev.sluice.policy.ProxyGroups;
import dev.sluice.policy.Source;
import dev.sluice.policy.auth.AuthSpec;
import dev.sluice.policy.jwt.JwtProviderSpec.Jwks;
import dev.sluice.policy.jwt.JwtProviderSpec.TokenSource;
import dev.sluice.yaml.Fields;
import dev.sluice.yaml.YamlNode;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 * kind: JwtProvider
 * name: auth0
 * issuer: https://auth.example.com/      # required: the token's iss
 * audiences: [orders-api]                # optional: accepted aud values
 * jwks: {file: keys/jwks.json}           # relative to this file; or {url: https://…/jwks.json, cacheFor: 10m}
 * clockSkew: 60s                         # default 60s
 * tokenFrom:                             # default: Authorization: Bearer
 *   - {header: Authorization, prefix: "Bearer "}
 *   - {query: access_token}
 *   - {cookie: session}
 * claimsToHeaders: {sub: x-user-id}      # claims the upstream gets as headers
 * </pre>
 */
public final class JwtProviderKind implements PolicyKind<JwtProviderSpec> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern HEADER = Pattern.compile("^[a-zA-Z0-9-]+$");
  static final Duration DEFAULT_SKEW = Duration.ofSeconds(60);
  static final Duration DEFAULT_CACHE = Duration.ofMinutes(5);

  @Override
  public String kind() {
    return JwtProviderSpec.KIND;
  }

  @Override
  public Class<JwtProviderSpec> type() {
    return JwtProviderSpec.class;
  }

  /** The gateways whose routes accept tokens of this provider. */
  @Override
  public Set<String> groups(JwtProviderSpec spec, PolicySet set) {
    return ProxyGroups.gatewaysWith(
        set,
        r ->
            set.effectiveAuth(r)
                .flatMap(AuthSpec::jwt)
                .map(j -> j.providers().contains(spec.name()))
                .orElse(false));
  }

  @Override
  public Set<String> fields() {
    return Set.of(
        "kind", "name", "issuer", "audiences", "jwks", "clockSkew", "tokenFrom", "claimsToHeaders");
  }

  @Override
  public Optional<JwtProviderSpec> read(String name, YamlNode doc, Fields f, Source source) {
    Optional<String> issuer = f.requiredString(doc.get("issuer"));
    List<String> audiences = f.strings(doc.get("audiences"));
    Optional<Jwks> jwks = jwks(doc.get("jwks"), f, source);
    Duration skew = f.duration(doc.get("clockSkew")).orElse(DEFAULT_SKEW);
    List<TokenSource> from = tokenFrom(doc.get("tokenFrom"), f);
    Map<String, String> claims = new LinkedHashMap<>();
    YamlNode c = doc.get("claimsToHeaders");
    if (!c.isAbsent() && f.object(c, c.fields().keySet())) {
      c.fields()
          .forEach(
              (claim, header) ->
                  f.string(header)
                      .ifPresent(
                          h -> {
                            if (!HEADER.matcher(h).matches()) {
                              f.error(header, "\"" + h + "\" is not a header name");
                            } else {
                              claims.put(claim, h.toLowerCase(Locale.ROOT));
                            }
                          }));
    }
    if (issuer.isEmpty() || jwks.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new JwtProviderSpec(name, source, issuer.get(), audiences, jwks.get(), skew, from, claims));
  }

  private static Optional<Jwks> jwks(YamlNode n, Fields f, Source source) {
    if (n.isAbsent()) {
      f.error(n, "required field is missing: {file: jwks.json} or {url: https://…}");
      return Optional.empty();
    }
    if (!f.object(n, Set.of("file", "url", "cacheFor"))) {
      return Optional.empty();
    }
    YamlNode file = n.get("file");
    YamlNode url = n.get("url");
    if (file.isAbsent() == url.isAbsent()) {
      f.error(n, "give exactly one of file and url");
      return Optional.empty();
    }
    if (!file.isAbsent()) {
      if (!n.get("cacheFor").isAbsent()) {
        f.error(
            n.get("cacheFor"), "only a url is cached; a file is re-read whenever the policies are");
      }
      return f.string(file).flatMap(p -> localJwks(file, p, f, source));
    }
    Duration cache = f.duration(n.get("cacheFor")).orElse(DEFAULT_CACHE);
    return f.string(url)
        .flatMap(
            u -> {
              try {
                URI uri = new URI(u);
                if ((!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()))
                    || uri.getHost() == null) {
                  f.error(
                      url, "expected an http:// or https:// URL with a host, got \"" + u + "\"");
                  return Optional.empty();
                }
                return Optional.of(new JwtProviderSpec.RemoteJwks(uri, cache));
              } catch (URISyntaxException e) {
                f.error(url, "not a URL: " + e.getReason());
                return Optional.empty();
              }
            });
  }

  private static Optional<Jwks> localJwks(YamlNode at, String path, Fields f, Source source) {
    Path dir = source.file().toAbsolutePath().getParent();
    Path file = dir.resolve(path).normalize();
    // watched like the policy files: new keys apply without a restart
    f.diagnostics().referencedFile(file);
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      f.error(at, "cannot read " + file + ": " + e.getClass().getSimpleName());
      return Optional.empty();
    }
    try {
      JsonNode keys = JSON.readTree(text).get("keys");
      if (keys == null || !keys.isArray() || keys.isEmpty()) {
        f.error(at, file + " is not a JWKS: it needs a non-empty \"keys\" list");
        return Optional.empty();
      }
      for (JsonNode k : keys) {
        if (!k.has("kty")) {
          f.error(at, file + " is not a JWKS: a key has no \"kty\"");
          return Optional.empty();
        }
        if (k.has("d") || k.has("p") || k.has("k")) {
          f.error(at, file + " holds a private or symmetric key: give only public keys");
          return Optional.empty();
        }
      }
      // re-serialised: the same keys give the same bytes however the file is formatted
      return Optional.of(
          new JwtProviderSpec.LocalJwks(JSON.writeValueAsString(JSON.readTree(text))));
    } catch (IOException e) {
      f.error(at, file + " is not JSON");
      return Optional.empty();
    }
  }

  private static List<TokenSource> tokenFrom(YamlNode n, Fields f) {
    List<TokenSource> out = new ArrayList<>();
    if (n.isAbsent()) {
      out.add(new TokenSource(TokenSource.Type.HEADER, "authorization", "Bearer "));
      return out;
    }
    if (!n.isArray()) {
      f.error(
          n,
          "expected a list like [{header: Authorization, prefix: \"Bearer \"}, {query: access_token}], got "
              + n.typeName());
      return out;
    }
    for (YamlNode e : n.elements()) {
      if (!f.object(e, Set.of("header", "prefix", "query", "cookie"))) {
        continue;
      }
      // an unknown field is not a place to take the token from: object() has named it already
      List<String> given =
          e.fields().keySet().stream()
              .filter(Set.of("header", "query", "cookie")::contains)
              .toList();
      if (given.size() != 1) {
        f.error(e, "give exactly one of header, query and cookie");
        continue;
      }
      String kind = given.get(0);
      Optional<String> name = f.requiredString(e.get(kind));
      String prefix = f.string(e.get("prefix")).orElse("");
      if (!prefix.isEmpty() && !kind.equals("header")) {
        f.error(e.get("prefix"), "only a header has a prefix");
      }
      name.ifPresent(
          v ->
              out.add(
                  new TokenSource(
                      TokenSource.Type.valueOf(kind.toUpperCase(Locale.ROOT)),
                      kind.equals("header") ? v.toLowerCase(Locale.ROOT) : v,
                      prefix)));
    }
    return out;
  }
}
