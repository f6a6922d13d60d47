package dev.sluice.kinesis;

import io.quarkus.test.junit.QuarkusTest;

/** The Kinesis contract over CBOR, the AWS SDK for Java's default encoding. */
@QuarkusTest
class KinesisSdkCborTest extends KinesisSdkContract {

  @Override
  boolean cbor() {
    return true;
  }
}
