package dev.sluice.server.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The credential each gateway's Envoys present to Sluice's rate-limit service: an HMAC of the
 * gateway's name under a server key, which Sluice puts into that gateway's ratelimit filter (sent
 * only to Envoys whose proxy credential grants the gateway) and the service checks against the
 * request's domain. Envoy cannot send its own proxy token on those calls — the filter's config
 * comes from Sluice, which keeps only hashes of proxy tokens — so the server mints one per gateway
 * instead. The key lives in the control-plane CA's folder ({@value #KEY_FILE}, owner-only, created
 * on first use), so replicas sharing the folder mint the same tokens and agree on versions.
 */
public final class RateLimitCallTokens {
  public static final String KEY_FILE = "ratelimit-key";
  private static final String PREFIX = "rl_";
  private final byte[] key;

  private RateLimitCallTokens(byte[] key) {
    this.key = key.clone();
  }

  /** The key in {@code dir}, created there (0600) if missing. */
  public static RateLimitCallTokens loadOrCreate(Path dir) {
    Path file = dir.resolve(KEY_FILE);
    try {
      if (!Files.exists(file)) {
        byte[] fresh = new byte[32];
        new SecureRandom().nextBytes(fresh);
        try {
          Files.write(
              Files.createFile(
                  file,
                  PosixFilePermissions.asFileAttribute(
                      PosixFilePermissions.fromString("rw-------"))),
              Base64.getEncoder().encode(fresh),
              StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
          // another replica wrote it first: use theirs
        }
      }
      byte[] key =
          Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).strip());
      if (key.length < 32) {
        throw new IllegalArgumentException(
            file
                + ": the rate-limit key is shorter than 32 bytes; delete it to have a new one made");
      }
      return new RateLimitCallTokens(key);
    } catch (IOException e) {
      throw new UncheckedIOException(
          file + ": cannot read or create the rate-limit key: " + e.getMessage(), e);
    }
  }

  /** A key of this process only (replicas then mint different tokens). */
  public static RateLimitCallTokens ephemeral() {
    byte[] fresh = new byte[32];
    new SecureRandom().nextBytes(fresh);
    return new RateLimitCallTokens(fresh);
  }

  public String tokenFor(String gateway) {
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(mac(gateway));
  }

  /**
   * Whether {@code token} is this server's token for {@code gateway}; compared in constant time.
   */
  public boolean grants(String token, String gateway) {
    return token.startsWith(PREFIX)
        && MessageDigest.isEqual(
            tokenFor(gateway).getBytes(StandardCharsets.US_ASCII),
            token.getBytes(StandardCharsets.US_ASCII));
  }

  private byte[] mac(String gateway) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(("sluice-ratelimit\0" + gateway).getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "RateLimitCallTokens[key=<redacted>]";
  }
}
