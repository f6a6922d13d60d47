package dev.sluice.mapper;

import dev.sluice.mapper.kafka.KafkaClientProps;
import java.util.List;
import java.util.Set;

/** Lambda's rules for a SelfManagedKafka source, with the field each error names. */
final class KafkaValidation {

  private KafkaValidation() {}

  /** The source of a new mapping, its group defaulting to the mapping's UUID as in Lambda. */
  static KafkaSource source(KafkaSource k, String uuid) {
    List<String> servers = k.bootstrapServers();
    if (servers == null || servers.isEmpty()) {
      throw MappingException.invalid(
          "SelfManagedEventSource.Endpoints.KAFKA_BOOTSTRAP_SERVERS must list at least one"
              + " host:port.");
    }
    if (servers.size() > KafkaNames.MAX_SERVERS) {
      throw MappingException.invalid(
          "SelfManagedEventSource.Endpoints.KAFKA_BOOTSTRAP_SERVERS lists "
              + servers.size()
              + " servers; at most "
              + KafkaNames.MAX_SERVERS
              + " are allowed.");
    }
    for (String s : servers) {
      refuse(
          "SelfManagedEventSource.Endpoints.KAFKA_BOOTSTRAP_SERVERS ", KafkaNames.serverProblem(s));
    }
    refuse("Topics ", KafkaNames.topicProblem(k.topic()));
    String group = k.consumerGroupId() == null ? uuid : k.consumerGroupId();
    refuse("SelfManagedKafkaEventSourceConfig.ConsumerGroupId ", KafkaNames.groupProblem(group));
    return new KafkaSource(List.copyOf(servers), k.topic(), group, access(k.sourceAccess()));
  }

  private static void refuse(String field, String problem) {
    if (problem != null) {
      throw MappingException.invalid(field + problem);
    }
  }

  /**
   * Refuses an update that gives another bootstrap server list, topic or consumer group: Lambda
   * fixes them when the mapping is created.
   */
  static void unchanged(KafkaSource old, KafkaSource given) {
    if (given.bootstrapServers() != null
        && !Set.copyOf(given.bootstrapServers()).equals(Set.copyOf(old.bootstrapServers()))) {
      throw MappingException.invalid(
          "SelfManagedEventSource cannot be changed; create a new event source mapping.");
    }
    if (given.topic() != null && !given.topic().equals(old.topic())) {
      throw MappingException.invalid(
          "Topics cannot be changed; create a new event source mapping.");
    }
    if (given.consumerGroupId() != null && !given.consumerGroupId().equals(old.consumerGroupId())) {
      throw MappingException.invalid(
          "SelfManagedKafkaEventSourceConfig.ConsumerGroupId cannot be changed; create a new event"
              + " source mapping.");
    }
  }

  static List<KafkaSource.Access> access(List<KafkaSource.Access> access) {
    List<KafkaSource.Access> a = access == null ? List.of() : List.copyOf(access);
    try {
      KafkaClientProps.validate(a);
    } catch (IllegalArgumentException e) {
      throw MappingException.invalid(e.getMessage());
    }
    return a;
  }

  /** The starting position: TRIM_HORIZON, LATEST, or AT_TIMESTAMP with its timestamp. */
  static StartingPosition position(String value, Long timestampMillis) {
    if (value == null) {
      throw MappingException.invalid(
          "StartingPosition is required for a Kafka event source: TRIM_HORIZON, LATEST or"
              + " AT_TIMESTAMP.");
    }
    StartingPosition position = MappingValidation.positionValue(value);
    if (position == StartingPosition.AT_TIMESTAMP && timestampMillis == null) {
      throw MappingException.invalid(
          "StartingPositionTimestamp is required with StartingPosition AT_TIMESTAMP.");
    }
    if (timestampMillis != null && timestampMillis < 0) {
      throw MappingException.invalid("StartingPositionTimestamp must not be before 1970.");
    }
    if (position != StartingPosition.AT_TIMESTAMP && timestampMillis != null) {
      throw MappingException.invalid(
          "StartingPositionTimestamp is only allowed with StartingPosition AT_TIMESTAMP.");
    }
    return position;
  }
}
