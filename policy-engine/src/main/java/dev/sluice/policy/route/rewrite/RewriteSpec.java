package dev.sluice.policy.route.rewrite;

import java.util.Optional;

/**
 * How the request is changed before it goes upstream.
 *
 * @param prefix replaces the matched prefix (routes that match by prefix only)
 * @param regex with {@code substitution}: a regex rewrite of the whole path
 * @param host the Host / :authority sent upstream
 */
public record RewriteSpec(
    Optional<String> prefix,
    Optional<String> regex,
    Optional<String> substitution,
    Optional<String> host) {}
