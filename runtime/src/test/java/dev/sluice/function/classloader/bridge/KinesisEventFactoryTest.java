package dev.sluice.function.classloader.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisTimeWindowEvent;
import java.math.BigDecimal;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KinesisEventFactoryTest {

  /** The library's deserializer: the seconds text parsed as a double, 0 as absent, times 1000. */
  static Date parsedLikeTheLibrary(long millis) {
    double seconds = Double.parseDouble(BigDecimal.valueOf(millis, 3).toPlainString());
    return seconds == 0 ? null : new Date((long) (seconds * 1000.0));
  }

  @Test
  void date_everyFractionAcrossMagnitudes_matchesTheParsedSecondsText() {
    Random random = new Random(42);
    int differFromMillis = 0;
    for (int i = 0; i < 1_000_000; i++) {
      long whole = random.nextLong(1L << (1 + random.nextInt(43)));
      long millis = whole * 1000 + i % 1000;
      Date expected = parsedLikeTheLibrary(millis);
      assertThat(KinesisEventFactory.date(millis)).isEqualTo(expected);
      differFromMillis += expected != null && expected.getTime() != millis ? 1 : 0;
    }
    assertThat(differFromMillis).isPositive(); // the double really does lose milliseconds
  }

  @Test
  void date_zero_isNullAsInTheLibrary() {
    assertThat(KinesisEventFactory.date(0)).isNull();
    assertThat(KinesisEventFactory.date(1)).isEqualTo(new Date(1));
  }

  /** A batch of stream arn:s in region r read as arn:role, with these per-record values. */
  static Object[] batch(
      String[] keys, String[] sequenceNumbers, String[] eventIds, byte[][] data, long[] arrivals) {
    Object[] batch = new Object[KinesisLayout.SIZE];
    batch[KinesisLayout.SOURCE_ARN] = "arn:s";
    batch[KinesisLayout.REGION] = "r";
    batch[KinesisLayout.IDENTITY_ARN] = "arn:role";
    batch[KinesisLayout.PARTITION_KEYS] = keys;
    batch[KinesisLayout.SEQUENCE_NUMBERS] = sequenceNumbers;
    batch[KinesisLayout.EVENT_IDS] = eventIds;
    batch[KinesisLayout.DATA] = data;
    batch[KinesisLayout.ARRIVAL_MILLIS] = arrivals;
    return batch;
  }

  @Test
  void forType_plainKinesisEvent_buildsRecordsFromTheLayout() throws Throwable {
    byte[] data = {1, 2};
    Object[] batch =
        batch(
            new String[] {"k"},
            new String[] {"49"},
            new String[] {"shardId-000000000000:49"},
            new byte[][] {data},
            new long[] {1_700_000_000_123L});

    KinesisEvent event =
        (KinesisEvent) KinesisEventFactory.forType(KinesisEvent.class).build(batch);

    KinesisEvent.KinesisEventRecord r = event.getRecords().get(0);
    assertThat(r.getEventSourceARN()).isEqualTo("arn:s");
    assertThat(r.getAwsRegion()).isEqualTo("r");
    assertThat(r.getInvokeIdentityArn()).isEqualTo("arn:role");
    assertThat(r.getEventID()).isEqualTo("shardId-000000000000:49");
    assertThat(r.getEventName()).isEqualTo("aws:kinesis:record");
    assertThat(r.getKinesis().getPartitionKey()).isEqualTo("k");
    assertThat(r.getKinesis().getApproximateArrivalTimestamp().getTime())
        .isEqualTo(1_700_000_000_123L);
    assertThat(r.getKinesis().getData().array()).containsExactly(1, 2).isNotSameAs(data);
    assertThat(r.getKinesis().getEncryptionType()).isNull();
  }

  @Test
  void build_directAndThroughHandles_sameEvent() throws Throwable {
    Object[] batch =
        batch(
            new String[] {"a", "b"},
            new String[] {"1", "2"},
            new String[] {"s:1", "s:2"},
            new byte[][] {{1}, {}},
            new long[] {0, 1_700_000_000_123L});
    KinesisEventFactory direct = KinesisEventFactory.forType(KinesisEvent.class);
    KinesisEventFactory handles =
        new KinesisEventFactory(new HandleKinesisBeans(KinesisEvent.class));

    Object fast = direct.build(batch);
    Object slow = handles.build(batch);

    assertThat(direct.direct()).isTrue();
    assertThat(handles.direct()).isFalse();
    assertThat(fast).isInstanceOf(KinesisEvent.class).isEqualTo(slow);
  }

  @Test
  void forType_otherTypes_null() {
    assertThat(KinesisEventFactory.forType(KinesisTimeWindowEvent.class)).isNull();
    assertThat(KinesisEventFactory.forType(Map.class)).isNull();
    assertThat(KinesisEventFactory.forType(Object.class)).isNull();
    assertThat(KinesisEventFactory.forType(List.class.getTypeParameters()[0])).isNull();
  }
}
