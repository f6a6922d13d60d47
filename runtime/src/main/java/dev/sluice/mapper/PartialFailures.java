package dev.sluice.mapper;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.log.LogRecord;
import dev.sluice.stream.SequenceNumbers;
import dev.sluice.stream.Shard;
import java.io.IOException;
import java.util.List;

/**
 * Reads a ReportBatchItemFailures response ({@code {"batchItemFailures": [{"itemIdentifier":
 * seq}]}}) with Lambda's rules: no response, an empty or null list, or a response without the
 * member is a success; unparseable JSON, a null or empty itemIdentifier, an entry without it, or an
 * id not in the batch fails the whole batch; otherwise processing restarts at the lowest reported
 * sequence number.
 */
final class PartialFailures {

  private PartialFailures() {}

  /**
   * @param invalid why the response fails the whole batch, or null
   * @param firstFailed index in the batch of the lowest reported record, or -1 for full success
   */
  record Verdict(String invalid, int firstFailed) {}

  static Verdict read(byte[] response, Shard shard, List<LogRecord> batch) {
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
      if (id == null || id.isNull() || !id.isTextual() || id.asText().isEmpty()) {
        return new Verdict("an entry has a null, empty or missing itemIdentifier: " + item, -1);
      }
      int index = indexOf(id.asText(), shard, batch);
      if (index < 0) {
        return new Verdict("itemIdentifier " + id.asText() + " is not a record of the batch", -1);
      }
      lowest = Math.min(lowest, index);
    }
    return new Verdict(null, lowest);
  }

  private static int indexOf(String sequenceNumber, Shard shard, List<LogRecord> batch) {
    SequenceNumbers.Decoded d = SequenceNumbers.decode(sequenceNumber);
    if (d == null || d.ordinal() != shard.ordinal()) {
      return -1;
    }
    for (int i = 0; i < batch.size(); i++) {
      if (batch.get(i).offset() == d.offset()) {
        return i;
      }
    }
    return -1;
  }
}
