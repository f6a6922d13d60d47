package dev.sluice.mapper.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads a ReportBatchItemFailures response for Kafka, whose itemIdentifier is an object naming the
 * topic-partition and offset: {@code {"batchItemFailures": [{"itemIdentifier": {"partition":
 * "topic-0", "offset": 15}}]}}. The rules are Lambda's: no response, a null or empty list is a
 * success; unparseable JSON, a missing or malformed itemIdentifier, or one not in the batch fails
 * the whole batch; otherwise processing restarts at the lowest reported offset.
 */
final class KafkaPartialFailures {

  private KafkaPartialFailures() {}

  /**
   * @param invalid why the response fails the whole batch, or null
   * @param firstFailed index in the batch of the lowest reported record, or -1 for full success
   */
  record Verdict(String invalid, int firstFailed) {}

  static Verdict read(byte[] response, List<ConsumerRecord<byte[], byte[]>> batch) {
    JsonNode root;
    try {
      root = response.length == 0 ? null : KafkaEvents.MAPPER.readTree(response);
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
      if (id == null || !id.isObject() || !id.path("partition").isTextual() || !id.has("offset")) {
        return new Verdict(
            "an entry's itemIdentifier is not {\"partition\": \"topic-N\", \"offset\": N}: " + item,
            -1);
      }
      int index = indexOf(id.get("partition").asText(), id.get("offset").asLong(-1), batch);
      if (index < 0) {
        return new Verdict("itemIdentifier " + id + " is not a record of the batch", -1);
      }
      lowest = Math.min(lowest, index);
    }
    return new Verdict(null, lowest);
  }

  private static int indexOf(
      String partition, long offset, List<ConsumerRecord<byte[], byte[]>> batch) {
    for (int i = 0; i < batch.size(); i++) {
      ConsumerRecord<byte[], byte[]> r = batch.get(i);
      if (r.offset() == offset && partition.equals(r.topic() + "-" + r.partition())) {
        return i;
      }
    }
    return -1;
  }
}
