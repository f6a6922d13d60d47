package dev.sluice.kinesis;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Makes opaque tokens (shard iterators, pagination tokens) tamper-evident: a token is the payload
 * followed by a truncated HMAC-SHA256 of it, in URL-safe base64, under the node's {@link TokenKey}.
 */
final class Signer {

  private static final int MAC_BYTES = 16;
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  /** A thread's MAC and the secret it was set up with. */
  private static final class Keyed {
    byte[] secret;
    Mac mac;
  }

  private final TokenKey key;
  private final ThreadLocal<Keyed> macs = ThreadLocal.withInitial(Keyed::new);

  Signer(TokenKey key) {
    this.key = key;
  }

  Signer(byte[] secret) {
    this(TokenKey.of(secret));
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
    Keyed k = macs.get();
    byte[] secret = key.secret();
    if (k.secret != secret) { // the first use on this thread, or the shared key changed
      k.mac = newMac(secret);
      k.secret = secret;
    }
    return k.mac.doFinal(payload);
  }

  private static Mac newMac(byte[] secret) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
