package dev.sluice.sdk.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent.KinesisEventRecord;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse.BatchItemFailure;
import dev.sluice.sdk.BatchFailures;
import dev.sluice.sdk.Fixtures;
import dev.sluice.sdk.Records;
import dev.sluice.sdk.testing.BatchRunner.Invocation;
import dev.sluice.sdk.testing.BatchRunner.Outcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class BatchRunnerTest {
  /** r0, r1, ... r{n-1}: the data of each record is its name. */
  private static List<KinesisEventRecord> records(int n) {
    String[] data = new String[n];
    for (int i = 0; i < n; i++) {
      data[i] = "r" + i;
    }
    return KinesisEvents.records(data);
  }

  private static List<String> data(List<KinesisEventRecord> records) {
    return records.stream().map(Records::utf8).toList();
  }

  private static List<List<String>> batches(BatchRunner.Result result) {
    return result.invocations().stream().map(i -> data(i.records())).toList();
  }

  /** Fails (as batch item failures) the records whose data is in {@code failing}, every time. */
  private static RequestHandler<KinesisEvent, StreamsEventResponse> failingRecords(
      Set<String> failing) {
    return (event, context) ->
        BatchFailures.forEach(
            event,
            record -> {
              if (failing.contains(Records.utf8(record))) {
                throw new IllegalStateException("fails");
              }
            });
  }

  @Test
  void allSucceed_recordsDeliveredInBatchesOfBatchSize() {
    List<KinesisEventRecord> records = records(7);

    BatchRunner.Result result =
        BatchRunner.of(
                (KinesisEvent event, com.amazonaws.services.lambda.runtime.Context c) ->
                    BatchFailures.none())
            .batchSize(3)
            .run(records);

    assertThat(batches(result))
        .containsExactly(List.of("r0", "r1", "r2"), List.of("r3", "r4", "r5"), List.of("r6"));
    assertThat(result.invocations()).extracting(Invocation::outcome).containsOnly(Outcome.SUCCESS);
    assertThat(result.succeeded()).containsExactlyElementsOf(records);
    assertThat(result.skipped()).isEmpty();
  }

  @Test
  void nullResponseOrNullFailureList_isSuccess() {
    BatchRunner.Result nullResponse =
        BatchRunner.of(
                (KinesisEvent e, com.amazonaws.services.lambda.runtime.Context c) ->
                    (StreamsEventResponse) null)
            .run(records(3));
    BatchRunner.Result nullList =
        BatchRunner.of(
                (KinesisEvent e, com.amazonaws.services.lambda.runtime.Context c) ->
                    new StreamsEventResponse(null))
            .run(records(3));

    assertThat(nullResponse.invocations()).hasSize(1);
    assertThat(nullResponse.succeeded()).hasSize(3);
    assertThat(nullList.invocations()).hasSize(1);
    assertThat(nullList.succeeded()).hasSize(3);
  }

  @Test
  void plainHandler_anyReturnValueIsSuccess() {
    RequestHandler<KinesisEvent, String> handler = (event, context) -> "done";

    BatchRunner.Result result = BatchRunner.of(handler).batchSize(2).run(records(3));

    assertThat(result.invocations()).hasSize(2);
    assertThat(result.invocations().get(0).response()).isEqualTo("done");
    assertThat(result.succeeded()).hasSize(3);
  }

  @Test
  void partialFailure_retriesFromLowestReportedSequenceNumber() {
    List<KinesisEventRecord> records = records(6);
    Map<String, Integer> calls = new HashMap<>();
    // r3 and r1 fail on their first delivery only; reported highest first on purpose.
    RequestHandler<KinesisEvent, StreamsEventResponse> handler =
        (event, context) -> {
          List<KinesisEventRecord> failed = new ArrayList<>();
          for (KinesisEventRecord record : event.getRecords()) {
            String name = Records.utf8(record);
            if (calls.merge(name, 1, Integer::sum) == 1
                && (name.equals("r1") || name.equals("r3"))) {
              failed.add(0, record);
            }
          }
          return BatchFailures.of(failed);
        };

    BatchRunner.Result result = BatchRunner.of(handler).batchSize(5).run(records);

    assertThat(batches(result))
        .containsExactly(
            List.of("r0", "r1", "r2", "r3", "r4"), List.of("r1", "r2", "r3", "r4", "r5"));
    Invocation first = result.invocations().get(0);
    assertThat(first.outcome()).isEqualTo(Outcome.PARTIAL_FAILURE);
    assertThat(first.reportedFailures())
        .containsExactly(
            records.get(3).getKinesis().getSequenceNumber(),
            records.get(1).getKinesis().getSequenceNumber());
    assertThat(result.invocations().get(1).attempt()).isEqualTo(1);
    assertThat(result.invocations().get(1).outcome()).isEqualTo(Outcome.SUCCESS);
    assertThat(data(result.succeeded())).containsExactly("r0", "r1", "r2", "r3", "r4", "r5");
    assertThat(result.skipped()).isEmpty();
  }

  @Test
  void itemIdentifierNotInBatch_failsWholeBatch() {
    List<KinesisEventRecord> records = records(4);
    String outside = records.get(3).getKinesis().getSequenceNumber();
    int[] calls = {0};
    RequestHandler<KinesisEvent, StreamsEventResponse> handler =
        (event, context) ->
            calls[0]++ == 0 ? BatchFailures.ofSequenceNumbers(outside) : BatchFailures.none();

    BatchRunner.Result result = BatchRunner.of(handler).batchSize(2).run(records);

    assertThat(batches(result))
        .containsExactly(List.of("r0", "r1"), List.of("r0", "r1"), List.of("r2", "r3"));
    assertThat(result.invocations().get(0).outcome()).isEqualTo(Outcome.INVALID_RESPONSE);
    assertThat(result.invocations().get(0).detail()).contains(outside);
    assertThat(result.succeeded()).hasSize(4);
  }

  @Test
  void nullOrEmptyItemIdentifier_failsWholeBatch() {
    for (String bad : new String[] {null, ""}) {
      int[] calls = {0};
      RequestHandler<KinesisEvent, StreamsEventResponse> handler =
          (event, context) ->
              calls[0]++ == 0
                  ? new StreamsEventResponse(List.of(new BatchItemFailure(bad)))
                  : BatchFailures.none();

      BatchRunner.Result result = BatchRunner.of(handler).run(records(3));

      assertThat(result.invocations())
          .extracting(Invocation::outcome)
          .containsExactly(Outcome.INVALID_RESPONSE, Outcome.SUCCESS);
      assertThat(batches(result))
          .containsExactly(List.of("r0", "r1", "r2"), List.of("r0", "r1", "r2"));
    }
  }

  @Test
  void validAndInvalidIdentifierTogether_failsWholeBatch() {
    List<KinesisEventRecord> records = records(3);
    int[] calls = {0};
    RequestHandler<KinesisEvent, StreamsEventResponse> handler =
        (event, context) ->
            calls[0]++ == 0
                ? BatchFailures.ofSequenceNumbers(
                    records.get(2).getKinesis().getSequenceNumber(), "12345")
                : BatchFailures.none();

    BatchRunner.Result result = BatchRunner.of(handler).run(records);

    assertThat(result.invocations().get(0).outcome()).isEqualTo(Outcome.INVALID_RESPONSE);
    assertThat(batches(result).get(1)).containsExactly("r0", "r1", "r2");
  }

  @Test
  void exception_failsWholeBatch() {
    int[] calls = {0};
    RequestHandler<KinesisEvent, StreamsEventResponse> handler =
        (event, context) -> {
          if (calls[0]++ == 0) {
            throw new IllegalStateException("boom");
          }
          return BatchFailures.none();
        };

    BatchRunner.Result result = BatchRunner.of(handler).batchSize(2).run(records(3));

    assertThat(batches(result))
        .containsExactly(List.of("r0", "r1"), List.of("r0", "r1"), List.of("r2"));
    Invocation failed = result.invocations().get(0);
    assertThat(failed.outcome()).isEqualTo(Outcome.ERROR);
    assertThat(failed.error()).isInstanceOf(IllegalStateException.class).hasMessage("boom");
    assertThat(result.invocations().get(1).attempt()).isEqualTo(1);
    assertThat(result.succeeded()).hasSize(3);
  }

  @Test
  void retriesExhausted_wholeBatchSkippedAndDeliveryContinues() {
    RequestHandler<KinesisEvent, StreamsEventResponse> handler =
        (event, context) -> {
          if (data(event.getRecords()).contains("r2")) {
            throw new IllegalStateException("poison");
          }
          return BatchFailures.none();
        };

    BatchRunner.Result result = BatchRunner.of(handler).batchSize(2).run(records(5));

    // default maxRetries 2: the batch holding r2 is delivered 1 + 2 times, then skipped
    assertThat(batches(result))
        .containsExactly(
            List.of("r0", "r1"),
            List.of("r2", "r3"),
            List.of("r2", "r3"),
            List.of("r2", "r3"),
            List.of("r4"));
    assertThat(result.invocations()).extracting(Invocation::attempt).containsExactly(0, 0, 1, 2, 0);
    assertThat(data(result.succeeded())).containsExactly("r0", "r1", "r4");
    assertThat(data(result.skipped())).containsExactly("r2", "r3");
  }

  @Test
  void retriesExhaustedAfterPartialFailures_skipsFromLowestFailedRecord() {
    BatchRunner.Result result =
        BatchRunner.of(failingRecords(Set.of("r2"))).batchSize(4).maxRetries(1).run(records(6));

    assertThat(batches(result))
        .containsExactly(
            List.of("r0", "r1", "r2", "r3"), // r0, r1 checkpointed; r2 has failed once
            List.of("r2", "r3", "r4", "r5")); // its one retry fails too: the batch is given up
    assertThat(result.invocations()).extracting(Invocation::attempt).containsExactly(0, 1);
    assertThat(data(result.succeeded())).containsExactly("r0", "r1");
    assertThat(data(result.skipped())).containsExactly("r2", "r3", "r4", "r5");
  }

  @Test
  void maxRetriesZero_failedBatchSkippedAtOnce() {
    BatchRunner.Result result =
        BatchRunner.of(
                (KinesisEvent e, com.amazonaws.services.lambda.runtime.Context c) -> {
                  throw new IllegalStateException("always");
                })
            .maxRetries(0)
            .batchSize(2)
            .run(records(3));

    assertThat(batches(result)).containsExactly(List.of("r0", "r1"), List.of("r2"));
    assertThat(result.skipped()).hasSize(3);
    assertThat(result.succeeded()).isEmpty();
  }

  @Test
  void mapResponse_readLikeLambdaReadsJson() {
    List<KinesisEventRecord> records = records(3);
    String r1 = records.get(1).getKinesis().getSequenceNumber();
    int[] calls = {0};
    RequestHandler<KinesisEvent, Map<String, Object>> handler =
        (event, context) ->
            calls[0]++ == 0
                ? Map.of("batchItemFailures", List.of(Map.of("itemIdentifier", r1)))
                : Map.of("batchItemFailures", List.of());

    BatchRunner.Result result = BatchRunner.of(handler).run(records);

    assertThat(batches(result)).containsExactly(List.of("r0", "r1", "r2"), List.of("r1", "r2"));
    assertThat(result.invocations().get(0).outcome()).isEqualTo(Outcome.PARTIAL_FAILURE);
  }

  @Test
  void eachInvocation_getsFreshRecordsAndItsOwnContext() {
    List<String> requestIds = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    int[] calls = {0};
    RequestHandler<KinesisEvent, StreamsEventResponse> handler =
        (event, context) -> {
          requestIds.add(context.getAwsRequestId());
          context.getLogger().log("call " + calls[0]);
          seen.addAll(data(event.getRecords()));
          // consume the buffer, as careless handlers do
          event
              .getRecords()
              .forEach(r -> r.getKinesis().getData().position(r.getKinesis().getData().limit()));
          if (calls[0]++ == 0) {
            throw new IllegalStateException("retry me");
          }
          return null;
        };
    List<KinesisEventRecord> records = records(2);

    BatchRunner.Result result =
        BatchRunner.of(handler)
            .context(TestContext.builder().functionName("orders").build())
            .run(records);

    assertThat(seen).containsExactly("r0", "r1", "r0", "r1");
    assertThat(records.get(0).getKinesis().getData().position()).isZero();
    assertThat(requestIds).doesNotHaveDuplicates().hasSize(2);
    assertThat(result.invocations().get(1).context().getFunctionName()).isEqualTo("orders");
    assertThat(result.invocations().get(1).context().logLines()).containsExactly("call 1");
    assertThat(result.logLines()).containsExactly("call 0", "call 1");
  }

  @Test
  void run_isDeterministic() {
    Function<Integer, List<String>> runOnce =
        n -> {
          BatchRunner.Result result =
              BatchRunner.of(failingRecords(Set.of("r1", "r4"))).batchSize(3).run(records(n));
          List<String> trace = new ArrayList<>();
          for (Invocation i : result.invocations()) {
            trace.add(
                i.context().getAwsRequestId() + " " + i.sequenceNumbers() + " " + i.outcome());
          }
          trace.addAll(result.skippedSequenceNumbers());
          return trace;
        };

    assertThat(runOnce.apply(8)).isEqualTo(runOnce.apply(8));
  }

  @Test
  void fixtureRecords_partialFailureOfInvalidJson() {
    KinesisEvent event = Fixtures.kinesisEvent("kinesis-orders.json");
    RequestHandler<KinesisEvent, StreamsEventResponse> handler =
        (e, context) -> BatchFailures.forEach(e, Records::json);

    BatchRunner.Result result = BatchRunner.of(handler).run(event);

    // record 2 is not JSON: delivered from it three times, then records 2..4 are skipped
    assertThat(result.invocations()).hasSize(3);
    assertThat(result.succeeded()).containsExactlyElementsOf(event.getRecords().subList(0, 2));
    assertThat(result.skipped()).containsExactlyElementsOf(event.getRecords().subList(2, 5));
  }

  @Test
  void settings_outOfRange_rejected() {
    BatchRunner runner =
        BatchRunner.of((KinesisEvent e, com.amazonaws.services.lambda.runtime.Context c) -> null);

    assertThatThrownBy(() -> runner.batchSize(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> runner.batchSize(10_001)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> runner.maxRetries(-1)).isInstanceOf(IllegalArgumentException.class);
  }
}
