package dev.sluice.kinesis;

import dev.sluice.testing.FreshDataDir;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The Kinesis contract over JSON ({@code -Daws.cborEnabled=false}). */
@QuarkusTest
@QuarkusTestResource(FreshDataDir.class)
class KinesisSdkJsonTest extends KinesisSdkContract {

  @Override
  boolean cbor() {
    return false;
  }
}
