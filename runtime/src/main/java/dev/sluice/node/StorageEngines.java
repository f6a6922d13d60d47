package dev.sluice.node;

import dev.sluice.cluster.KafkaEventQueue;
import dev.sluice.cluster.KafkaFunctionLogs;
import dev.sluice.cluster.KafkaStateStore;
import dev.sluice.cluster.StateStore;
import dev.sluice.config.SluiceConfig;
import dev.sluice.function.EventQueue;
import dev.sluice.function.FunctionLogStore;
import dev.sluice.log.LogEngine;
import dev.sluice.log.LogListener;
import dev.sluice.log.file.FileLogEngine;
import dev.sluice.log.file.FileLogOptions;
import dev.sluice.log.kafka.KafkaConnection;
import dev.sluice.log.kafka.KafkaLogEngine;
import dev.sluice.log.kafka.KafkaLogOptions;
import dev.sluice.mapper.GroupLeaseOptions;
import dev.sluice.mapper.ShardLeases;
import java.nio.file.Path;
import java.time.Clock;

/** Builds the log engine that {@code sluice.storage.type} names. */
final class StorageEngines {

  private StorageEngines() {}

  static LogEngine create(SluiceConfig config, Path dataDir, Clock clock, LogListener listener) {
    String type = config.storage().type();
    return switch (type) {
      case "file" -> file(config.log(), dataDir, clock, listener);
      case "kafka" -> kafka(config.storage().kafka(), clock, listener);
      default ->
          throw new IllegalArgumentException(
              "sluice.storage.type must be file or kafka, not " + type);
    };
  }

  /**
   * The node state shared with the other nodes on the same Kafka cluster, or null with file storage
   * (the data directory keeps it).
   */
  static StateStore sharedState(SluiceConfig config) {
    if (!config.storage().type().equals("kafka")) {
      return null;
    }
    SluiceConfig.Storage.Kafka kafka = config.storage().kafka();
    String topic = kafka.stateTopic().orElse("__" + kafka.topicPrefix() + "state");
    return KafkaStateStore.open(connection(kafka), topic, kafka.replicationFactor());
  }

  /**
   * Where a node on Kafka storage keeps the asynchronous events it accepted, for any node to run;
   * null with file storage (the data directory keeps them).
   */
  static EventQueue events(SluiceConfig config) {
    if (!config.storage().type().equals("kafka")) {
      return null;
    }
    SluiceConfig.Storage.Kafka kafka = config.storage().kafka();
    return KafkaEventQueue.open(
        connection(kafka),
        "__" + kafka.topicPrefix() + "async",
        kafka.topicPrefix() + "async",
        kafka.replicationFactor(),
        kafka.flushEachRecord(),
        kafka.leaseSessionTimeout());
  }

  /**
   * Where a node on Kafka storage keeps its functions' logs, which every node on the cluster reads;
   * null with file storage (the data directory keeps them).
   */
  static FunctionLogStore functionLogs(SluiceConfig config) {
    if (!config.storage().type().equals("kafka")) {
      return null;
    }
    SluiceConfig.Storage.Kafka kafka = config.storage().kafka();
    return KafkaFunctionLogs.open(
        connection(kafka), "__" + kafka.topicPrefix() + "logs", kafka.replicationFactor());
  }

  /**
   * Where Kinesis mappings keep their checkpoints: files in the data directory, or with Kafka
   * storage the mapping's consumer group, whose members (the nodes) share its shards, with copies
   * in the shared {@code state}.
   */
  static ShardLeases leases(SluiceConfig config, Path dataDir, StateStore state) {
    if (!config.storage().type().equals("kafka")) {
      return ShardLeases.files(dataDir);
    }
    SluiceConfig.Storage.Kafka kafka = config.storage().kafka();
    return ShardLeases.kafkaGroups(
        new GroupLeaseOptions(connection(kafka), kafka.topicPrefix(), kafka.leaseSessionTimeout()),
        state);
  }

  private static LogEngine file(
      SluiceConfig.Log log, Path dataDir, Clock clock, LogListener listener) {
    FileLogOptions options =
        new FileLogOptions(
            log.segmentBytes(),
            log.indexIntervalBytes(),
            log.writerThreads(),
            log.readerThreads(),
            log.hotCacheBytes());
    return new FileLogEngine(dataDir.resolve("log"), options, clock, listener);
  }

  private static LogEngine kafka(
      SluiceConfig.Storage.Kafka kafka, Clock clock, LogListener listener) {
    KafkaLogOptions options =
        new KafkaLogOptions(
            connection(kafka),
            kafka.topicPrefix(),
            kafka.replicationFactor(),
            kafka.flushEachRecord(),
            kafka.writerThreads(),
            kafka.readerThreads(),
            kafka.refreshInterval(),
            kafka.sealGrace());
    return new KafkaLogEngine(options, clock, listener);
  }

  /** The storage cluster with the client config file's settings, if one is given. */
  private static KafkaConnection connection(SluiceConfig.Storage.Kafka kafka) {
    String bootstrap = bootstrap(kafka);
    return kafka
        .clientConfig()
        .map(file -> KafkaConnection.withClientConfig(bootstrap, file))
        .orElseGet(() -> KafkaConnection.of(bootstrap));
  }

  private static String bootstrap(SluiceConfig.Storage.Kafka kafka) {
    return kafka
        .bootstrap()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "Kafka storage needs sluice.storage.kafka.bootstrap (--kafka-bootstrap)"));
  }
}
