package dev.sluice.policy.route.redirect;

import java.util.Optional;

/** An HTTP redirect answered by Envoy itself; each part left empty keeps the request's own. */
public record RedirectSpec(
    Optional<String> scheme, Optional<String> host, Optional<Integer> port, Optional<String> path,
    Optional<String> prefix, int code) {}
