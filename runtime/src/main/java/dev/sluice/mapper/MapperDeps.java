package dev.sluice.mapper;

import dev.sluice.function.FunctionService;
import dev.sluice.log.LogEngine;
import dev.sluice.stream.StreamAppender;
import dev.sluice.stream.StreamCatalog;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * What the mapper works with.
 *
 * @param vertx event-loop contexts, and the runner's own housekeeping timers (reconcile, save
 *     pacing)
 * @param engine reads shard logs
 * @param catalog the streams, their shards and the watch that wakes idle consumers
 * @param appender writes failure records to destination streams
 * @param functions invokes functions
 * @param blocking runs disk I/O (checkpoints, file destinations) off the event loop
 * @param clock record ages and timestamps
 * @param timers delays of the shard processors (backoff, batching and tumbling windows), on {@code
 *     clock}
 * @param retryBase first retry delay; each retry doubles it
 * @param retryMax longest retry delay
 * @param stuckRetryAfter a shard retrying one batch for longer than this (on {@code clock}) is
 *     stuck
 * @param kafkaJoinTimeout a Kafka mapping not in its group this long after it started (on {@code
 *     clock}) reports a connection problem
 * @param meters where each shard's meters are registered
 * @param region region named in events
 * @param accountId account named in events
 */
record MapperDeps(
    Vertx vertx,
    LogEngine engine,
    StreamCatalog catalog,
    StreamAppender appender,
    FunctionService functions,
    Executor blocking,
    Clock clock,
    Timers timers,
    Duration retryBase,
    Duration retryMax,
    Duration stuckRetryAfter,
    Duration kafkaJoinTimeout,
    MeterRegistry meters,
    String region,
    String accountId) {

  long backoffMillis(int attempt) {
    long base = retryBase.toMillis();
    long delay = base << Math.min(attempt, 20);
    return Math.min(delay <= 0 ? base : delay, retryMax.toMillis());
  }
}
