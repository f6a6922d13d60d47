package dev.sluice.template;

import dev.sluice.mapper.KafkaNames;
import dev.sluice.mapper.KafkaSource;
import dev.sluice.mapper.kafka.KafkaClientProps;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Reads and checks a {@code Type: SelfManagedKafka} event. */
final class KafkaEventReader {

  static final List<String> POSITIONS = List.of("TRIM_HORIZON", "LATEST", "AT_TIMESTAMP");
  static final List<String> ACCESS_TYPES =
      List.of(
          "SASL_SCRAM_256_AUTH",
          "SASL_SCRAM_512_AUTH",
          "BASIC_AUTH",
          "CLIENT_CERTIFICATE_TLS_AUTH",
          "SERVER_ROOT_CA_CERTIFICATE",
          "VPC_SUBNET",
          "VPC_SECURITY_GROUP");

  /**
   * SAM properties for AWS's operation of the mapping (keys, metrics, logs, pollers, the
   * consumption mode): warned about, so that a template AWS takes deploys here.
   */
  private static final Set<String> IGNORED =
      Set.of(
          "ConsumptionMode",
          "KmsKeyArn",
          "LoggingConfig",
          "MetricsConfig",
          "ProvisionedPollerConfig");

  private KafkaEventReader() {}

  static KafkaEventSource read(String id, Props props, SluiceMetadata meta, Scope scope) {
    Problems problems = scope.problems();
    List<String> servers = servers(props, problems);
    List<String> topics = topics(props, problems);
    Boolean enabled = props.bool("Enabled");
    String position = props.oneOf("StartingPosition", POSITIONS);
    KafkaEventSource source =
        new KafkaEventSource(
            id,
            servers,
            topics,
            groupId(props, scope),
            position,
            // no StartingPosition means TRIM_HORIZON, with which a timestamp is an error too
            EventCommon.timestamp(props, position == null ? "TRIM_HORIZON" : position, problems),
            props.integer("BatchSize", 1, 10_000),
            props.integer("MaximumBatchingWindowInSeconds", 0, 300),
            EventCommon.filters(props, scope),
            props.bool("BisectBatchOnFunctionError"),
            props.unlimitedOrRange("MaximumRetryAttempts", 0, 10_000),
            props.unlimitedOrRange("MaximumRecordAgeInSeconds", 60, 604_800),
            EventCommon.responseTypes(props, problems),
            EventCommon.onFailure(props, id, meta.onFailure(id), true, scope.problems()),
            sourceAccess(props, meta.sourceAccess(id), meta.eventPath(id), scope),
            meta.parallelization(id),
            meta.metadataOnly(id),
            enabled == null || enabled);
    refuseParallelization(id, props, problems);
    refuseSchemaRegistry(props, problems);
    props.finish(IGNORED);
    return source;
  }

  /**
   * A schema registry changes what the function gets (decoded values where Sluice would hand it the
   * records' raw bytes), so it is refused, as the mapping API refuses it, not ignored.
   */
  private static void refuseSchemaRegistry(Props props, Problems problems) {
    Node at = props.raw("SchemaRegistryConfig");
    if (at != null) {
      problems.errorAtKey(
          props.path() + ".SchemaRegistryConfig",
          at,
          "is not supported by Sluice: the function would get the records' raw bytes where it"
              + " expects values decoded by the schema registry");
    }
  }

  /**
   * SAM passes ParallelizationFactor on to Lambda, which takes it for Kinesis and DynamoDB streams
   * only, so a Kafka event with it would not deploy to AWS.
   */
  private static void refuseParallelization(String id, Props props, Problems problems) {
    Node raw = props.raw("ParallelizationFactor");
    if (raw != null) {
      problems.errorAtKey(
          props.path() + ".ParallelizationFactor",
          raw,
          "Lambda takes it for Kinesis and DynamoDB streams only, so AWS would refuse this"
              + " event; give it as the function's Metadata.Sluice.Events."
              + id
              + ".ParallelizationFactor, which AWS ignores");
    }
  }

  private static List<String> nonEmpty(Props props, String key, Problems problems) {
    Field f = props.required(key);
    List<String> values = f == null ? null : Values.strings(f, problems);
    if (values != null && values.isEmpty()) {
      problems.error(f.path(), f.node(), "must not be empty");
    }
    return values;
  }

  /** The servers, checked as the server checks them, so a bad one fails here and not midway. */
  private static List<String> servers(Props props, Problems problems) {
    List<String> servers = nonEmpty(props, "KafkaBootstrapServers", problems);
    if (servers == null) {
      return null;
    }
    Field f = props.field("KafkaBootstrapServers");
    if (servers.size() > KafkaNames.MAX_SERVERS) {
      problems.error(
          f.path(),
          f.node(),
          "lists "
              + servers.size()
              + " servers; at most "
              + KafkaNames.MAX_SERVERS
              + " are allowed");
    }
    for (String server : servers) {
      String problem = KafkaNames.serverProblem(server);
      if (problem != null) {
        problems.error(f.path(), f.node(), problem);
      }
    }
    return servers;
  }

  private static List<String> topics(Props props, Problems problems) {
    List<String> topics = nonEmpty(props, "Topics", problems);
    Field f = props.field("Topics");
    if (topics != null && topics.size() > 1) {
      problems.error(f.path(), f.node(), "has " + topics.size() + " topics; exactly 1 is allowed");
    } else if (topics != null && topics.size() == 1) {
      String problem = KafkaNames.topicProblem(topics.get(0));
      if (problem != null) {
        problems.error(f.path(), f.node(), problem);
      }
    }
    return topics;
  }

  /**
   * The ConsumerGroupId, checked against Lambda's pattern and against the template's other Kafka
   * events: Lambda gives a group to one mapping only, so a second would stop a deploy half way.
   */
  private static String groupId(Props props, Scope scope) {
    Problems problems = scope.problems();
    Field f = props.field("ConsumerGroupId");
    String id = f == null ? null : Values.string(f, problems);
    String problem = id == null ? null : KafkaNames.groupProblem(id);
    if (problem != null) {
      problems.error(f.path(), f.node(), problem);
      return null;
    }
    String first = id == null ? null : scope.consumerGroups().putIfAbsent(id, f.path());
    if (first != null) {
      problems.error(
          f.path(),
          f.node(),
          "is already the consumer group of " + first + ": one mapping a group");
    }
    return id;
  }

  /**
   * The event's SourceAccessConfigurations, or Sluice's own from its Metadata when given there: on
   * AWS they name Secrets Manager secrets, which Sluice cannot read, so a template that deploys to
   * both gives Sluice {@code file://} secrets in Metadata, which AWS ignores.
   */
  private static List<KafkaEventSource.SourceAccess> sourceAccess(
      Props props, Field sluice, String sluicePath, Scope scope) {
    Field f = props.field("SourceAccessConfigurations");
    // read for its own errors even when Sluice's replace it
    List<KafkaEventSource.SourceAccess> given = f == null ? List.of() : accessList(f, scope);
    Field used = sluice != null ? sluice : f;
    List<KafkaEventSource.SourceAccess> out = sluice != null ? accessList(sluice, scope) : given;
    if (given.isEmpty()) {
      // common for a local broker without authentication, so Sluice runs it
      scope
          .problems()
          .warnAtKey(
              props.path() + ".SourceAccessConfigurations",
              f == null ? props.holder() : f.node(),
              "none given: sam deploy refuses a SelfManagedKafka event without one (\"No"
                  + " SourceAccessConfigurations for self managed kafka event provided.\")");
    }
    String problem = accessProblem(out);
    if (problem != null) {
      scope
          .problems()
          .error(
              used.path(),
              used.node(),
              problem
                  + (sluice == null
                      ? " (give Sluice's own as "
                          + sluicePath
                          + ".SourceAccessConfigurations, which AWS ignores)"
                      : ""));
    }
    return out;
  }

  private static List<KafkaEventSource.SourceAccess> accessList(Field f, Scope scope) {
    List<Field> items = Values.items(f, scope.problems());
    List<KafkaEventSource.SourceAccess> out = new ArrayList<>();
    for (Field item : items == null ? List.<Field>of() : items) {
      Props access = Props.of(item.node(), item.path(), item.node(), scope);
      String type = access.requiredOneOf("Type", ACCESS_TYPES);
      String uri = access.requiredString("URI");
      access.finish(Set.of());
      if (type != null && uri != null) {
        out.add(new KafkaEventSource.SourceAccess(type, uri));
      }
    }
    return List.copyOf(out);
  }

  /** What the API would refuse in {@code access}, or null: caught here, not half way a deploy. */
  private static String accessProblem(List<KafkaEventSource.SourceAccess> access) {
    try {
      KafkaClientProps.validate(
          access.stream().map(a -> new KafkaSource.Access(a.type(), a.uri())).toList());
      return null;
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }
}
