package dev.sluice.policy.telemetry;

import dev.sluice.policy.PolicySet;
import dev.sluice.policy.auth.AuthSpec;
import dev.sluice.policy.gateway.GatewaySpec;
import dev.sluice.policy.jwt.JwtProviderSpec;
import dev.sluice.policy.jwt.JwtProviderSpec.TokenSource;
import dev.sluice.policy.telemetry.TelemetrySpec.LoggedInput;
import dev.sluice.yaml.Diagnostics;
import dev.sluice.yaml.Finding;
import dev.sluice.yaml.Severity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What one document cannot see: an access-log format writing a header or query parameter that
 * another policy uses for credentials — an {@code auth.apiKey} header or query parameter, or a
 * JwtProvider's {@code tokenFrom}. Names that look like credentials ({@code x-api-key}, {@code
 * authorization}, …) are already refused by {@link LogFormats}.
 */
public final class TelemetryChecks {
  private TelemetryChecks() {}

  public static void check(PolicySet set, Diagnostics d) {
    Map<String, String> headers = new TreeMap<>();
    Map<String, String> queries = new TreeMap<>();
    List<Optional<AuthSpec>> auths = new ArrayList<>();
    set.gateways().forEach(g -> auths.add(g.security().auth()));
    set.routes().forEach(r -> auths.add(r.options().security().auth()));
    for (Optional<AuthSpec> auth : auths) {
      auth.flatMap(AuthSpec::apiKey)
          .ifPresent(
              k -> {
                if (!k.header().isEmpty()) {
                  headers.putIfAbsent(
                      k.header().toLowerCase(Locale.ROOT), "the API key (auth.apiKey)");
                }
                if (!k.query().isEmpty()) {
                  queries.putIfAbsent(k.query(), "the API key (auth.apiKey)");
                }
              });
    }
    for (JwtProviderSpec p : set.jwtProviders()) {
      for (TokenSource t : p.tokenFrom()) {
        String what = "the tokens of JwtProvider/" + p.name();
        switch (t.type()) {
          case HEADER -> headers.putIfAbsent(t.name().toLowerCase(Locale.ROOT), what);
          case QUERY -> queries.putIfAbsent(t.name(), what);
          case COOKIE -> {} // the cookie header is never logged
        }
      }
    }
    for (GatewaySpec g : set.gateways()) {
      g.telemetry()
          .filter(t -> t.tracing().isPresent())
          .ifPresent(t -> tracedQueryCredentials(set, g, t, d));
      var log = g.telemetry().flatMap(TelemetrySpec::accessLog);
      if (log.isEmpty()) {
        continue;
      }
      for (LoggedInput in : log.get().inputs()) {
        String carries =
            switch (in.kind()) {
              case REQUEST_HEADER -> headers.get(in.name());
              case QUERY_PARAMETER -> queries.get(in.name());
              default -> null;
            };
        if (carries != null) {
          String what =
              in.kind() == LoggedInput.Kind.QUERY_PARAMETER ? "query parameter" : "header";
          d.add(
              new Finding(
                  Severity.ERROR,
                  in.at().file(),
                  in.at().position(),
                  g.label(),
                  in.field(),
                  "the "
                      + what
                      + " \""
                      + in.name()
                      + "\" carries "
                      + carries
                      + ": Sluice never writes credentials to access logs"));
        }
      }
    }
  }

  /**
   * Envoy's spans carry the whole URL, query string included ({@code http.url}), and Envoy 1.40's
   * tracing offers no way to drop the query: a gateway that traces must not take credentials from
   * the query string.
   */
  private static void tracedQueryCredentials(
      PolicySet set, GatewaySpec g, TelemetrySpec t, Diagnostics d) {
    Map<String, String> found = new LinkedHashMap<>();
    List<Map.Entry<String, Optional<AuthSpec>>> auths = new ArrayList<>();
    auths.add(Map.entry(g.label(), g.security().auth()));
    set.routesOf(g.name())
        .forEach(r -> auths.add(Map.entry(r.label(), r.options().security().auth())));
    for (var e : auths) {
      e.getValue()
          .flatMap(AuthSpec::apiKey)
          .filter(k -> !k.query().isEmpty())
          .ifPresent(
              k ->
                  found.putIfAbsent(
                      e.getKey(), "its API key from the query parameter \"" + k.query() + "\""));
      e.getValue()
          .flatMap(AuthSpec::jwt)
          .ifPresent(
              j ->
                  j.providers().stream()
                      .map(set::jwtProvider)
                      .flatMap(Optional::stream)
                      .forEach(
                          p ->
                              p.tokenFrom().stream()
                                  .filter(s -> s.type() == TokenSource.Type.QUERY)
                                  .findFirst()
                                  .ifPresent(
                                      s ->
                                          found.putIfAbsent(
                                              e.getKey(),
                                              "JWTs of JwtProvider/"
                                                  + p.name()
                                                  + " from the query parameter \""
                                                  + s.name()
                                                  + "\""))));
    }
    found.forEach(
        (who, what) ->
            d.add(
                new Finding(
                    Severity.ERROR,
                    t.at().file(),
                    t.at().position(),
                    g.label(),
                    "telemetry.tracing",
                    "spans carry the URL with its query string (http.url) and "
                        + who
                        + " takes "
                        + what
                        + ": the credential would reach the trace collector; send it in a header, or leave tracing off")));
  }
}
