package dev.sluice.mapper;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.log.LogRecord;
import dev.sluice.stream.SequenceNumbers;
import dev.sluice.stream.Shard;
import java.io.IOException;
import java.util.List;
import java.util.function.IntToLongFunction;

/**
 * Reads a ReportBatchItemFailures response ({@code {"batchItemFailures": [{"itemIdentifier":
 * id}]}}) with Lambda's rules: no response, an empty or null list, or a response without the member
 * is a success; unparseable JSON, a malformed or missing itemIdentifier, or an id not in the batch
 * fails the whole batch; otherwise processing restarts at the lowest reported record. What an id
 * looks like depends on the source ({@link Items}); the rules do not.
 */
public final class PartialFailures {

  private PartialFailures() {}

  /**
   * @param invalid why the response fails the whole batch, or null
   * @param firstFailed index in the batch of the lowest reported record, or -1 for full success
   */
  public record Verdict(String invalid, int firstFailed) {}

  /** How one source's itemIdentifiers name the records of its batch. */
  public interface Items {

    /** Why {@code id} (null when the entry has none) cannot name a record, or null if it can. */
    String malformed(JsonNode id);

    /** The index in the batch of the record {@code id} names, or -1. */
    int indexOf(JsonNode id);

    /** {@code id} as error messages show it. */
    String show(JsonNode id);
  }

  /** Reads {@code response} against a batch of the source {@code items} describes. */
  public static Verdict read(byte[] response, Items items) {
    JsonNode root;
    try {
      root = response.length == 0 ? null : EventBuilder.MAPPER.readTree(response);
    } catch (IOException e) {
      return new Verdict("the response is not valid JSON", -1);
    }
    JsonNode failures = root == null || !root.isObject() ? null : root.get("batchItemFailures");
    if (failures == null || failures.isNull() || (failures.isArray() && failures.isEmpty())) {
      return new Verdict(null, -1);
    }
    if (!failures.isArray()) {
      return new Verdict("batchItemFailures is not a list", -1);
    }
    int lowest = Integer.MAX_VALUE;
    for (JsonNode item : failures) {
      JsonNode id = item.get("itemIdentifier");
      String malformed = items.malformed(id);
      if (malformed != null) {
        return new Verdict(malformed + ": " + item, -1);
      }
      int index = items.indexOf(id);
      if (index < 0) {
        return new Verdict(
            "itemIdentifier " + items.show(id) + " is not a record of the batch", -1);
      }
      lowest = Math.min(lowest, index);
    }
    return new Verdict(null, lowest);
  }

  /**
   * The index of {@code offset} among {@code size} offsets in increasing order, or -1: a binary
   * search, as a handler may report every record of a 10,000-record batch.
   */
  public static int indexOfOffset(int size, IntToLongFunction offsetAt, long offset) {
    int low = 0;
    int high = size - 1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      long at = offsetAt.applyAsLong(mid);
      if (at < offset) {
        low = mid + 1;
      } else if (at > offset) {
        high = mid - 1;
      } else {
        return mid;
      }
    }
    return -1;
  }

  /**
   * A Kinesis response, whose itemIdentifiers are sequence numbers of {@code shard} in the stream
   * created at {@code generation}.
   */
  static Verdict read(byte[] response, Shard shard, long generation, List<LogRecord> batch) {
    return read(response, new SequenceNumberItems(shard, generation, batch));
  }

  private record SequenceNumberItems(Shard shard, long generation, List<LogRecord> batch)
      implements Items {

    @Override
    public String malformed(JsonNode id) {
      boolean ok = id != null && id.isTextual() && !id.asText().isEmpty();
      return ok ? null : "an entry has a null, empty or missing itemIdentifier";
    }

    @Override
    public int indexOf(JsonNode id) {
      SequenceNumbers.Decoded d = SequenceNumbers.decode(id.asText());
      if (d == null || !d.isOf(generation, shard.ordinal())) {
        return -1;
      }
      return indexOfOffset(batch.size(), i -> batch.get(i).offset(), d.offset());
    }

    @Override
    public String show(JsonNode id) {
      return id.asText();
    }
  }
}
