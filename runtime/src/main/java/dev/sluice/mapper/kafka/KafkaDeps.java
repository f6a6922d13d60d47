package dev.sluice.mapper.kafka;

import dev.sluice.function.FunctionService;
import dev.sluice.stream.Arns;
import dev.sluice.stream.StreamAppender;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * What a Kafka mapping works with.
 *
 * @param functions invokes functions
 * @param appender writes failure records to destination streams
 * @param arns names functions and streams
 * @param blocking writes failure records to files and Kafka topics (calls that may wait)
 * @param clock record ages and batching windows
 * @param retryBase first retry delay; each retry doubles it
 * @param retryMax longest retry delay
 * @param joinTimeout how long after its start a consumer may be out of its group before the mapping
 *     reports a connection problem
 */
public record KafkaDeps(
    FunctionService functions,
    StreamAppender appender,
    Arns arns,
    Executor blocking,
    Clock clock,
    Duration retryBase,
    Duration retryMax,
    Duration joinTimeout) {

  long backoffMillis(int attempt) {
    long base = retryBase.toMillis();
    long delay = base << Math.min(attempt, 20);
    return Math.min(delay <= 0 ? base : delay, retryMax.toMillis());
  }
}
