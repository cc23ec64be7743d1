package dev.sluice.server.auth;

/**
 * Whether a credential grants a claim.
 *
 * @param credential the name of the credential that decided (a token's name, a certificate's
 *     identity), never the secret itself; empty when none was recognised
 * @param reason for refusals: a short label for the {@code sluice_xds_denied_total} metric
 * @param message for refusals: what the client and the operator are told; names the claim, never a
 *     secret
 */
public record Decision(boolean allowed, String credential, String reason, String message) {
  /** No credential was presented. */
  public static final String NO_CREDENTIAL = "no_credential";

  /** A credential was presented that no source knows. */
  public static final String UNKNOWN_CREDENTIAL = "unknown_credential";

  /** The credential is known but does not grant the claim. */
  public static final String NOT_GRANTED = "not_granted";

  /**
   * The claim itself is unusable (a node id or group longer than names may be): refused before any
   * credential is asked.
   */
  public static final String INVALID_CLAIM = "invalid_claim";

  /**
   * The credential could not be checked (its source is unreachable): refused, never let through.
   */
  public static final String UNCHECKED = "unchecked";

  public static Decision allow(String credential) {
    return new Decision(true, credential, "", "");
  }

  public static Decision deny(String credential, String reason, String message) {
    return new Decision(false, credential, reason, message);
  }
}
