package dev.sluice.template;

import java.util.List;
import java.util.Map;

/**
 * An {@code AWS::Serverless::Function} with Globals merged in.
 *
 * @param logicalId the resource's key in the template
 * @param name the function name
 * @param code where the code is
 * @param handler the handler, or null for a provided runtime without one
 * @param runtime the runtime name
 * @param memorySize megabytes, 128–10,240
 * @param timeoutSeconds 1–900
 * @param environment environment variables
 * @param reservedConcurrency reserved concurrent executions, or null
 * @param description free text, or null
 * @param isolation classloader or process
 * @param kinesisEvents the Kinesis event sources
 * @param kafkaEvents the self-managed Kafka event sources
 * @param tags the function's tags (Globals' merged in), with SAM's {@code lambda:createdBy: SAM}
 * @param retain whether its DeletionPolicy keeps it (and its event-source mappings) when a later
 *     deploy of the stack no longer has it ({@code Retain}, {@code RetainExceptOnCreate})
 * @param retainOnReplace whether its UpdateReplacePolicy keeps it when a later deploy replaces it
 *     ({@code Retain}): the same logical id names another function then, which gets the mappings
 */
public record FunctionResource(
    String logicalId,
    String name,
    CodeUri code,
    String handler,
    String runtime,
    int memorySize,
    int timeoutSeconds,
    Map<String, String> environment,
    Integer reservedConcurrency,
    String description,
    String isolation,
    List<KinesisEventSource> kinesisEvents,
    List<KafkaEventSource> kafkaEvents,
    Map<String, String> tags,
    boolean retain,
    boolean retainOnReplace) {

  /** The tag SAM puts on every function it creates, which Sluice's deploy puts there too. */
  public static final Map.Entry<String, String> CREATED_BY = Map.entry("lambda:createdBy", "SAM");
}
