package dev.sluice.kinesis;

import dev.sluice.cluster.StateStore;
import dev.sluice.files.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * The secret that signs shard iterators and pagination tokens. One node keeps it in its data
 * directory, so tokens outlive a restart; nodes sharing their state keep it there, so that a token
 * one node gave out works on every other (clients behind a load balancer) and on a node started on
 * an empty data directory. Two nodes starting at once on a new cluster may each write one: the last
 * in the shared order wins on both, and tokens signed with the other stop working then.
 */
public final class TokenKey {

  private static final String KEY = "kinesis/token-key";
  private static final int BYTES = 32;

  private volatile byte[] secret;

  private TokenKey(byte[] secret) {
    this.secret = secret;
  }

  /**
   * The key in {@code file}, written there first (durably) when missing or not a whole key. A file
   * of another length can only be one a crash cut short before this wrote keys durably; tokens
   * signed with it were never verifiable anyway, so replacing it loses nothing.
   */
  public static TokenKey fromFile(Path file) {
    try {
      byte[] stored = Files.exists(file) ? Files.readAllBytes(file) : null;
      if (stored != null && stored.length == BYTES) {
        return new TokenKey(stored);
      }
      byte[] key = fresh();
      AtomicFiles.write(file, key);
      return new TokenKey(key);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the token key " + file, e);
    }
  }

  /**
   * The key in the shared state, written there first when missing; follows later writes of it. Call
   * before the state follows.
   */
  public static TokenKey shared(StateStore state) {
    byte[] stored = state.snapshot(KEY).get(KEY);
    boolean usable = stored != null && stored.length == BYTES;
    TokenKey key = new TokenKey(usable ? stored : fresh());
    if (!usable) {
      state.put(KEY, key.secret);
    }
    state.listenAll(
        KEY,
        (k, value) -> {
          if (value != null && value.length == BYTES) {
            key.secret = value;
          }
        });
    return key;
  }

  /** A key of exactly these bytes, for tests. */
  static TokenKey of(byte[] secret) {
    return new TokenKey(secret.clone());
  }

  byte[] secret() {
    return secret;
  }

  private static byte[] fresh() {
    byte[] s = new byte[BYTES];
    new SecureRandom().nextBytes(s);
    return s;
  }
}
