package dev.sluice.mapper;

import static dev.sluice.function.classloader.bridge.KinesisLayout.ARRIVAL_MILLIS;
import static dev.sluice.function.classloader.bridge.KinesisLayout.DATA;
import static dev.sluice.function.classloader.bridge.KinesisLayout.EVENT_IDS;
import static dev.sluice.function.classloader.bridge.KinesisLayout.IDENTITY_ARN;
import static dev.sluice.function.classloader.bridge.KinesisLayout.PARTITION_KEYS;
import static dev.sluice.function.classloader.bridge.KinesisLayout.REGION;
import static dev.sluice.function.classloader.bridge.KinesisLayout.SEQUENCE_NUMBERS;
import static dev.sluice.function.classloader.bridge.KinesisLayout.SIZE;
import static dev.sluice.function.classloader.bridge.KinesisLayout.SOURCE_ARN;

import dev.sluice.function.KinesisBatch;
import dev.sluice.log.LogRecord;
import dev.sluice.stream.Shard;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A batch's Kinesis event as objects, with its JSON ({@link EventBuilder#eventBytes}) left to be
 * built only if the function needs it, and a bound on that JSON's length so that the 6 MB limit is
 * still enforced without building it.
 */
final class KinesisBatches {

  /** Below 2^53 a long converts to a double exactly, which the bridge's Date arithmetic needs. */
  private static final long EXACT_MILLIS = 1L << 53;

  /** Lambda's payload limit, which the bound is checked against. */
  private static final long LIMIT = 6L * 1024 * 1024;

  /** {@code {"Records":[]}} */
  private static final int ENVELOPE = 14;

  private KinesisBatches() {}

  /**
   * The batch, or null when one of its arrival times lies outside the range where the objects are
   * guaranteed identical to what the JSON gives a handler.
   */
  static KinesisBatch of(EventBuilder events, Shard shard, List<LogRecord> batch) {
    int n = batch.size();
    String[] keys = new String[n];
    String[] sequenceNumbers = new String[n];
    String[] eventIds = new String[n];
    byte[][] data = new byte[n][];
    long[] arrivals = new long[n];
    ShardText text = ShardText.of(shard, events.generation());
    long fixed = fixedRecordBytes(events, shard);
    long max = ENVELOPE + Math.max(0, n - 1);
    for (int i = 0; i < n; i++) {
      LogRecord r = batch.get(i);
      if (r.arrivalMillis() < 0 || r.arrivalMillis() >= EXACT_MILLIS) {
        return null;
      }
      byte[] id = text.sequenceNumber(r.offset());
      eventIds[i] = new String(id, StandardCharsets.ISO_8859_1);
      sequenceNumbers[i] = eventIds[i].substring(text.eventIdPrefixLength());
      keys[i] = r.partitionKey();
      data[i] = r.data();
      arrivals[i] = r.arrivalMillis();
      // six bytes a key character at most; the exact scan is only worth it near the limit
      max += fixed + 6L * r.partitionKey().length() + base64Length(r.data().length);
      max += digits(r.arrivalMillis() / 1000) - 1; // "0.000" is in the fixed part
    }
    if (max > LIMIT) {
      max = refined(max, batch);
    }
    Object[] records = new Object[SIZE];
    records[PARTITION_KEYS] = keys;
    records[SEQUENCE_NUMBERS] = sequenceNumbers;
    records[EVENT_IDS] = eventIds;
    records[DATA] = data;
    records[ARRIVAL_MILLIS] = arrivals;
    return new KinesisBatch(
        withSource(records, events), () -> events.eventBytes(shard, batch), max);
  }

  /** The values every record of the mapping shares. */
  private static Object[] withSource(Object[] records, EventBuilder events) {
    records[SOURCE_ARN] = events.streamArn();
    records[REGION] = events.region();
    records[IDENTITY_ARN] = events.roleArn();
    return records;
  }

  /**
   * The JSON bytes of one record of this shard with an empty key, no data and arrival 0 ({@code
   * 0.000}): what every record costs besides those three. Measured rather than counted, so it
   * follows the writer.
   */
  static long fixedRecordBytes(EventBuilder events, Shard shard) {
    return events.eventBytes(shard, List.of(new LogRecord(0, 0, "", new byte[0]))).length
        - ENVELOPE;
  }

  /** {@code coarse} with each key's six bytes a character replaced by {@link #maxKeyBytes}. */
  private static long refined(long coarse, List<LogRecord> batch) {
    long max = coarse;
    for (LogRecord r : batch) {
      max -= 6L * r.partitionKey().length() - maxKeyBytes(r.partitionKey());
    }
    return max;
  }

  /** Decimal digits of {@code v}, which is not negative. */
  static int digits(long v) {
    int n = 1;
    for (long p = 10; n < 19 && v >= p; p *= 10) {
      n++;
    }
    return n;
  }

  /**
   * At most the bytes a JSON writer spends on {@code key}, quotes excluded: escapes take up to six
   * bytes (a surrogate is written as a six-byte escape), other characters their UTF-8 length.
   */
  static long maxKeyBytes(String key) {
    long n = 0;
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x80) {
        n += c < 0x20 || c == '"' || c == '\\' ? 6 : 1;
      } else {
        n += c < 0x800 ? 2 : 6;
      }
    }
    return n;
  }

  static long base64Length(int bytes) {
    return 4L * ((bytes + 2) / 3);
  }
}
