package dev.sluice.mapper;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.log.LogRecord;
import dev.sluice.stream.HashKeys;
import dev.sluice.stream.Shard;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PartialFailuresTest {

  static final long CREATED = 1_795_000_000_123L;
  final Shard shard = Shard.open(2, null, null, HashKeys.split(1).get(0), CREATED);
  final List<LogRecord> batch =
      List.of(
          new LogRecord(10, 1, "k", new byte[0]),
          new LogRecord(11, 2, "k", new byte[0]),
          new LogRecord(12, 3, "k", new byte[0]));

  @Test
  void read_sequenceNumberOfTheBatch_restartsThere() {
    PartialFailures.Verdict v = read(shard.sequenceNumber(CREATED, 11));
    assertThat(v.invalid()).isNull();
    assertThat(v.firstFailed()).isEqualTo(1);
  }

  @Test
  void read_sameOffsetOfAnEarlierStreamOfTheName_failsTheWholeBatch() {
    PartialFailures.Verdict v = read(shard.sequenceNumber(CREATED - 60_000, 11));
    assertThat(v.invalid()).contains("is not a record of the batch");
  }

  @Test
  void read_sameOffsetOfAnotherShard_failsTheWholeBatch() {
    Shard other = Shard.open(3, null, null, HashKeys.split(1).get(0), CREATED);
    assertThat(read(other.sequenceNumber(CREATED, 11)).invalid())
        .contains("is not a record of the batch");
  }

  @Test
  void read_everyRecordOfABatchWithGapsReported_lowestIsTheFirstAndAbsentOffsetsFail() {
    // a lane's batch: increasing offsets with the other lanes' records between them
    List<LogRecord> gapped = new java.util.ArrayList<>();
    for (long o = 100; o < 10_100; o += 3) {
      gapped.add(new LogRecord(o, o, "k", new byte[0]));
    }
    StringBuilder all = new StringBuilder("{\"batchItemFailures\":[");
    for (int i = gapped.size() - 1; i >= 0; i--) {
      all.append("{\"itemIdentifier\":\"")
          .append(shard.sequenceNumber(CREATED, gapped.get(i).offset()))
          .append("\"},");
    }
    all.setCharAt(all.length() - 1, ']');
    all.append('}');

    PartialFailures.Verdict v =
        PartialFailures.read(
            all.toString().getBytes(StandardCharsets.UTF_8), shard, CREATED, gapped);

    assertThat(v.invalid()).isNull();
    assertThat(v.firstFailed()).isZero();
    for (long absent : new long[] {99, 101, 10_098, 10_102}) {
      String one =
          "{\"batchItemFailures\":[{\"itemIdentifier\":\""
              + shard.sequenceNumber(CREATED, absent)
              + "\"}]}";
      assertThat(
              PartialFailures.read(one.getBytes(StandardCharsets.UTF_8), shard, CREATED, gapped)
                  .invalid())
          .as("offset %d", absent)
          .contains("is not a record of the batch");
    }
  }

  private PartialFailures.Verdict read(String itemIdentifier) {
    String response = "{\"batchItemFailures\":[{\"itemIdentifier\":\"" + itemIdentifier + "\"}]}";
    return PartialFailures.read(response.getBytes(StandardCharsets.UTF_8), shard, CREATED, batch);
  }
}
