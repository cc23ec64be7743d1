package dev.sluice.ir;

import dev.sluice.policy.Source;
import dev.sluice.policy.route.headers.HeadersSpec;

/**
 * One route entry: a match, what to do with matching requests, and header edits.
 *
 * @param policy the policy that produced it (such as {@code Route/users}), for NACK attribution
 */
public record HttpRoute(String name, RouteMatch match, RouteAction action, HeadersSpec headers, String policy, Source source) {}
