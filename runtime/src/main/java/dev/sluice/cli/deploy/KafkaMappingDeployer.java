package dev.sluice.cli.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.cli.client.SluiceClient;
import dev.sluice.mapper.MappingRequest;
import dev.sluice.template.FunctionResource;
import dev.sluice.template.KafkaEventSource;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Brings one SelfManagedKafka event of a template to its mapping: creates it, or updates the
 * settings that differ. Topic, bootstrap servers, consumer group and starting position are fixed
 * once a mapping exists, as in Lambda.
 */
final class KafkaMappingDeployer {

  private static final String MAPPINGS = "/2015-03-31/event-source-mappings/";
  private final SluiceClient client;

  KafkaMappingDeployer(SluiceClient client) {
    this.client = client;
  }

  /** How a Kafka mapping is matched: its bootstrap servers and its topic. */
  static String key(List<String> servers, String topic) {
    // the servers as a set: the server compares them so, and their order changes nothing
    return "kafka:" + String.join(",", new java.util.TreeSet<>(servers)) + "/" + topic;
  }

  /** The match key of a mapping the server lists, or null if it is not a Kafka mapping. */
  static String key(JsonNode mapping) {
    JsonNode topics = mapping.path("Topics");
    if (!topics.isArray() || topics.isEmpty()) {
      return null;
    }
    List<String> servers = new ArrayList<>();
    mapping
        .path("SelfManagedEventSource")
        .path("Endpoints")
        .path("KAFKA_BOOTSTRAP_SERVERS")
        .forEach(s -> servers.add(s.asText()));
    return key(servers, topics.get(0).asText());
  }

  static String label(String function, KafkaEventSource e) {
    return "mapping " + function + " ← kafka " + e.topics().get(0);
  }

  Change apply(FunctionResource f, KafkaEventSource e, JsonNode current) {
    ObjectNode wanted = MappingFields.wanted(request(f.name(), e));
    wanted.remove("TumblingWindowInSeconds"); // Kafka mappings have no tumbling windows
    if (e.maxBatchingWindowSeconds() == null) {
      // without a window Lambda batches Kafka records for 500 ms, and a mapping cannot go back to
      // that once one was given: so an absent window is neither sent (which would set 0) nor
      // compared
      wanted.remove("MaximumBatchingWindowInSeconds");
    }
    wanted.set("SourceAccessConfigurations", access(e));
    if (current == null) {
      return create(f, e, wanted);
    }
    ObjectNode have = MappingFields.current(current);
    have.remove("TumblingWindowInSeconds");
    if (!current.has("MaximumBatchingWindowInSeconds")) {
      have.put("MaximumBatchingWindowInSeconds", "unset (500 ms)"); // never given: differs from 0
    }
    have.set("SourceAccessConfigurations", current.path("SourceAccessConfigurations"));
    List<String> differ = new ArrayList<>();
    wanted
        .fieldNames()
        .forEachRemaining(
            n -> {
              if (!wanted.get(n).equals(have.get(n))) {
                differ.add(n + " " + shown(have.get(n)) + " → " + shown(wanted.get(n)));
              }
            });
    if (differ.isEmpty()) {
      return new Change(Change.Action.UNCHANGED, label(f.name(), e), note(e, current));
    }
    client.rest("PUT", MAPPINGS + current.path("UUID").asText(), MappingFields.body(wanted));
    return new Change(Change.Action.UPDATED, label(f.name(), e), String.join(", ", differ));
  }

  private static String shown(JsonNode value) {
    return value == null ? "none" : value.isTextual() ? value.asText() : value.toString();
  }

  private Change create(FunctionResource f, KafkaEventSource e, ObjectNode wanted) {
    ObjectNode body = MappingFields.body(wanted);
    body.put("FunctionName", f.name());
    ArrayNode servers =
        body.putObject("SelfManagedEventSource")
            .putObject("Endpoints")
            .putArray("KAFKA_BOOTSTRAP_SERVERS");
    e.bootstrapServers().forEach(servers::add);
    body.putArray("Topics").add(e.topics().get(0));
    if (e.consumerGroupId() != null) {
      body.putObject("SelfManagedKafkaEventSourceConfig")
          .put("ConsumerGroupId", e.consumerGroupId());
    }
    body.put("StartingPosition", position(e));
    if (e.startingTimestampMillis() != null) {
      body.put("StartingPositionTimestamp", BigDecimal.valueOf(e.startingTimestampMillis(), 3));
    }
    JsonNode created = client.rest("POST", "/2015-03-31/event-source-mappings", body);
    return new Change(
        Change.Action.CREATED,
        label(f.name(), e),
        "uuid "
            + created.path("UUID").asText()
            + ", group "
            + created.path("SelfManagedKafkaEventSourceConfig").path("ConsumerGroupId").asText()
            + ", from "
            + position(e));
  }

  /** Lambda requires a starting position; a template without one starts at the beginning. */
  private static String position(KafkaEventSource e) {
    return e.startingPosition() == null ? "TRIM_HORIZON" : e.startingPosition();
  }

  private static String note(KafkaEventSource e, JsonNode current) {
    String group =
        current.path("SelfManagedKafkaEventSourceConfig").path("ConsumerGroupId").asText();
    if (e.consumerGroupId() != null && !e.consumerGroupId().equals(group)) {
      return "ConsumerGroupId applies to new mappings only; this one keeps group " + group;
    }
    return "";
  }

  private static ArrayNode access(KafkaEventSource e) {
    ArrayNode a = SluiceClient.object().arrayNode();
    e.sourceAccess().forEach(s -> a.addObject().put("Type", s.type()).put("URI", s.uri()));
    return a;
  }

  static MappingRequest request(String function, KafkaEventSource e) {
    return new MappingRequest(
        function,
        null,
        e.enabled(),
        e.batchSize(),
        e.maxBatchingWindowSeconds(),
        e.startingPosition(),
        e.startingTimestampMillis(),
        e.parallelizationFactor(),
        e.bisectOnError(),
        e.maxRetryAttempts(),
        e.maxRecordAgeSeconds(),
        e.onFailure(),
        e.functionResponseTypes(),
        e.filterPatterns(),
        null,
        e.metadataOnlyFailures(),
        null);
  }
}
