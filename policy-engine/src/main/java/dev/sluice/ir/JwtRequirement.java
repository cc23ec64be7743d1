package dev.sluice.ir;

import dev.sluice.policy.auth.AuthSpec.JwtMode;
import dev.sluice.policy.jwt.JwtProviderSpec.TokenSource;
import java.util.List;
import java.util.Locale;

/**
 * A valid token from any of {@code providers}, as strict as {@code mode} says.
 *
 * @param tokenFrom every place those providers look for a token, in provider order: a token there
 *     is removed before the request goes upstream
 */
public record JwtRequirement(List<String> providers, JwtMode mode, List<TokenSource> tokenFrom) {
  public JwtRequirement {
    providers = providers.stream().sorted().distinct().toList();
    tokenFrom = tokenFrom.stream().distinct().toList();
  }

  /** A stable name, the same for equal requirements, so routes can share one. */
  public String name() {
    return mode.name().toLowerCase(Locale.ROOT) + ":" + String.join(",", providers);
  }
}
