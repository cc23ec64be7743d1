package dev.sluice.server.mesh;

import java.time.Duration;
import java.time.Instant;

/**
 * When a leaf is due for replacement: once two thirds of its lifetime have passed. Istio rotates at
 * about 80%, SPIRE at half. Two thirds leaves a third of the lifetime (20 minutes of a one hour
 * certificate) to deliver the new one over SDS even if the control plane is briefly unavailable,
 * without re-issuing twice as often as needed.
 *
 * <p>The lifetime counts from issue, which is {@code notBefore} plus the minute it is backdated, to
 * {@code notAfter}. Counting from {@code notBefore} would make the backdated minute part of the
 * lifetime: a 15 s certificate would be due at once and every rebuild would issue another.
 */
final class Rotation {
  private Rotation() {}

  static boolean due(WorkloadCertificate c, Instant now) {
    return !now.isBefore(time(c));
  }

  static Instant time(WorkloadCertificate c) {
    Instant issued = c.notBefore().plus(LeafIssuer.BACKDATE);
    if (!issued.isBefore(c.notAfter())) {
      return c.notBefore();
    }
    return issued.plus(Duration.between(issued, c.notAfter()).multipliedBy(2).dividedBy(3));
  }
}
