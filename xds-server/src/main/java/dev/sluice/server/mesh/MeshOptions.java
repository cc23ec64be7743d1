package dev.sluice.server.mesh;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The server's mesh settings.
 *
 * @param caDir where the CA's root and key live (created on first use); empty: no CA, and policies
 *     with a Sidecar are refused when they are published
 * @param certificateTtl lifetime of workload certificates; rotated at two thirds of it
 */
public record MeshOptions(Optional<Path> caDir, Duration certificateTtl) {
  public static final Duration DEFAULT_TTL = Duration.ofHours(1);

  public static MeshOptions none() {
    return new MeshOptions(Optional.empty(), DEFAULT_TTL);
  }

  public MeshOptions withCa(Path dir, Duration ttl) {
    return new MeshOptions(Optional.of(dir), ttl);
  }
}
