package dev.sluice.mapper;

import dev.sluice.stream.Shard;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A shard's eventID as ASCII bytes, {@code shardId-000000000003:4900...}, whose sequence-number
 * part is rewritten per record: only the 19 offset digits change within a shard, so a batch encodes
 * each record's eventID and sequence number without building any string.
 */
final class ShardText {

  private static final int OFFSET_DIGITS = 19;
  private final byte[] eventId;
  private final int prefixLength;
  private long last = -1;

  private ShardText(byte[] eventId, int prefixLength) {
    this.eventId = eventId;
    this.prefixLength = prefixLength;
  }

  /** The text of {@code shard} in the stream created at {@code generation}. */
  static ShardText of(Shard shard, long generation) {
    byte[] prefix = (shard.id() + ":").getBytes(StandardCharsets.US_ASCII);
    byte[] seq = shard.sequenceNumber(generation, 0).getBytes(StandardCharsets.US_ASCII);
    byte[] all = Arrays.copyOf(prefix, prefix.length + seq.length);
    System.arraycopy(seq, 0, all, prefix.length, seq.length);
    return new ShardText(all, prefix.length);
  }

  /**
   * The eventID bytes for {@code offset}; the sequence number is the slice from {@link
   * #eventIdPrefixLength()}. The array is reused by the next call.
   */
  byte[] sequenceNumber(long offset) {
    if (offset == last + 1 && last >= 0) {
      increment(); // records of a batch are mostly consecutive: a carry, not 19 divisions
    } else {
      long v = offset;
      for (int i = eventId.length - 1; i >= eventId.length - OFFSET_DIGITS; i--) {
        eventId[i] = (byte) ('0' + (int) (v % 10));
        v /= 10;
      }
    }
    last = offset;
    return eventId;
  }

  /** Adds one to the offset digits; the carry stays in them, as every offset fits 19 digits. */
  private void increment() {
    int i = eventId.length - 1;
    while (eventId[i] == '9') {
      eventId[i--] = '0';
    }
    eventId[i]++;
  }

  int eventIdPrefixLength() {
    return prefixLength;
  }
}
