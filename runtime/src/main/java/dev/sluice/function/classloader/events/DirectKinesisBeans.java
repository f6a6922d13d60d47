package dev.sluice.function.classloader.events;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import dev.sluice.function.classloader.bridge.KinesisBeans;
import java.nio.ByteBuffer;
import java.util.Date;
import java.util.List;

/**
 * {@link KinesisBeans} in plain bytecode, defined in each function's own class loader so that
 * {@code KinesisEvent} here is the function's copy (see {@link DirectKafkaBeans} for why).
 */
public final class DirectKinesisBeans implements KinesisBeans {

  /** Calls every constructor and setter once: a missing one fails here, not in a delivery. */
  public DirectKinesisBeans() {
    Common c = new Common("", "", "", "", "", "", "");
    event(List.of(record(c, "", "", "", ByteBuffer.allocate(0), null)));
  }

  @Override
  public Object record(
      Common common,
      String eventId,
      String partitionKey,
      String sequenceNumber,
      ByteBuffer data,
      Date arrival) {
    KinesisEvent.Record kinesis = new KinesisEvent.Record();
    kinesis.setKinesisSchemaVersion(common.schemaVersion());
    kinesis.setPartitionKey(partitionKey);
    kinesis.setSequenceNumber(sequenceNumber);
    kinesis.setData(data);
    kinesis.setApproximateArrivalTimestamp(arrival);
    KinesisEvent.KinesisEventRecord r = new KinesisEvent.KinesisEventRecord();
    r.setKinesis(kinesis);
    r.setEventSource(common.eventSource());
    r.setEventVersion(common.eventVersion());
    r.setEventID(eventId);
    r.setEventName(common.eventName());
    r.setInvokeIdentityArn(common.identityArn());
    r.setAwsRegion(common.region());
    r.setEventSourceARN(common.sourceArn());
    return r;
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public Object event(List<Object> records) {
    KinesisEvent event = new KinesisEvent();
    event.setRecords((List) records);
    return event;
  }
}
