package dev.sluice.mapper;

import java.util.regex.Pattern;

/**
 * Lambda's rules for the names a SelfManagedKafka source gives, shared by the API edge and the
 * template reader so that both refuse the same values: each check answers what is wrong, or null.
 */
public final class KafkaNames {

  /** Lambda's pattern: at least two characters, the first not a dot. */
  private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9_-][a-zA-Z0-9._-]{1,248}");

  private static final Pattern GROUP = Pattern.compile("[a-zA-Z0-9\\-/*:_+=.@]{1,200}");
  private static final Pattern SERVER = Pattern.compile("[^\\s,:]+:[0-9]{1,5}");

  private static final String TOPIC_DESTINATION = "kafka://";

  /** Kafka's own rule for a topic name, which a destination topic need meet only. */
  private static final Pattern KAFKA_TOPIC = Pattern.compile("(?!\\.{1,2}$)[a-zA-Z0-9._-]{1,249}");

  /** Lambda's limit on KAFKA_BOOTSTRAP_SERVERS entries. */
  public static final int MAX_SERVERS = 10;

  private KafkaNames() {}

  /** What is wrong with a bootstrap server entry, or null when it is a host:port. */
  public static String serverProblem(String server) {
    return server != null && SERVER.matcher(server).matches()
        ? null
        : "entry " + server + " is not host:port.";
  }

  /** What is wrong with a topic name, or null when Lambda takes it. */
  public static String topicProblem(String topic) {
    return topic != null && TOPIC.matcher(topic).matches()
        ? null
        : "must name exactly one topic of 2–249 characters [a-zA-Z0-9._-], not starting with '.',"
            + " not "
            + topic
            + ".";
  }

  /**
   * Whether {@code destination} is Lambda's Kafka failure destination, {@code kafka://topic}, with
   * a topic name Kafka takes: with any other the broker refuses every send for good.
   */
  public static boolean isTopicDestination(String destination) {
    return destination.startsWith(TOPIC_DESTINATION)
        && KAFKA_TOPIC.matcher(destination.substring(TOPIC_DESTINATION.length())).matches();
  }

  /** What is wrong with a consumer group id, or null when Lambda takes it. */
  public static String groupProblem(String group) {
    return group != null && GROUP.matcher(group).matches()
        ? null
        : "must be 1–200 characters of [a-zA-Z0-9-/*:_+=.@], not " + group + ".";
  }
}
