package dev.sluice.kinesis;

import dev.sluice.testing.FreshDataDir;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The Kinesis contract over CBOR, the AWS SDK for Java's default encoding. */
@QuarkusTest
@QuarkusTestResource(FreshDataDir.class)
class KinesisSdkCborTest extends KinesisSdkContract {

  @Override
  boolean cbor() {
    return true;
  }
}
