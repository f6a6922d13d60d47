package dev.sluice.kinesis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Makes opaque tokens (shard iterators, pagination tokens) tamper-evident: a token is the payload
 * followed by a truncated HMAC-SHA256 of it, in URL-safe base64. The key lives in the data
 * directory so tokens stay valid across a restart of the node.
 */
final class Signer {

  private static final int MAC_BYTES = 16;
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private final SecretKeySpec key;
  private final ThreadLocal<Mac> macs;

  Signer(byte[] secret) {
    this.key = new SecretKeySpec(secret, "HmacSHA256");
    this.macs = ThreadLocal.withInitial(this::newMac);
  }

  /** A signer whose key is read from {@code file}, created there first when missing. */
  static Signer fromKeyFile(Path file) {
    try {
      if (!Files.exists(file)) {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, secret);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      }
      return new Signer(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the token key " + file, e);
    }
  }

  String sign(byte[] payload) {
    byte[] mac = mac(payload);
    byte[] out = Arrays.copyOf(payload, payload.length + MAC_BYTES);
    System.arraycopy(mac, 0, out, payload.length, MAC_BYTES);
    return ENCODER.encodeToString(out);
  }

  /** The payload of a token this signer made, or null when the token is forged or garbled. */
  byte[] verify(String token) {
    byte[] raw;
    try {
      raw = DECODER.decode(token);
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (raw.length <= MAC_BYTES) {
      return null;
    }
    byte[] payload = Arrays.copyOf(raw, raw.length - MAC_BYTES);
    byte[] expected = Arrays.copyOf(mac(payload), MAC_BYTES);
    byte[] given = Arrays.copyOfRange(raw, payload.length, raw.length);
    return MessageDigest.isEqual(expected, given) ? payload : null;
  }

  private byte[] mac(byte[] payload) {
    return macs.get().doFinal(payload);
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
