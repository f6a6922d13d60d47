package dev.sluice.function.classloader.bridge;

import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.util.Date;
import java.util.List;

/**
 * {@link KinesisBeans} through method handles: the fallback when the plain-bytecode implementation
 * cannot be defined next to the function's events library.
 */
final class HandleKinesisBeans implements KinesisBeans {

  private final MethodHandle newEvent;
  private final MethodHandle setRecords;
  private final MethodHandle newRecord;
  private final MethodHandle newKinesis;
  private final MethodHandle kinesis;
  private final MethodHandle eventSource;
  private final MethodHandle eventVersion;
  private final MethodHandle eventId;
  private final MethodHandle eventName;
  private final MethodHandle identityArn;
  private final MethodHandle region;
  private final MethodHandle sourceArn;
  private final MethodHandle schemaVersion;
  private final MethodHandle partitionKey;
  private final MethodHandle sequenceNumber;
  private final MethodHandle data;
  private final MethodHandle arrival;

  /** Handles to {@code event}'s constructor and setters, and its records'. */
  HandleKinesisBeans(Class<?> event) throws ReflectiveOperationException {
    ClassLoader loader = event.getClassLoader();
    Class<?> record = Class.forName(event.getName() + "$KinesisEventRecord", false, loader);
    Class<?> record2 = Class.forName(event.getName() + "$Record", false, loader);
    newEvent = Beans.ctor(event);
    setRecords = setter(event, "setRecords", List.class);
    newRecord = Beans.ctor(record);
    newKinesis = Beans.ctor(record2);
    kinesis = setter(record, "setKinesis", record2);
    eventSource = setter(record, "setEventSource", String.class);
    eventVersion = setter(record, "setEventVersion", String.class);
    eventId = setter(record, "setEventID", String.class);
    eventName = setter(record, "setEventName", String.class);
    identityArn = setter(record, "setInvokeIdentityArn", String.class);
    region = setter(record, "setAwsRegion", String.class);
    sourceArn = setter(record, "setEventSourceARN", String.class);
    schemaVersion = setter(record2, "setKinesisSchemaVersion", String.class);
    partitionKey = setter(record2, "setPartitionKey", String.class);
    sequenceNumber = setter(record2, "setSequenceNumber", String.class);
    data = setter(record2, "setData", ByteBuffer.class);
    arrival = setter(record2, "setApproximateArrivalTimestamp", Date.class);
  }

  @Override
  public Object record(
      Common common,
      String eventId,
      String partitionKey,
      String sequenceNumber,
      ByteBuffer data,
      Date arrival) {
    try {
      Object k = newKinesis.invokeExact();
      schemaVersion.invokeExact(k, common.schemaVersion());
      this.partitionKey.invokeExact(k, partitionKey);
      this.sequenceNumber.invokeExact(k, sequenceNumber);
      this.data.invokeExact(k, data);
      this.arrival.invokeExact(k, arrival);
      Object r = newRecord.invokeExact();
      kinesis.invokeExact(r, k);
      eventSource.invokeExact(r, common.eventSource());
      eventVersion.invokeExact(r, common.eventVersion());
      this.eventId.invokeExact(r, eventId);
      eventName.invokeExact(r, common.eventName());
      identityArn.invokeExact(r, common.identityArn());
      region.invokeExact(r, common.region());
      sourceArn.invokeExact(r, common.sourceArn());
      return r;
    } catch (Throwable t) {
      throw Beans.unchecked(t);
    }
  }

  @Override
  public Object event(List<Object> records) {
    try {
      Object event = newEvent.invokeExact();
      setRecords.invokeExact(event, records);
      return event;
    } catch (Throwable t) {
      throw Beans.unchecked(t);
    }
  }

  private static MethodHandle setter(Class<?> c, String name, Class<?> param)
      throws ReflectiveOperationException {
    // call sites pass JDK types as themselves and the event's own beans as Object
    return Beans.setter(c, name, param, param.getClassLoader() == null ? param : Object.class);
  }
}
