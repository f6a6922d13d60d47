package dev.sluice.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent.KinesisEventRecord;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse.BatchItemFailure;
import dev.sluice.sdk.testing.KinesisEvents;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchFailuresTest {
  private static List<String> ids(StreamsEventResponse response) {
    return response.getBatchItemFailures().stream()
        .map(BatchItemFailure::getItemIdentifier)
        .toList();
  }

  @Test
  void none_hasEmptyFailureList() {
    assertThat(BatchFailures.none().getBatchItemFailures()).isNotNull().isEmpty();
  }

  @Test
  void of_records_reportsSequenceNumbers() {
    List<KinesisEventRecord> records = KinesisEvents.records("a", "b", "c");

    StreamsEventResponse response = BatchFailures.of(List.of(records.get(2), records.get(0)));

    assertThat(ids(response))
        .containsExactly(
            records.get(2).getKinesis().getSequenceNumber(),
            records.get(0).getKinesis().getSequenceNumber());
  }

  @Test
  void of_fixtureRecord_reportsItsSequenceNumber() {
    KinesisEvent event = Fixtures.kinesisEvent("kinesis-docs-sample.json");

    assertThat(ids(BatchFailures.of(event.getRecords().get(1))))
        .containsExactly("49590338271490256608559692540925702759324208523137515618");
  }

  @Test
  void of_duplicates_keptOnceInOrder() {
    assertThat(ids(BatchFailures.ofSequenceNumbers("2", "1", "2"))).containsExactly("2", "1");
  }

  @Test
  void of_emptyList_isNone() {
    assertThat(BatchFailures.of(List.of()).getBatchItemFailures()).isEmpty();
  }

  @Test
  void ofSequenceNumbers_nullOrEmpty_rejected() {
    assertThatThrownBy(() -> BatchFailures.ofSequenceNumbers(""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BatchFailures.ofSequenceNumbers(java.util.Arrays.asList("1", null)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void forEach_stopsAtTheFirstFailureAndReportsIt() {
    KinesisEvent event = KinesisEvents.of("ok", "bad", "ok", "bad");
    List<String> seen = new ArrayList<>();

    StreamsEventResponse response =
        BatchFailures.forEach(
            event,
            record -> {
              seen.add(Records.utf8(record));
              if (Records.utf8(record).equals("bad")) {
                throw new IllegalArgumentException("bad record");
              }
            });

    // the records after it come again from Lambda, after the failed one: not processed now
    assertThat(seen).containsExactly("ok", "bad");
    assertThat(ids(response))
        .containsExactly(event.getRecords().get(1).getKinesis().getSequenceNumber());
  }

  @Test
  void forEach_allSucceed_returnsNone() {
    assertThat(
            BatchFailures.forEach(KinesisEvents.of("a", "b"), record -> {}).getBatchItemFailures())
        .isEmpty();
    assertThat(BatchFailures.forEach(new KinesisEvent(), record -> {}).getBatchItemFailures())
        .isEmpty();
  }

  @Test
  void forEach_checkedExceptionAndDecodingFailure_reportedToListener() {
    KinesisEvent event = KinesisEvents.of("{\"a\":1}", "not json", "{}");
    List<String> failures = new ArrayList<>();

    StreamsEventResponse response =
        BatchFailures.forEach(
            event,
            record -> {
              if (Records.json(record).isEmpty()) {
                throw new Exception("empty object");
              }
            },
            (record, error) ->
                failures.add(Records.id(record) + " " + error.getClass().getSimpleName()));

    assertThat(response.getBatchItemFailures()).hasSize(1);
    assertThat(failures)
        .containsExactly(
            event.getRecords().get(1).getKinesis().getSequenceNumber()
                + " RecordDecodingException");

    StreamsEventResponse checked =
        BatchFailures.forEach(
            KinesisEvents.of("{}"),
            record -> {
              throw new Exception("empty object");
            },
            (record, error) -> failures.add(error.getClass().getSimpleName()));
    assertThat(checked.getBatchItemFailures()).hasSize(1);
    assertThat(failures).last().isEqualTo("Exception");
  }
}
