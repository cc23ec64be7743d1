package dev.sluice.policy.route.mirror;

import dev.sluice.policy.Source;

/**
 * Shadow traffic: a copy of {@code percent}% of requests goes to {@code service}; its answers are
 * dropped.
 */
public record MirrorSpec(String service, double percent, Source source) {}
