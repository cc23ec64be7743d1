package dev.sluice.core;

import java.util.regex.Pattern;

/**
 * The names users give services and resources, and SPIFFE trust domains: one rule each, so the
 * catalog, the policies and the certificate authority accept the same names.
 */
public final class NameRules {
  private static final Pattern NAME = Pattern.compile("^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$");
  private static final Pattern TRUST_DOMAIN =
      Pattern.compile("^[a-z0-9]([a-z0-9._-]{0,253}[a-z0-9])?$");

  private NameRules() {}

  /**
   * A service or resource name: lower-case letters, digits, '.', '_' and '-', at most 63, starting
   * and ending with a letter or digit.
   */
  public static boolean isName(String s) {
    return s != null && NAME.matcher(s).matches();
  }

  /** A trust domain: the same characters as a name, at most 255, a DNS-like name in lower case. */
  public static boolean isTrustDomain(String s) {
    return s != null && TRUST_DOMAIN.matcher(s).matches();
  }
}
