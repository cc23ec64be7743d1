package dev.sluice.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An RS256 signing key for tests: its public JWKS and tokens signed with it. Built on the JDK's RSA
 * signature and Jackson; a JWT is two base64url JSON objects and a signature over them.
 */
public final class TestJwts {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private final KeyPair keys;
  private final String kid;

  public TestJwts(String kid) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      this.keys = g.generateKeyPair();
      this.kid = kid;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The public key as a JWKS document. */
  public String jwks() {
    RSAPublicKey pub = (RSAPublicKey) keys.getPublic();
    Map<String, Object> key = new LinkedHashMap<>();
    key.put("kty", "RSA");
    key.put("kid", kid);
    key.put("alg", "RS256");
    key.put("use", "sig");
    key.put("n", B64.encodeToString(unsigned(pub.getModulus().toByteArray())));
    key.put("e", B64.encodeToString(unsigned(pub.getPublicExponent().toByteArray())));
    try {
      return JSON.writeValueAsString(Map.of("keys", List.of(key)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A token with these claims, valid for an hour unless the claims say otherwise. */
  public String token(Map<String, Object> claims) {
    long now = System.currentTimeMillis() / 1000;
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("iat", now);
    payload.put("exp", now + 3600);
    payload.putAll(claims);
    try {
      String signingInput =
          B64.encodeToString(
                  JSON.writeValueAsBytes(Map.of("alg", "RS256", "typ", "JWT", "kid", kid)))
              + "."
              + B64.encodeToString(JSON.writeValueAsBytes(payload));
      Signature s = Signature.getInstance("SHA256withRSA");
      s.initSign(keys.getPrivate());
      s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + B64.encodeToString(s.sign());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] unsigned(byte[] twosComplement) {
    return twosComplement.length > 1 && twosComplement[0] == 0
        ? Arrays.copyOfRange(twosComplement, 1, twosComplement.length)
        : twosComplement;
  }
}
