package dev.sluice.kinesis;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testing.KafkaStorage;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesis.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;

/** The Kinesis contract (over CBOR) with streams stored in Kafka rather than the embedded log. */
@QuarkusTest
@QuarkusTestResource(value = KafkaStorage.class, restrictToAnnotatedClass = true)
class KinesisSdkKafkaTest extends KinesisSdkContract {

  @Override
  boolean cbor() {
    return true;
  }

  @Test
  void createStream_nameDifferingByDotFromAnExistingOnesUnderscore_resourceInUseNamingBoth() {
    String underscored = newStream(1).replace('-', '_');
    kinesis.createStream(b -> b.streamName(underscored).shardCount(1));
    awaitActive(underscored);
    created.add(underscored);
    String dotted = underscored.replace('_', '.');

    assertThatThrownBy(() -> kinesis.createStream(b -> b.streamName(dotted).shardCount(1)))
        .isInstanceOf(ResourceInUseException.class)
        .hasMessageContaining(underscored)
        .hasMessageContaining("'.' from '_'");
    assertThatThrownBy(() -> kinesis.describeStream(b -> b.streamName(dotted)))
        .isInstanceOf(ResourceNotFoundException.class);
  }
}
