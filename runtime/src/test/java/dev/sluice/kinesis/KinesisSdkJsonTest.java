package dev.sluice.kinesis;

import io.quarkus.test.junit.QuarkusTest;

/** The Kinesis contract over JSON ({@code -Daws.cborEnabled=false}). */
@QuarkusTest
class KinesisSdkJsonTest extends KinesisSdkContract {

  @Override
  boolean cbor() {
    return false;
  }
}
