package dev.sluice.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of a Sluice node, under the {@code sluice.} prefix. */
@ConfigMapping(prefix = "sluice")
public interface SluiceConfig {

  /** Directory that holds streams, their logs and the catalog. */
  @WithDefault(".sluice")
  String dataDir();

  /** Region named in ARNs and events. */
  @WithDefault("us-east-1")
  String region();

  /** Account id named in ARNs. */
  @WithDefault("000000000000")
  String accountId();

  /** Storage engine settings. */
  Log log();

  /** Which storage holds the streams' records. */
  Storage storage();

  /** Kinesis API settings. */
  Kinesis kinesis();

  /** Function runtime settings. */
  Function function();

  /** Event-source mapping settings. */
  Mapper mapper();

  /** Settings of the event-source mappings. */
  interface Mapper {

    /** Delay before the first retry of a failed batch; each further retry doubles it. */
    @WithDefault("1s")
    Duration retryBase();

    /** Longest delay between two retries of a failed batch. */
    @WithDefault("60s")
    Duration retryMax();

    /**
     * A shard that keeps retrying one batch for longer than this is reported as stuck, in the log
     * and in {@code /q/health}; so is one whose iterator age passed half the stream's retention.
     */
    @WithDefault("5m")
    Duration stuckRetryAfter();

    /**
     * A Kafka mapping whose consumer has not joined its group this long after it started says so in
     * LastProcessingResult (unreachable brokers, or security settings that do not match the
     * listener): kafka-clients itself keeps retrying without an error.
     */
    @WithDefault("30s")
    Duration kafkaJoinTimeout();
  }

  /** Settings of the function runtime. */
  interface Function {

    /** Invocations running at once across all functions; more are throttled. */
    @WithDefault("256")
    int maxConcurrency();

    /** Delays before the two retries of a failed asynchronous (Event) invocation, as Lambda. */
    @WithDefault("60s,120s")
    java.util.List<Duration> asyncRetryDelays();
  }

  /** Settings of the embedded file log. */
  interface Log {

    /** A segment rolls once it would grow past this many bytes. */
    @WithDefault("67108864")
    long segmentBytes();

    /** Bytes of log between two sparse index entries. */
    @WithDefault("4096")
    int indexIntervalBytes();

    /** Threads that write and fsync; shards are spread over them. */
    @WithDefault("1")
    int writerThreads();

    /** Threads that read segment files. */
    @WithDefault("2")
    int readerThreads();

    /** Upper bound of the cache of recently written batches (0 turns it off). */
    @WithDefault("33554432")
    long hotCacheBytes();

    /** How often retention looks for expired segments and closed shards. */
    @WithDefault("60s")
    Duration retentionCheckInterval();
  }

  /** Where streams' records are stored. */
  interface Storage {

    /**
     * {@code file}: the embedded log under the data directory; {@code kafka}: topics on a Kafka
     * cluster (see {@link #kafka()}).
     */
    @WithDefault("file")
    String type();

    /** Settings of Kafka storage, used when {@link #type()} is {@code kafka}. */
    Kafka kafka();

    /** Kafka storage: a topic per stream, a partition per shard. */
    interface Kafka {

      /** Bootstrap servers, {@code host:port[,host:port...]}; required for Kafka storage. */
      java.util.Optional<String> bootstrap();

      /**
       * A Java properties file of Kafka client settings for every client of the storage (log,
       * shared state, shard leases), as Kafka's tools take {@code --command-config}: {@code
       * security.protocol}, {@code sasl.mechanism}, {@code sasl.jaas.config}, {@code ssl.*} and the
       * like. Settings Sluice owns (bootstrap servers, client and group ids, acks, idempotence,
       * offset handling, (de)serializers) are refused; where Sluice tunes a setting for a client
       * (timeouts, batch sizes), its value wins.
       */
      java.util.Optional<java.nio.file.Path> clientConfig();

      /** Prepended to a stream's name to name its topic. */
      @WithDefault("sluice.")
      String topicPrefix();

      /** Replication factor of the topics Sluice creates; -1 takes the broker's default. */
      @WithDefault("-1")
      int replicationFactor();

      /**
       * Creates topics with {@code flush.messages=1}: the broker fsyncs each append before it is
       * acknowledged. Slower; without it an acknowledged record is on every in-sync replica but
       * possibly only in their page caches.
       */
      @WithDefault("false")
      boolean flushEachRecord();

      /** Threads that hand appends to the producer. */
      @WithDefault("1")
      int writerThreads();

      /** Threads that read, each with a consumer of its own. */
      @WithDefault("2")
      int readerThreads();

      /**
       * The compacted topic holding the node state every node of this cluster shares (streams,
       * functions, mappings); default {@code __<topic-prefix>state}.
       */
      java.util.Optional<String> stateTopic();

      /**
       * How often the end offsets of every partition this node holds are fetched, so that records
       * other nodes appended to the same topics become readable here and wake their consumers.
       */
      @WithDefault("100ms")
      Duration refreshInterval();

      /**
       * How long a shard closed by resharding still takes the records other nodes append to it
       * before they learn of the reshard (through the state topic, normally within a fraction of a
       * second), counted from when the reshard is in the state topic. Its readers, and the
       * mappings' child shards, wait this long before the shard counts as read to its end. So that
       * no acknowledged record lies past that end, a node refuses appends (as a throughput limit,
       * which clients retry) while its view of the state topic is more than half this old, and
       * fails an append the broker acknowledged more than half this after it was sent. Keep it at 1
       * s or more: the state reader polls every 100 ms. 0 makes seals final at once and turns the
       * fence off: for a single node only, since another node's late records are then lost.
       */
      @WithDefault("5s")
      Duration sealGrace();

      /**
       * Session timeout of the consumer-group membership that spreads a Kinesis mapping's shards
       * over the nodes: a node silent this long (killed, partitioned) loses its shards to the
       * others. Heartbeats go at a third of it. Must lie within the broker's {@code
       * group.min.session.timeout.ms} and {@code group.max.session.timeout.ms}.
       */
      @WithDefault("10s")
      Duration leaseSessionTimeout();
    }
  }

  /** Settings of the Kinesis-compatible API. */
  interface Kinesis {

    /** Largest request body accepted; a larger one is refused before it is buffered. */
    @WithDefault("16777216")
    long maxRequestBytes();

    /** How long a shard iterator stays valid after it was issued. */
    @WithDefault("5m")
    Duration iteratorTtl();

    /** Open shards allowed across all streams (reported by DescribeLimits). */
    @WithDefault("500")
    int shardLimit();

    /** ON_DEMAND streams allowed (reported by DescribeLimits). */
    @WithDefault("50")
    int onDemandStreamLimit();
  }
}
