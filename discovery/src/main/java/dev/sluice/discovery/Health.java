package dev.sluice.discovery;

/** Health of one instance as the registry reports it (Consul's passing / warning / critical). */
public enum Health {
  PASSING,
  WARNING,
  CRITICAL
}
