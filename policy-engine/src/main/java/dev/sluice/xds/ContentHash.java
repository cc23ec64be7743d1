package dev.sluice.xds;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;

/**
 * Versions derived from content: SHA-256 of the deterministic protobuf encoding. Stable across
 * restarts and replicas (unlike {@code hashCode()}, which java-control-plane uses by default), so
 * an unchanged resource is never resent and two replicas agree.
 */
public final class ContentHash {
  /**
   * Versions already computed, by message identity (messages are immutable), held weakly: the
   * translator reuses unchanged resources as the same objects, and the server hashes every resource
   * of a group on each stage of each change, so most calls are answered here.
   */
  private static final Cache<Message, String> KNOWN = CacheBuilder.newBuilder().weakKeys().build();

  /**
   * One digest per thread: looking one up through the providers on every call showed in profiles.
   */
  private static final ThreadLocal<MessageDigest> SHA_256 =
      ThreadLocal.withInitial(ContentHash::sha256);

  private ContentHash() {}

  public static String of(Message resource) {
    String known = KNOWN.getIfPresent(resource);
    if (known == null) {
      known = encodeAndHash(resource);
      KNOWN.put(resource, known);
    }
    return known;
  }

  private static String encodeAndHash(Message resource) {
    // Into an array of the exact size: the stream encoder's buffering cost as much as the hashing.
    // The bytes are the same as any deterministic encoding's.
    byte[] bytes = new byte[resource.getSerializedSize()];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.useDeterministicSerialization();
    try {
      resource.writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.checkNoSpaceLeft();
    return hex(SHA_256.get().digest(bytes));
  }

  /** The version of a set of resources: a hash of their names and hashes, in name order. */
  public static String ofVersions(SortedMap<String, String> nameToVersion) {
    MessageDigest d = SHA_256.get();
    for (Map.Entry<String, String> e : nameToVersion.entrySet()) {
      d.update(e.getKey().getBytes(StandardCharsets.UTF_8));
      d.update((byte) 0);
      d.update(e.getValue().getBytes(StandardCharsets.UTF_8));
      d.update((byte) '\n');
    }
    return hex(d.digest());
  }

  private static String hex(byte[] digest) {
    return HexFormat.of().formatHex(digest, 0, 8);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
