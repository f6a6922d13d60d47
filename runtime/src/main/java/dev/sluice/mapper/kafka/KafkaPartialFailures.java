package dev.sluice.mapper.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.mapper.PartialFailures;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A ReportBatchItemFailures response for Kafka, whose itemIdentifier is an object naming the
 * topic-partition and offset as Lambda documents it: {@code {"batchItemFailures":
 * [{"itemIdentifier": {"topic-partition": "topic-0", "offset": 15}}]}}. The member {@code
 * partition} is taken too, which Sluice documented before. The rules are Lambda's, shared with
 * Kinesis ({@link PartialFailures}).
 */
final class KafkaPartialFailures {

  private KafkaPartialFailures() {}

  static PartialFailures.Verdict read(byte[] response, List<ConsumerRecord<byte[], byte[]>> batch) {
    return PartialFailures.read(response, new OffsetItems(batch));
  }

  private record OffsetItems(List<ConsumerRecord<byte[], byte[]>> batch)
      implements PartialFailures.Items {

    @Override
    public String malformed(JsonNode id) {
      boolean ok =
          id != null && id.isObject() && topicPartition(id).isTextual() && id.has("offset");
      return ok
          ? null
          : "an entry's itemIdentifier is not {\"topic-partition\": \"topic-N\", \"offset\": N}";
    }

    private static JsonNode topicPartition(JsonNode id) {
      return id.has("topic-partition") ? id.path("topic-partition") : id.path("partition");
    }

    @Override
    public int indexOf(JsonNode id) {
      String partition = topicPartition(id).asText();
      long offset = id.get("offset").asLong(-1);
      // a batch is of one partition, in offset order
      int i = PartialFailures.indexOfOffset(batch.size(), j -> batch.get(j).offset(), offset);
      if (i < 0) {
        return -1;
      }
      ConsumerRecord<byte[], byte[]> r = batch.get(i);
      return partition.equals(r.topic() + "-" + r.partition()) ? i : -1;
    }

    @Override
    public String show(JsonNode id) {
      return id.toString();
    }
  }
}
