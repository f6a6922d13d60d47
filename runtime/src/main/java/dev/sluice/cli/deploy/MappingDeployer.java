package dev.sluice.cli.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.cli.client.SluiceClient;
import dev.sluice.template.FunctionResource;
import dev.sluice.template.KafkaEventSource;
import dev.sluice.template.KinesisEventSource;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Brings a function's event-source mappings to its template events. A Kinesis mapping is matched by
 * its stream, a Kafka mapping by its bootstrap servers and topic; one no longer among the
 * function's events is deleted, since the template owns the function and so its mappings.
 */
final class MappingDeployer {

  private static final String MAPPINGS = "/2015-03-31/event-source-mappings/";
  private final SluiceClient client;
  private final KafkaMappingDeployer kafka;

  MappingDeployer(SluiceClient client) {
    this.client = client;
    this.kafka = new KafkaMappingDeployer(client);
  }

  /**
   * Creates, updates and deletes {@code f}'s mappings, telling {@code report} of each change as
   * soon as it is made: when a later one is refused, those before it stay applied and must be told.
   */
  void apply(FunctionResource f, java.util.function.Consumer<Change> report) {
    Map<String, JsonNode> existing = new HashMap<>();
    for (JsonNode m : list(f.name())) {
      String kafkaKey = KafkaMappingDeployer.key(m);
      existing.putIfAbsent(kafkaKey != null ? kafkaKey : m.path("EventSourceArn").asText(), m);
    }
    List<JsonNode> kinesisMatches = new ArrayList<>();
    for (KinesisEventSource e : f.kinesisEvents()) {
      kinesisMatches.add(existing.remove(e.streamArn()));
    }
    List<JsonNode> kafkaMatches = new ArrayList<>();
    for (KafkaEventSource e : f.kafkaEvents()) {
      kafkaMatches.add(
          existing.remove(KafkaMappingDeployer.key(e.bootstrapServers(), e.topics().get(0))));
    }
    // stale ones go first: a Kafka event moved to another topic keeps its ConsumerGroupId, which
    // the server lets only one mapping use
    deleteStale(f, existing, report);
    for (int i = 0; i < kinesisMatches.size(); i++) {
      report.accept(apply(f, f.kinesisEvents().get(i), kinesisMatches.get(i)));
    }
    for (int i = 0; i < kafkaMatches.size(); i++) {
      report.accept(kafka.apply(f, f.kafkaEvents().get(i), kafkaMatches.get(i)));
    }
  }

  private void deleteStale(
      FunctionResource f,
      Map<String, JsonNode> existing,
      java.util.function.Consumer<Change> report) {
    for (Map.Entry<String, JsonNode> stale : existing.entrySet()) {
      String uuid = stale.getValue().path("UUID").asText();
      if (stale.getKey().startsWith("arn:aws:kinesis:") || stale.getKey().startsWith("kafka:")) {
        client.rest("DELETE", MAPPINGS + uuid, null);
        String what =
            stale.getKey().startsWith("kafka:")
                ? "mapping "
                    + f.name()
                    + " ← kafka "
                    + stale.getValue().path("Topics").get(0).asText()
                : label(f.name(), stale.getKey());
        report.accept(new Change(Change.Action.DELETED, what, "no longer in the template"));
      }
    }
  }

  private Change apply(FunctionResource f, KinesisEventSource e, JsonNode current) {
    String resource = label(f.name(), e.streamArn());
    ObjectNode wanted = MappingFields.wanted(e.request());
    if (current == null) {
      ObjectNode body = MappingFields.body(wanted);
      body.put("FunctionName", f.name());
      body.put("EventSourceArn", e.streamArn());
      body.put("StartingPosition", e.request().startingPosition());
      if (e.request().startingTimestampMillis() != null) {
        body.put(
            "StartingPositionTimestamp",
            BigDecimal.valueOf(e.request().startingTimestampMillis(), 3));
      }
      if (Boolean.TRUE.equals(e.request().metadataOnlyFailures())) {
        body.put("SluiceFailureRecordFormat", "Lambda");
      }
      JsonNode created = client.rest("POST", "/2015-03-31/event-source-mappings", body);
      return new Change(
          Change.Action.CREATED,
          resource,
          "uuid " + created.path("UUID").asText() + ", from " + e.request().startingPosition());
    }
    ObjectNode have = MappingFields.current(current);
    List<String> differ = new ArrayList<>();
    wanted.fieldNames().forEachRemaining(n -> differ.addAll(differs(n, wanted, have)));
    if (differ.isEmpty()) {
      return new Change(Change.Action.UNCHANGED, resource, note(e, current));
    }
    client.rest("PUT", MAPPINGS + current.path("UUID").asText(), MappingFields.body(wanted));
    return new Change(Change.Action.UPDATED, resource, String.join(", ", differ));
  }

  private static List<String> differs(String field, JsonNode wanted, JsonNode have) {
    return wanted.get(field).equals(have.get(field))
        ? List.of()
        : List.of(field + " " + have.get(field) + " → " + wanted.get(field));
  }

  private static String note(KinesisEventSource e, JsonNode current) {
    String pos = current.path("StartingPosition").asText();
    return pos.equals(e.request().startingPosition())
        ? ""
        : "StartingPosition applies to new mappings only; this one keeps its checkpoints";
  }

  static String label(String function, String streamArn) {
    return "mapping " + function + " ← " + streamArn.substring(streamArn.lastIndexOf('/') + 1);
  }

  /**
   * Mappings that read one of the template's streams for a function the template does not have: a
   * function renamed or dropped from another stack's template, or deployed before Sluice marked
   * resources with their stack, keeps its mappings, and they go on reading the stream beside the
   * new ones. Reported, not deleted.
   */
  List<Change> strangers(dev.sluice.template.Template t) {
    java.util.Set<String> streams = new java.util.HashSet<>();
    t.streams().forEach(s -> streams.add(s.name()));
    java.util.Set<String> functions = new java.util.HashSet<>();
    t.functions().forEach(f -> functions.add(f.name()));
    List<Change> out = new ArrayList<>();
    for (JsonNode m : client.mappings(null)) {
      String arn = m.path("EventSourceArn").asText("");
      String stream = arn.substring(arn.lastIndexOf('/') + 1);
      String fnArn = m.path("FunctionArn").asText("");
      String function = fnArn.substring(fnArn.lastIndexOf(':') + 1);
      if (!arn.isEmpty() && streams.contains(stream) && !functions.contains(function)) {
        out.add(
            new Change(
                Change.Action.SKIPPED,
                label(function, arn),
                "its function is not in this template, and it still reads the stream (delete it"
                    + " if the function was renamed or dropped: uuid "
                    + m.path("UUID").asText()
                    + ")"));
      }
    }
    return out;
  }

  /** Deletes every mapping of {@code function}, whose function the stack no longer has. */
  /** Deletes every mapping of {@code function}, telling {@code report} of each at once. */
  void deleteAll(String function, java.util.function.Consumer<Change> report) {
    for (JsonNode m : list(function)) {
      client.rest("DELETE", MAPPINGS + m.path("UUID").asText(), null);
      String kafkaKey = KafkaMappingDeployer.key(m);
      String what =
          kafkaKey != null
              ? "mapping " + function + " ← kafka " + m.path("Topics").get(0).asText()
              : label(function, m.path("EventSourceArn").asText());
      report.accept(
          new Change(Change.Action.DELETED, what, "its function is no longer in the template"));
    }
  }

  private List<JsonNode> list(String function) {
    return client.mappings(function);
  }
}
