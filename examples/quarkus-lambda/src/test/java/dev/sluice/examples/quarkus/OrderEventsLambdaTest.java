package dev.sluice.examples.quarkus;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * Invokes the handler through Quarkus' mock Lambda event server, exactly as the Lambda runtime
 * would: the event is posted as JSON, read by Quarkus' poll loop and handed to the {@code orders}
 * bean, and its response comes back as the HTTP body.
 */
@QuarkusTest
class OrderEventsLambdaTest {
  private static final String SEQ = "495990660000000000000000000000000000000000000000000000";

  @Inject OrderCounts counts;

  /** The mock event server's port; {@code test-port=0} lets it pick a free one. */
  private static String invokeUrl() {
    int port =
        ConfigProvider.getConfig()
            .getValue("quarkus.lambda.mock-event-server.test-port", Integer.class);
    return "http://localhost:" + port + "/";
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = OrderEventsLambdaTest.class.getResourceAsStream("/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void firstMalformedRecordIsReportedAndTheBatchStopsThere() throws IOException {
    Map<String, Long> before = counts.snapshot();

    given()
        .contentType("application/json")
        .body(resource("kinesis-event.json"))
        .when()
        .post(invokeUrl())
        .then()
        .statusCode(200)
        // record 3 is not JSON: Lambda delivers again from it, so 4 to 6 wait for that
        .body("batchItemFailures.itemIdentifier", contains(SEQ + "03"));

    Map<String, Long> after = counts.snapshot();
    assertEquals(before.get("OrderPlaced") + 1, after.get("OrderPlaced"));
    assertEquals(before.get("OrderShipped") + 1, after.get("OrderShipped"));
    assertEquals(before.get("OrderDelivered"), after.get("OrderDelivered"));
  }

  @Test
  void emptyBatchHasNoFailures() {
    given()
        .contentType("application/json")
        .body("{\"Records\": []}")
        .when()
        .post(invokeUrl())
        .then()
        .statusCode(200)
        .body("batchItemFailures", empty());
  }
}
