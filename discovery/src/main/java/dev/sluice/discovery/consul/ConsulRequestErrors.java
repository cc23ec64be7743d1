package dev.sluice.discovery.consul;

import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.util.Locale;

/**
 * Told about every failed request to Consul, for a counter. The labels are bounded: which kind of
 * request and why it failed, never a service's name.
 */
@FunctionalInterface
public interface ConsulRequestErrors {
  ConsulRequestErrors NONE = (endpoint, reason) -> {};

  void failed(Endpoint endpoint, Reason reason);

  /** Which request failed. */
  enum Endpoint {
    /** {@code /v1/catalog/services}, the service list. */
    CATALOG_SERVICES,
    /** {@code /v1/health/service/<name>}, one service's instances. */
    HEALTH_SERVICE;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Why it failed. */
  enum Reason {
    /** Consul answered, but not 200. */
    STATUS,
    /** No whole answer in time. */
    TIMEOUT,
    /** Consul could not be reached, or the connection broke. */
    IO,
    /** A 200 with what Consul never sends: not JSON, the wrong shape, a bad index. */
    MALFORMED,
    /** An answer larger than the limit. */
    TOO_LARGE,
    /** Anything else (a bug of ours). */
    UNEXPECTED;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The reason of a failed request, from what it threw (or what that wraps). */
    static Reason of(Throwable e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof ConsulHttp.TooLargeException) {
          return TOO_LARGE;
        }
        if (t instanceof ConsulHttp.BadAnswerException) {
          return MALFORMED;
        }
        if (t instanceof ConsulHttp.StatusException) {
          return STATUS;
        }
        if (t instanceof HttpTimeoutException) {
          return TIMEOUT;
        }
        if (t.getCause() == t) {
          break;
        }
      }
      return e instanceof IOException ? IO : UNEXPECTED;
    }
  }
}
