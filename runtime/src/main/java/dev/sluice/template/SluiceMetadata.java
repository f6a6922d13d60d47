package dev.sluice.template;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A function's {@code Metadata: Sluice:} settings. They live in Metadata because SAM and
 * CloudFormation ignore it there, so the same template still deploys to AWS.
 */
final class SluiceMetadata {

  static final List<String> ISOLATIONS = List.of("classloader", "process");
  static final List<String> FAILURE_FORMATS = List.of("Lambda", "Sluice");

  private final String isolation;

  /** Where the Isolation setting is written, for errors about it; null when absent. */
  private Node isolationNode;

  private String isolationPath;
  private final Map<String, String> failureFormats = new HashMap<>();
  private final Map<String, String> onFailures = new HashMap<>();
  private final Map<String, Node> onFailureNodes = new HashMap<>();
  private final Map<String, Integer> parallelization = new HashMap<>();
  private final Map<String, Field> sourceAccess = new HashMap<>();
  private final Map<String, Node> eventNodes = new HashMap<>();
  private final String eventsPath;

  private SluiceMetadata(String isolation, String eventsPath) {
    this.isolation = isolation;
    this.eventsPath = eventsPath;
  }

  static SluiceMetadata read(Resources.Resource r, Scope scope) {
    Props metadata =
        Props.of(r.node().entries.get("Metadata"), r.path() + ".Metadata", r.node(), scope);
    Props sluice = metadata.child("Sluice");
    String isolation = sluice.oneOf("Isolation", ISOLATIONS);
    SluiceMetadata meta = new SluiceMetadata(isolation, sluice.path() + ".Events");
    meta.isolationNode = sluice.raw("Isolation");
    meta.isolationPath = sluice.path() + ".Isolation";
    Props events = sluice.child("Events");
    for (String id : events.keys()) {
      Props event = events.child(id);
      meta.eventNodes.put(id, events.raw(id));
      String format = event.oneOf("FailureRecordFormat", FAILURE_FORMATS);
      String onFailure = event.string("OnFailure");
      Integer factor = event.integer("ParallelizationFactor", 1, 10);
      Field access = event.field("SourceAccessConfigurations");
      event.finish(Set.of());
      if (access != null) {
        meta.sourceAccess.put(id, access);
      }
      if (factor != null) {
        meta.parallelization.put(id, factor);
      }
      if (format != null) {
        meta.failureFormats.put(id, format);
      }
      if (onFailure != null) {
        meta.onFailures.put(id, onFailure);
        meta.onFailureNodes.put(id, event.raw("OnFailure"));
      }
    }
    sluice.finish(Set.of());
    return meta;
  }

  /**
   * The isolation given, else the one {@code runtime} needs: a process for an OS-only runtime's
   * bootstrap, the class loader for Java.
   */
  String isolation(String runtime) {
    boolean os = runtime != null && runtime.startsWith("provided");
    if (isolation != null) {
      return isolation;
    }
    return os ? "process" : "classloader";
  }

  /** Reports class-loader isolation asked for a runtime whose bootstrap only a process runs. */
  void checkIsolation(String runtime, Problems problems) {
    if ("classloader".equals(isolation) && runtime != null && runtime.startsWith("provided")) {
      problems.error(
          isolationPath,
          isolationNode,
          "runtime " + runtime + " runs its bootstrap as a process: it needs Isolation process");
    }
  }

  /**
   * Whether failure records of event {@code id} hold metadata only, as Lambda's do; null: unset.
   */
  Boolean metadataOnly(String id) {
    String format = failureFormats.get(id);
    return format == null ? null : format.equals("Lambda");
  }

  /**
   * Where Sluice sends event {@code id}'s failure records instead of its DestinationConfig (which
   * may name an SQS queue, an SNS topic or an S3 bucket for AWS); null: unset.
   */
  String onFailure(String id) {
    return onFailures.get(id);
  }

  /** Where event {@code id}'s OnFailure is written, for errors about it; null when unset. */
  Node onFailureNode(String id) {
    return onFailureNodes.get(id);
  }

  /** The path of event {@code id}'s OnFailure, for errors about it. */
  String onFailurePath(String id) {
    return eventsPath + "." + id + ".OnFailure";
  }

  /**
   * Lanes per partition of Kafka event {@code id}, which Sluice offers beyond Lambda (Lambda takes
   * ParallelizationFactor for streams only, so it cannot be in the event's properties); null:
   * unset.
   */
  Integer parallelization(String id) {
    return parallelization.get(id);
  }

  /**
   * The SourceAccessConfigurations Sluice uses for Kafka event {@code id} instead of those in its
   * Properties, which name AWS Secrets Manager secrets (Sluice reads {@code file://} ones); null:
   * unset.
   */
  Field sourceAccess(String id) {
    return sourceAccess.get(id);
  }

  /** The path of event {@code id}'s settings here, which error messages point to. */
  String eventPath(String id) {
    return eventsPath + "." + id;
  }

  /**
   * Reports settings given here that a Kinesis event cannot take: a ParallelizationFactor (it has
   * its own in its Properties), a kafka:// OnFailure and SourceAccessConfigurations.
   */
  void requireKafka(String id, Problems problems) {
    Field access = sourceAccess.get(id);
    if (access != null) {
      problems.error(access.path(), access.node(), "only Kafka events take it");
    }
    if (parallelization.containsKey(id)) {
      problems.errorAtKey(
          eventsPath + "." + id,
          eventNodes.get(id),
          "a Kinesis event takes ParallelizationFactor in its Properties, as Lambda does");
    }
    String onFailure = onFailures.get(id);
    if (onFailure != null && onFailure.startsWith("kafka://")) {
      problems.errorAtKey(
          eventsPath + "." + id + ".OnFailure",
          eventNodes.get(id),
          "a Kinesis event sends failure records to a stream ARN or a file:// directory;"
              + " kafka:// topics are for Kafka events");
    }
  }

  /** Reports settings for events the function doesn't have. */
  void checkEvents(Set<String> events, Problems problems) {
    for (Map.Entry<String, Node> e : eventNodes.entrySet()) {
      if (!events.contains(e.getKey())) {
        problems.errorAtKey(
            eventsPath + "." + e.getKey(), e.getValue(), "the function has no event " + e.getKey());
      }
    }
  }
}
