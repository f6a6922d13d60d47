package dev.sluice.log.file;

import dev.sluice.log.LogException;
import dev.sluice.log.LogRecord;
import dev.sluice.log.NewRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Encodes and decodes the batches of a segment file; the layout is described on {@link Segment}.
 */
final class BatchFormat {

  static final byte MAGIC = 1;
  static final int CRC_AT = 4;
  static final int MAGIC_AT = 8;
  static final int BASE_OFFSET_AT = 9;
  static final int COUNT_AT = 17;
  static final int ARRIVAL_AT = 21;
  static final int HEADER_SIZE = 29;
  static final int MAX_KEY_BYTES = 0xFFFF;

  /** Bytes a record takes besides its key and data. */
  static final int RECORD_OVERHEAD = 6;

  private BatchFormat() {}

  /**
   * Encodes records into a batch whose base offset, arrival time and CRC are still blank: the
   * writer fills them in with {@link #stamp} once it has ordered the batch.
   */
  static ByteBuffer encode(List<NewRecord> records) {
    byte[][] keys = new byte[records.size()][];
    long total = HEADER_SIZE;
    for (int i = 0; i < keys.length; i++) {
      NewRecord r = records.get(i);
      if (r == null || r.partitionKey() == null || r.data() == null) {
        throw new LogException("record " + i + " has no partition key or data");
      }
      keys[i] = r.partitionKey().getBytes(StandardCharsets.UTF_8);
      if (keys[i].length > MAX_KEY_BYTES) {
        throw new LogException("partition key of record " + i + " exceeds 65535 bytes");
      }
      total += RECORD_OVERHEAD + keys[i].length + r.data().length;
    }
    if (total > Integer.MAX_VALUE - 16) {
      throw new LogException("append of " + total + " bytes is too large");
    }
    ByteBuffer b = ByteBuffer.allocate((int) total);
    b.putInt((int) total - 4).putInt(0).put(MAGIC).putLong(0).putInt(keys.length).putLong(0);
    for (int i = 0; i < keys.length; i++) {
      byte[] data = records.get(i).data();
      b.putShort((short) keys[i].length).put(keys[i]).putInt(data.length).put(data);
    }
    return b.flip();
  }

  /** Fills in the batch's base offset and arrival time, then its CRC. */
  static void stamp(ByteBuffer batch, long baseOffset, long arrivalMillis) {
    batch.putLong(BASE_OFFSET_AT, baseOffset).putLong(ARRIVAL_AT, arrivalMillis);
    batch.putInt(CRC_AT, crc(batch));
  }

  /** CRC32C of everything after the CRC field of a whole batch starting at index 0. */
  static int crc(ByteBuffer batch) {
    CRC32C crc = new CRC32C();
    crc.update(batch.duplicate().position(MAGIC_AT));
    return (int) crc.getValue();
  }

  /** Parses the header at the start of {@code b}. */
  static BatchHeader header(long position, ByteBuffer b) {
    return new BatchHeader(
        position,
        b.getInt(0),
        b.get(MAGIC_AT),
        b.getLong(BASE_OFFSET_AT),
        b.getInt(COUNT_AT),
        b.getLong(ARRIVAL_AT));
  }

  /** True when the CRC stored in a whole batch matches its bytes. */
  static boolean crcMatches(ByteBuffer batch) {
    return batch.getInt(CRC_AT) == crc(batch);
  }

  /** True when the whole batch in {@code batch} has a matching CRC and well-formed records. */
  static boolean isIntact(ByteBuffer batch, BatchHeader h) {
    if (!crcMatches(batch)) {
      return false;
    }
    int pos = HEADER_SIZE;
    for (int i = 0; i < h.count(); i++) {
      if (pos + RECORD_OVERHEAD > batch.limit()) {
        return false;
      }
      int key = Short.toUnsignedInt(batch.getShort(pos));
      if (pos + RECORD_OVERHEAD + key > batch.limit()) {
        return false;
      }
      int data = batch.getInt(pos + 2 + key);
      if (data < 0 || (long) pos + RECORD_OVERHEAD + key + data > batch.limit()) {
        return false;
      }
      pos += RECORD_OVERHEAD + key + data;
    }
    return pos == batch.limit();
  }

  /**
   * Decodes the records of a whole batch from {@code fromOffset} on into {@code out} while the
   * budget allows; returns the offset after the last record taken.
   */
  static long decode(
      ByteBuffer batch, BatchHeader h, long fromOffset, List<LogRecord> out, ReadBudget budget) {
    long offset = h.baseOffset();
    int pos = HEADER_SIZE;
    for (int i = 0; i < h.count(); i++, offset++) {
      int keyLength = Short.toUnsignedInt(batch.getShort(pos));
      int dataLength = batch.getInt(pos + 2 + keyLength);
      int next = pos + RECORD_OVERHEAD + keyLength + dataLength;
      if (offset >= fromOffset) {
        if (!budget.take(keyLength + dataLength)) {
          return offset;
        }
        String key =
            new String(
                batch.array(), batch.arrayOffset() + pos + 2, keyLength, StandardCharsets.UTF_8);
        byte[] data = new byte[dataLength];
        batch.get(pos + RECORD_OVERHEAD + keyLength, data);
        out.add(new LogRecord(offset, h.arrivalMillis(), key, data));
      }
      pos = next;
    }
    return offset;
  }
}
