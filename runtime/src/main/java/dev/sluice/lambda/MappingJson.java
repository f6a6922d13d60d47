package dev.sluice.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.mapper.GroupPosition;
import dev.sluice.mapper.KafkaSource;
import dev.sluice.mapper.MappingConfig;
import dev.sluice.mapper.MappingRequest;
import dev.sluice.mapper.MappingService;
import dev.sluice.mapper.ShardStatus;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/** Lambda's EventSourceMapping shapes. */
final class MappingJson {

  private MappingJson() {}

  static MappingRequest request(ObjectNode b) {
    JsonNode dest = onFailure(b.get("DestinationConfig"));
    return new MappingRequest(
        LambdaJson.text(b, "FunctionName"),
        LambdaJson.text(b, "EventSourceArn"),
        bool(b, "Enabled"),
        LambdaJson.integer(b, "BatchSize"),
        LambdaJson.integer(b, "MaximumBatchingWindowInSeconds"),
        LambdaJson.text(b, "StartingPosition"),
        LambdaJson.epochMillis(b, "StartingPositionTimestamp"),
        LambdaJson.integer(b, "ParallelizationFactor"),
        bool(b, "BisectBatchOnFunctionError"),
        LambdaJson.integer(b, "MaximumRetryAttempts"),
        LambdaJson.integer(b, "MaximumRecordAgeInSeconds"),
        b.has("DestinationConfig") ? destination(dest) : null,
        strings(b.get("FunctionResponseTypes"), "FunctionResponseTypes"),
        patterns(b.get("FilterCriteria")),
        LambdaJson.integer(b, "TumblingWindowInSeconds"),
        metadataOnly(given(b, "SluiceFailureRecordFormat")),
        kafka(b));
  }

  /** The member {@code name}, or null when it is missing or JSON null (not given, as in Lambda). */
  private static JsonNode given(ObjectNode b, String name) {
    JsonNode n = b.get(name);
    return n == null || n.isNull() ? null : n;
  }

  /**
   * Whether failure records are Lambda's metadata-only ones; null when the request says nothing.
   */
  private static Boolean metadataOnly(JsonNode format) {
    if (format == null) {
      return null;
    }
    if (!format.isTextual() || !List.of("Lambda", "Sluice").contains(format.asText())) {
      throw new LambdaException(
          LambdaError.InvalidParameterValueException,
          "SluiceFailureRecordFormat must be Lambda or Sluice, not " + format + ".");
    }
    return format.asText().equals("Lambda");
  }

  /** Lambda's self-managed Kafka members, or null when the request has none. */
  private static KafkaSource kafka(ObjectNode b) {
    JsonNode source = given(b, "SelfManagedEventSource");
    JsonNode topics = given(b, "Topics");
    JsonNode config = given(b, "SelfManagedKafkaEventSourceConfig");
    JsonNode access = given(b, "SourceAccessConfigurations");
    if (source == null && topics == null && config == null && access == null) {
      return null;
    }
    if (config != null
        && !config.path("SchemaRegistryConfig").isMissingNode()
        && !config.path("SchemaRegistryConfig").isNull()) {
      // dropped, the function would get the records' raw bytes where it expects decoded values
      throw new LambdaException(
          LambdaError.InvalidParameterValueException,
          "SelfManagedKafkaEventSourceConfig.SchemaRegistryConfig is not supported: Sluice hands"
              + " the function each record's key and value as the broker has them (base64).");
    }
    List<String> topicList = strings(topics, "Topics");
    if (topicList != null && topicList.size() != 1) {
      throw new LambdaException(
          LambdaError.InvalidParameterValueException,
          "Topics must name exactly one topic, not " + topicList.size() + ".");
    }
    return new KafkaSource(
        source == null
            ? null
            : strings(
                source.path("Endpoints").get("KAFKA_BOOTSTRAP_SERVERS"),
                "SelfManagedEventSource.Endpoints.KAFKA_BOOTSTRAP_SERVERS"),
        topicList == null ? null : topicList.get(0),
        config == null ? null : config.path("ConsumerGroupId").asText(null),
        access == null ? null : accessList(access));
  }

  /**
   * The access configurations; anything but a list of objects is refused, since read leniently it
   * was an empty list, and an update then dropped the mapping's authentication.
   */
  private static List<KafkaSource.Access> accessList(JsonNode access) {
    if (!access.isArray()) {
      throw invalidType("SourceAccessConfigurations must be a list of {Type, URI} objects.");
    }
    List<KafkaSource.Access> out = new ArrayList<>();
    for (JsonNode a : access) {
      if (!a.isObject()) {
        throw invalidType("SourceAccessConfigurations must be a list of {Type, URI} objects.");
      }
      out.add(new KafkaSource.Access(a.path("Type").asText(null), a.path("URI").asText(null)));
    }
    return out;
  }

  private static void kafkaConfiguration(ObjectNode n, KafkaSource k) {
    n.putObject("SelfManagedEventSource")
        .putObject("Endpoints")
        .set("KAFKA_BOOTSTRAP_SERVERS", stringArray(k.bootstrapServers()));
    n.set("Topics", stringArray(List.of(k.topic())));
    n.putObject("SelfManagedKafkaEventSourceConfig").put("ConsumerGroupId", k.consumerGroupId());
    ArrayNode access = n.putArray("SourceAccessConfigurations");
    k.sourceAccess().forEach(a -> access.addObject().put("Type", a.type()).put("URI", a.uri()));
  }

  private static ArrayNode stringArray(List<String> values) {
    ArrayNode a = LambdaJson.MAPPER.createArrayNode();
    values.forEach(a::add);
    return a;
  }

  static ObjectNode configuration(MappingService.View v, MappingService service) {
    MappingConfig c = v.config();
    ObjectNode n = LambdaJson.MAPPER.createObjectNode();
    n.put("UUID", c.uuid());
    n.put("StartingPosition", c.startingPosition().name());
    if (c.startingTimestampMillis() != null) {
      n.put("StartingPositionTimestamp", BigDecimal.valueOf(c.startingTimestampMillis(), 3));
    }
    n.put("BatchSize", c.batchSize());
    if (c.kafka() == null || c.kafka().windowGiven()) {
      // a Kafka mapping never given a window batches for Lambda's 500 ms, which no whole number
      // of seconds says, and which 0 (no window) must not be mistaken for
      n.put("MaximumBatchingWindowInSeconds", c.maxBatchingWindowSeconds());
    }
    n.put("ParallelizationFactor", c.parallelizationFactor());
    if (c.kafka() != null) {
      kafkaConfiguration(n, c.kafka());
    } else {
      n.put("EventSourceArn", service.streamArn(c));
    }
    n.put("FunctionArn", service.functionArn(c));
    n.put("LastModified", BigDecimal.valueOf(c.lastModifiedMillis(), 3));
    n.put("LastProcessingResult", v.lastProcessingResult());
    n.put("State", v.state());
    // as Lambda words it for each kind of source
    n.put("StateTransitionReason", c.kafka() != null ? "USER_INITIATED" : "User action");
    ObjectNode onFailure = n.putObject("DestinationConfig").putObject("OnFailure");
    if (c.onFailure() != null) {
      onFailure.put("Destination", c.onFailure());
    }
    if (!c.filterPatterns().isEmpty()) {
      ArrayNode filters = n.putObject("FilterCriteria").putArray("Filters");
      c.filterPatterns().forEach(p -> filters.addObject().put("Pattern", p));
    }
    n.put("MaximumRecordAgeInSeconds", c.maxRecordAgeSeconds());
    n.put("BisectBatchOnFunctionError", c.bisectOnError());
    n.put("MaximumRetryAttempts", c.maxRetryAttempts());
    if (c.kafka() == null) {
      n.put("TumblingWindowInSeconds", c.tumblingWindowSeconds());
    }
    // Sluice's extension: Lambda's metadata-only failure records, or with the records too
    n.put("SluiceFailureRecordFormat", c.metadataOnlyFailures() ? "Lambda" : "Sluice");
    ArrayNode types = n.putArray("FunctionResponseTypes");
    if (c.reportBatchItemFailures()) {
      types.add("ReportBatchItemFailures");
    }
    n.put("EventSourceMappingArn", service.mappingArn(c));
    return n;
  }

  /**
   * Sluice's status view: the configuration plus progress, totals over the shards (iterator age:
   * the largest of a shard not finished), each shard's figures, and the checkpoints.
   */
  static ObjectNode status(MappingService.View v, MappingService service) {
    ObjectNode n = configuration(v, service);
    n.put("IteratorAgeMillis", v.iteratorAgeMillis());
    n.put("Batches", v.sum(ShardStatus::batches));
    n.put("RecordsProcessed", v.recordsProcessed());
    n.put("Invocations", v.sum(ShardStatus::invocations));
    n.put("FunctionErrors", v.sum(ShardStatus::functionErrors));
    n.put("Retries", v.sum(ShardStatus::retries));
    n.put("RecordsToOnFailure", v.sum(ShardStatus::recordsToOnFailure));
    n.put("BatchesInFlight", v.sum(ShardStatus::batchesInFlight));
    n.put("Stuck", v.stuck());
    Map<String, GroupPosition> group = service.groupPositions(v.config().uuid());
    if (v.config().kafka() != null) {
      groupLag(n, v, group);
    } else if (!group.isEmpty()) {
      otherShards(n, v, group);
    }
    ObjectNode shards = n.putObject("Shards");
    v.shards().forEach((id, s) -> shard(shards.putObject(id), s));
    ObjectNode cps = n.putObject("Checkpoints");
    v.checkpoints()
        .forEach(
            (shard, cp) ->
                cps.putObject(shard).put("Offset", cp.offset()).put("Finished", cp.finished()));
    return n;
  }

  /**
   * Lambda's OffsetLag, the mapping's over all its partitions: this node's own figure for the
   * partitions it reads (newer than the group's committed offsets), the group's for the others,
   * which are listed under OtherPartitions. Without an answer from the cluster, only this node's.
   */
  private static void groupLag(
      ObjectNode n, MappingService.View v, Map<String, GroupPosition> group) {
    long lag = v.sum(s -> Math.max(0, s.offsetLag()));
    ObjectNode others =
        notHere(
            group,
            partition -> {
              ShardStatus own = v.shards().get(partition);
              return own != null && own.offsetLag() >= 0;
            });
    for (JsonNode o : others) {
      lag += o.path("OffsetLag").asLong();
    }
    n.put("OffsetLag", lag);
    if (!others.isEmpty()) {
      n.set("OtherPartitions", others);
    }
  }

  /**
   * With several nodes on Kafka storage: the stream's shards this node does not run (another node
   * does, or did until its group session expires) whose checkpoint in the mapping's group is not
   * finished, each with that checkpoint's offset, the records after it and the host of the member
   * that holds it (none while no member does).
   */
  private static void otherShards(
      ObjectNode n, MappingService.View v, Map<String, GroupPosition> group) {
    // the shards this node runs now have checkpoints here; Shards also keeps the figures of those
    // it ran before a rebalance moved them
    ObjectNode others = notHere(group, v.checkpoints()::containsKey);
    if (!others.isEmpty()) {
      n.set("OtherShards", others);
    }
  }

  /** The group's positions, by partition or shard, of those {@code here} does not claim. */
  private static ObjectNode notHere(Map<String, GroupPosition> group, Predicate<String> here) {
    ObjectNode out = LambdaJson.MAPPER.createObjectNode();
    new TreeMap<>(group)
        .forEach(
            (id, p) -> {
              if (!here.test(id)) {
                position(out.putObject(id), p);
              }
            });
    return out;
  }

  private static void position(ObjectNode o, GroupPosition p) {
    o.put("Offset", p.offset()).put("OffsetLag", p.lag());
    if (p.host() != null) {
      o.put("MemberHost", p.host());
    }
  }

  private static void shard(ObjectNode n, ShardStatus s) {
    n.put("IteratorAgeMillis", s.iteratorAgeMillis());
    n.put("Batches", s.batches());
    n.put("Records", s.records());
    n.put("Invocations", s.invocations());
    n.put("FunctionErrors", s.functionErrors());
    n.put("Retries", s.retries());
    n.put("RecordsToOnFailure", s.recordsToOnFailure());
    n.put("BatchesInFlight", s.batchesInFlight());
    n.put("Offset", s.offset());
    n.put("Finished", s.finished());
    n.put("Stuck", s.stuck());
    if (s.offsetLag() >= 0) {
      n.put("OffsetLag", s.offsetLag());
    }
    if (s.stuck()) {
      n.put("StuckReason", s.stuckReason());
    }
  }

  private static Boolean bool(JsonNode b, String field) {
    JsonNode v = b.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isBoolean()) {
      throw new LambdaException(
          LambdaError.InvalidParameterValueException, field + " must be a boolean.");
    }
    return v.booleanValue();
  }

  /**
   * A list of strings, or null when absent. Anything else is refused: read leniently, a string
   * where a list belongs was an empty list, which turned ReportBatchItemFailures off.
   */
  private static List<String> strings(JsonNode n, String field) {
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isArray()) {
      throw invalidType(field + " must be a list of strings.");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode e : n) {
      if (!e.isTextual()) {
        throw invalidType(field + " must be a list of strings.");
      }
      out.add(e.asText());
    }
    return out;
  }

  /** The filters' patterns, or null when absent; {@code {}} or no Filters: none. */
  private static List<String> patterns(JsonNode criteria) {
    if (criteria == null || criteria.isNull()) {
      return null;
    }
    JsonNode filters = criteria.path("Filters");
    if (!criteria.isObject()
        || !(filters.isMissingNode() || filters.isNull() || filters.isArray())) {
      throw invalidType("FilterCriteria must be an object with a list of Filters.");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode f : filters) {
      JsonNode pattern = f.path("Pattern");
      if (!f.isObject() || !(pattern.isTextual() || pattern.isMissingNode() || pattern.isNull())) {
        throw invalidType("FilterCriteria.Filters must be objects with a Pattern string.");
      }
      out.add(pattern.asText(null));
    }
    return out;
  }

  /** The destination member of a DestinationConfig, checked to be one; missing when absent. */
  private static JsonNode onFailure(JsonNode config) {
    if (config == null || config.isNull()) {
      return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
    JsonNode onFailure = config.path("OnFailure");
    boolean objects =
        config.isObject()
            && (onFailure.isMissingNode() || onFailure.isNull() || onFailure.isObject());
    if (!objects) {
      throw invalidType("DestinationConfig must be an object with an OnFailure object.");
    }
    JsonNode onSuccess = config.path("OnSuccess");
    // an empty one names nothing (a configuration copied back from a GetEventSourceMapping)
    if (!onSuccess.isMissingNode() && !onSuccess.isNull() && !onSuccess.isEmpty()) {
      // Lambda's answer: a stream mapping sends only failures anywhere
      throw invalidType(
          "Unsupported DestinationConfig parameter for given event source mapping type.");
    }
    return onFailure.path("Destination");
  }

  /** The OnFailure destination; "" when absent or null (a change removing it). */
  private static String destination(JsonNode dest) {
    if (dest.isMissingNode() || dest.isNull()) {
      return "";
    }
    if (!dest.isTextual()) {
      throw invalidType("DestinationConfig.OnFailure.Destination must be a string.");
    }
    return dest.asText();
  }

  private static LambdaException invalidType(String message) {
    return new LambdaException(LambdaError.InvalidParameterValueException, message);
  }
}
