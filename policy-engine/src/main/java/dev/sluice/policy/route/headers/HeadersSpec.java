package dev.sluice.policy.route.headers;

/**
 * Header edits on the request (before it goes upstream) and on the response (before the client sees
 * it).
 */
public record HeadersSpec(HeaderChanges request, HeaderChanges response) {
  public static final HeadersSpec NONE = new HeadersSpec(HeaderChanges.NONE, HeaderChanges.NONE);
}
