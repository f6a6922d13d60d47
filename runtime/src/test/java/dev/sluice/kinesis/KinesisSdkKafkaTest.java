package dev.sluice.kinesis;

import dev.sluice.testing.KafkaStorage;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The Kinesis contract (over CBOR) with streams stored in Kafka rather than the embedded log. */
@QuarkusTest
@QuarkusTestResource(value = KafkaStorage.class, restrictToAnnotatedClass = true)
class KinesisSdkKafkaTest extends KinesisSdkContract {

  @Override
  boolean cbor() {
    return true;
  }
}
