package dev.sluice.template;

import dev.sluice.mapper.MappingRequest;

/**
 * A function's {@code Type: Kinesis} event: an event-source mapping to create.
 *
 * @param logicalId the event's key under the function's Events
 * @param streamArn the stream's ARN
 * @param request the mapping to create, naming the function and the stream
 */
public record KinesisEventSource(String logicalId, String streamArn, MappingRequest request) {}
