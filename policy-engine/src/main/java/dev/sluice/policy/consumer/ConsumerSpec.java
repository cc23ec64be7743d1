package dev.sluice.policy.consumer;

import dev.sluice.policy.PolicyResource;
import dev.sluice.policy.Source;
import java.util.List;
import java.util.Optional;

/**
 * A client of the gateway (an app, a partner, a team) and its credentials. Only hashes are written:
 * Sluice and Envoy compare hashes, so a leaked policy folder or config dump gives no key away.
 *
 * @param apiKeySha256 lower-case hex SHA-256 digests of the consumer's API keys
 * @param passwordHash for basic auth (the user name is the consumer's name): an htpasswd {@code
 *     {SHA}} hash, the only scheme Envoy's basic_auth filter checks
 */
public record ConsumerSpec(
    String name, Source source, List<String> apiKeySha256, Optional<String> passwordHash)
    implements PolicyResource {
  public static final String KIND = "Consumer";

  @Override
  public String kind() {
    return KIND;
  }

  public ConsumerSpec {
    apiKeySha256 = List.copyOf(apiKeySha256);
  }
}
