package dev.sluice.template;

import dev.sluice.stream.StreamLimits;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads an AWS::Kinesis::Stream resource. */
final class StreamReader {

  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_.-]{1,128}");
  private static final List<String> MODES = List.of("PROVISIONED", "ON_DEMAND");
  private static final Set<String> IGNORED =
      Set.of(
          "StreamEncryption",
          "DesiredShardLevelMetrics",
          "MaxRecordSizeInKiB",
          "WarmThroughputMiBps");

  private StreamReader() {}

  static StreamResource read(Resources.Resource r, Scope scope) {
    Props props =
        Props.of(r.node().entries.get("Properties"), r.path() + ".Properties", r.node(), scope);
    String name = name(r, props, scope.problems());
    String mode = mode(props);
    Integer shards = shardCount(props, mode, scope.problems());
    Integer retention = props.integer("RetentionPeriodHours", 24, 8760);
    Map<String, String> tags = tags(props, scope);
    props.finish(IGNORED);
    return new StreamResource(
        r.id(),
        name,
        shards,
        retention == null ? 24 : retention,
        mode,
        tags,
        Resources.retained(r, "a Kinesis stream", scope.problems()),
        Resources.retainedOnReplace(r, "a Kinesis stream", scope.problems()));
  }

  private static String name(Resources.Resource r, Props props, Problems problems) {
    Field f = props.field("Name");
    if (f == null) {
      if (!NAME.matcher(r.id()).matches()) { // AWS would make one up; Sluice names it by its id
        problems.error(
            r.path(),
            r.node(),
            r.id()
                + " is too long to be the stream's name (at most 128 characters): give it a Name");
      }
      return r.id();
    }
    String name = Values.string(f, problems);
    if (name != null && !NAME.matcher(name).matches()) {
      problems.error(
          f.path(), f.node(), name + " is not a valid stream name (1-128 of a-z A-Z 0-9 _ . -)");
    }
    return name;
  }

  private static String mode(Props props) {
    Props details = props.child("StreamModeDetails");
    String mode =
        props.has("StreamModeDetails") ? details.requiredOneOf("StreamMode", MODES) : null;
    details.finish(Set.of());
    return mode == null ? "PROVISIONED" : mode;
  }

  private static Integer shardCount(Props props, String mode, Problems problems) {
    if (mode.equals("ON_DEMAND")) {
      Field f = props.field("ShardCount");
      if (f != null) {
        problems.error(f.path(), f.node(), "must be absent when StreamMode is ON_DEMAND");
      }
      return null;
    }
    // no cap of Sluice's own here: the node's shard limit (Kinesis' account quota) is the server's
    // to enforce, with its LimitExceededException, and it may be raised past 500
    Integer count = props.integer("ShardCount", 1, 100_000);
    // CloudFormation's default for a provisioned stream is one shard.
    return count == null ? 1 : count;
  }

  private static Map<String, String> tags(Props props, Scope scope) {
    Map<String, String> tags = new LinkedHashMap<>();
    Field f = props.field("Tags");
    List<Field> items = f == null ? List.of() : Values.items(f, scope.problems());
    for (Field item : items == null ? List.<Field>of() : items) {
      Props tag = Props.of(item.node(), item.path(), item.node(), scope);
      String key = tag.requiredString("Key");
      String value = tag.requiredString("Value");
      tag.finish(Set.of());
      if (key != null && value != null && validTag(key, value, item, scope.problems())) {
        tags.put(key, value);
      }
    }
    if (tags.size() > StreamLimits.MAX_TAGS) {
      scope
          .problems()
          .error(
              f.path(),
              f.node(),
              tags.size() + " tags is above a stream's maximum of " + StreamLimits.MAX_TAGS);
    }
    return tags;
  }

  /** Kinesis's bounds, checked here so that a deploy does not stop half way on them. */
  private static boolean validTag(String key, String value, Field item, Problems problems) {
    String problem =
        key.isEmpty() || key.length() > 128
            ? "a tag key must be 1 to 128 characters"
            : value.length() > 256
                ? "a tag value must be at most 256 characters"
                : key.startsWith(StreamLimits.SLUICE_TAG_PREFIX)
                    ? "tag keys starting with sluice: are Sluice's own"
                    : null;
    if (problem != null) {
      problems.error(item.path(), item.node(), problem);
    }
    return problem == null;
  }
}
