package dev.sluice.ir;

import dev.sluice.policy.auth.AuthSpec.JwtMode;
import java.util.List;
import java.util.Locale;

/** A valid token from any of {@code providers}, as strict as {@code mode} says. */
public record JwtRequirement(List<String> providers, JwtMode mode) {
  public JwtRequirement {
    providers = providers.stream().sorted().distinct().toList();
  }

  /** A stable name, the same for equal requirements, so routes can share one. */
  public String name() {
    return mode.name().toLowerCase(Locale.ROOT) + ":" + String.join(",", providers);
  }
}
