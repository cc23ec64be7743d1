package dev.sluice.policy.route.respond;

/** An answer Envoy gives itself, without an upstream: a status and a body. */
public record DirectResponseSpec(int status, String body) {}
