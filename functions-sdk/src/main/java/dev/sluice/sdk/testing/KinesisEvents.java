package dev.sluice.sdk.testing;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent.KinesisEventRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds {@link KinesisEvent}s filled in the way Lambda fills them for a Kinesis event-source
 * mapping: one shard per batch, 56-digit sequence numbers that grow along the batch, arrival
 * timestamps, {@code eventID} {@code shardId-...:sequenceNumber}, {@code eventName} {@code
 * aws:kinesis:record}, {@code eventSource} {@code aws:kinesis}, {@code eventVersion} and {@code
 * kinesisSchemaVersion} {@code 1.0}, the region, the stream ARN and the invoke identity role.
 *
 * <p>Everything is deterministic: the same builder calls give equal events. Sequence numbers have
 * the layout Sluice uses: {@code 49}, the stream's 25-digit generation, the shard's 10-digit
 * ordinal, then the record's 19-digit offset in the shard. Sluice's generation is the stream's
 * creation time; these events give 0, which Sluice takes as belonging to any stream, so an
 * identifier taken from them also works against a running Sluice.
 *
 * <pre>{@code
 * KinesisEvent event = KinesisEvents.of("{\"orderId\":\"o-1\"}", "{\"orderId\":\"o-2\"}");
 * KinesisEvent event = KinesisEvents.builder().streamName("orders")
 *     .record("order-1", "{\"type\":\"OrderPlaced\"}")
 *     .record("order-2", "{\"type\":\"OrderShipped\"}")
 *     .build();
 * }</pre>
 */
public final class KinesisEvents {
  private KinesisEvents() {}

  /**
   * An event with one record per data string (UTF-8, e.g. JSON), with partition keys {@code
   * partitionKey-0}, {@code partitionKey-1}, ...
   */
  public static KinesisEvent of(String... data) {
    return of(List.of(data));
  }

  /** As {@link #of(String...)}. */
  public static KinesisEvent of(List<String> data) {
    Builder builder = builder();
    for (int i = 0; i < data.size(); i++) {
      builder.record("partitionKey-" + i, data.get(i));
    }
    return builder.build();
  }

  /** An event with one record per (partition key, UTF-8 data) pair, in order. */
  public static KinesisEvent ofPairs(List<Map.Entry<String, String>> keyAndData) {
    Builder builder = builder();
    for (Map.Entry<String, String> entry : keyAndData) {
      builder.record(entry.getKey(), entry.getValue());
    }
    return builder.build();
  }

  /** The records of {@link #of(String...)}, e.g. to feed a {@link BatchRunner}. */
  public static List<KinesisEventRecord> records(String... data) {
    return of(data).getRecords();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The sequence number of the record at {@code offset} in shard number {@code shardOrdinal}. */
  public static String sequenceNumber(int shardOrdinal, long offset) {
    if (shardOrdinal < 0 || offset < 0) {
      throw new IllegalArgumentException("shard ordinal and offset must not be negative");
    }
    return "49" + "0".repeat(25) + String.format("%010d%019d", shardOrdinal, offset);
  }

  /** Collects records, then builds an event (or just its records) any number of times. */
  public static final class Builder {
    private String region = "us-east-1";
    private String accountId = "000000000000";
    private String streamName = "test-stream";
    private String streamArn;
    private String shardId = "shardId-000000000000";
    private String invokeIdentityArn;
    private long firstOffset = 0;
    private Instant firstArrival = Instant.parse("2025-01-01T00:00:00Z");
    private Duration arrivalStep = Duration.ofMillis(1);
    private final List<String> keys = new ArrayList<>();
    private final List<byte[]> data = new ArrayList<>();

    private Builder() {}

    /** Default {@code us-east-1}. */
    public Builder region(String region) {
      this.region = Objects.requireNonNull(region, "region");
      return this;
    }

    /** Default {@code 000000000000}, Sluice's account. */
    public Builder accountId(String accountId) {
      this.accountId = Objects.requireNonNull(accountId, "accountId");
      return this;
    }

    /** Default {@code test-stream}. */
    public Builder streamName(String streamName) {
      this.streamName = Objects.requireNonNull(streamName, "streamName");
      return this;
    }

    /** Default {@code arn:aws:kinesis:REGION:ACCOUNT:stream/STREAM}. */
    public Builder streamArn(String streamArn) {
      this.streamArn = streamArn;
      return this;
    }

    /** Default {@code shardId-000000000000}. */
    public Builder shardId(String shardId) {
      this.shardId = Objects.requireNonNull(shardId, "shardId");
      return this;
    }

    /** Shorthand for {@code shardId(String.format("shardId-%012d", ordinal))}. */
    public Builder shard(int ordinal) {
      return shardId(String.format("shardId-%012d", ordinal));
    }

    /** Default {@code arn:aws:iam::ACCOUNT:role/lambda-role}. */
    public Builder invokeIdentityArn(String invokeIdentityArn) {
      this.invokeIdentityArn = invokeIdentityArn;
      return this;
    }

    /** The offset in the shard of the first record (default 0); the next records follow it. */
    public Builder firstOffset(long firstOffset) {
      if (firstOffset < 0) {
        throw new IllegalArgumentException("firstOffset must not be negative");
      }
      this.firstOffset = firstOffset;
      return this;
    }

    /** Arrival time of the first record; default 2025-01-01T00:00:00Z. */
    public Builder firstArrival(Instant firstArrival) {
      this.firstArrival = Objects.requireNonNull(firstArrival, "firstArrival");
      return this;
    }

    /** Time between the arrivals of consecutive records; default 1 ms. */
    public Builder arrivalStep(Duration arrivalStep) {
      this.arrivalStep = Objects.requireNonNull(arrivalStep, "arrivalStep");
      return this;
    }

    /** Adds a record whose data is {@code data} in UTF-8 (for instance a JSON document). */
    public Builder record(String partitionKey, String data) {
      return record(
          partitionKey, Objects.requireNonNull(data, "data").getBytes(StandardCharsets.UTF_8));
    }

    /** Adds a record with raw data bytes (copied). */
    public Builder record(String partitionKey, byte[] data) {
      if (partitionKey == null || partitionKey.isEmpty() || partitionKey.length() > 256) {
        throw new IllegalArgumentException("a partition key has 1 to 256 characters");
      }
      keys.add(partitionKey);
      this.data.add(Objects.requireNonNull(data, "data").clone());
      return this;
    }

    /** Fresh record objects, each with its own data buffer at position 0. */
    public List<KinesisEventRecord> records() {
      String arn =
          streamArn != null
              ? streamArn
              : "arn:aws:kinesis:" + region + ":" + accountId + ":stream/" + streamName;
      String identity =
          invokeIdentityArn != null
              ? invokeIdentityArn
              : "arn:aws:iam::" + accountId + ":role/lambda-role";
      int ordinal = shardOrdinal(shardId);
      List<KinesisEventRecord> records = new ArrayList<>(keys.size());
      for (int i = 0; i < keys.size(); i++) {
        String sequenceNumber = sequenceNumber(ordinal, firstOffset + i);
        KinesisEvent.Record kinesis = new KinesisEvent.Record();
        kinesis.setKinesisSchemaVersion("1.0");
        kinesis.setPartitionKey(keys.get(i));
        kinesis.setSequenceNumber(sequenceNumber);
        kinesis.setData(ByteBuffer.wrap(data.get(i).clone()));
        kinesis.setApproximateArrivalTimestamp(
            Date.from(firstArrival.plus(arrivalStep.multipliedBy(i))));

        KinesisEventRecord record = new KinesisEventRecord();
        record.setKinesis(kinesis);
        record.setEventSource("aws:kinesis");
        record.setEventVersion("1.0");
        record.setEventID(shardId + ":" + sequenceNumber);
        record.setEventName("aws:kinesis:record");
        record.setInvokeIdentityArn(identity);
        record.setAwsRegion(region);
        record.setEventSourceARN(arn);
        records.add(record);
      }
      return records;
    }

    public KinesisEvent build() {
      KinesisEvent event = new KinesisEvent();
      event.setRecords(records());
      return event;
    }

    private static int shardOrdinal(String shardId) {
      int dash = shardId.lastIndexOf('-');
      try {
        return Integer.parseInt(shardId.substring(dash + 1));
      } catch (NumberFormatException e) {
        return 0;
      }
    }
  }
}
