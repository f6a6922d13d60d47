package dev.sluice.function.classloader.bridge;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * Builds a handler's {@code KinesisEvent} straight from a batch laid out as {@link KinesisLayout}
 * says, with exactly the values aws-lambda-java-serialization gives it from Sluice's JSON event:
 * the same strings, data in a ByteBuffer over its own array, and the arrival time through the same
 * double arithmetic as the library's Date deserializer. Fields the JSON does not carry (the
 * encryption type) stay null. Parsing that JSON is most of the cost of a delivery otherwise.
 */
final class KinesisEventFactory implements EventFactory {

  static final String EVENT = "com.amazonaws.services.lambda.runtime.events.KinesisEvent";
  private static final String V1 = "1.0";
  private static final String SOURCE = "aws:kinesis";
  private static final String NAME = "aws:kinesis:record";

  private final Setters s;

  private KinesisEventFactory(Setters setters) {
    this.s = setters;
  }

  /**
   * A factory when {@code type} is exactly the function's own KinesisEvent and it has every setter
   * the JSON would use; null otherwise (a subclass, another type, an unknown events version).
   */
  static KinesisEventFactory forType(Type type) {
    if (!(type instanceof Class<?> c) || !c.getName().equals(EVENT)) {
      return null;
    }
    try {
      return new KinesisEventFactory(Setters.of(c));
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null; // JSON still works for whatever this version looks like
    }
  }

  @Override
  public String eventType() {
    return EVENT;
  }

  @Override
  public Object build(Object[] batch) throws Throwable {
    String[] keys = (String[]) batch[KinesisLayout.PARTITION_KEYS];
    List<Object> records = new ArrayList<>(keys.length);
    for (int i = 0; i < keys.length; i++) {
      records.add(record(batch, i));
    }
    Object event = s.newEvent.invokeExact();
    s.setRecords.invokeExact(event, records);
    return event;
  }

  private Object record(Object[] batch, int i) throws Throwable {
    Object kinesis = s.newKinesis.invokeExact();
    s.schemaVersion.invokeExact(kinesis, V1);
    s.partitionKey.invokeExact(kinesis, ((String[]) batch[KinesisLayout.PARTITION_KEYS])[i]);
    s.sequenceNumber.invokeExact(kinesis, ((String[]) batch[KinesisLayout.SEQUENCE_NUMBERS])[i]);
    byte[] data = ((byte[][]) batch[KinesisLayout.DATA])[i];
    s.data.invokeExact(kinesis, ByteBuffer.wrap(data.clone()));
    s.arrival.invokeExact(kinesis, date(((long[]) batch[KinesisLayout.ARRIVAL_MILLIS])[i]));
    Object r = s.newRecord.invokeExact();
    s.kinesis.invokeExact(r, kinesis);
    s.eventSource.invokeExact(r, SOURCE);
    s.eventVersion.invokeExact(r, V1);
    s.eventId.invokeExact(r, ((String[]) batch[KinesisLayout.EVENT_IDS])[i]);
    s.eventName.invokeExact(r, NAME);
    s.identityArn.invokeExact(r, (String) batch[KinesisLayout.IDENTITY_ARN]);
    s.region.invokeExact(r, (String) batch[KinesisLayout.REGION]);
    s.sourceArn.invokeExact(r, (String) batch[KinesisLayout.SOURCE_ARN]);
    return r;
  }

  /**
   * What the library's Date deserializer makes of {@code approximateArrivalTimestamp}, written as
   * seconds with three decimals: it parses a double, treats 0 as absent and multiplies by 1000
   * before truncating. Dividing an exact long by 1000.0 rounds to the same double as parsing the
   * decimal text (both are the correctly rounded quotient), so the result matches bit for bit.
   */
  static Date date(long millis) {
    double seconds = millis / 1000.0;
    return seconds == 0 ? null : new Date((long) (seconds * 1000.0));
  }

  /** Constructors and setters, typed for {@code invokeExact} on plain Objects. */
  private record Setters(
      MethodHandle newEvent,
      MethodHandle setRecords,
      MethodHandle newRecord,
      MethodHandle newKinesis,
      MethodHandle kinesis,
      MethodHandle eventSource,
      MethodHandle eventVersion,
      MethodHandle eventId,
      MethodHandle eventName,
      MethodHandle identityArn,
      MethodHandle region,
      MethodHandle sourceArn,
      MethodHandle schemaVersion,
      MethodHandle partitionKey,
      MethodHandle sequenceNumber,
      MethodHandle data,
      MethodHandle arrival) {

    static Setters of(Class<?> event) throws ReflectiveOperationException {
      ClassLoader loader = event.getClassLoader();
      Class<?> record = Class.forName(EVENT + "$KinesisEventRecord", false, loader);
      Class<?> kinesis = Class.forName(EVENT + "$Record", false, loader);
      return new Setters(
          ctor(event),
          setter(event, "setRecords", List.class),
          ctor(record),
          ctor(kinesis),
          setter(record, "setKinesis", kinesis),
          setter(record, "setEventSource", String.class),
          setter(record, "setEventVersion", String.class),
          setter(record, "setEventID", String.class),
          setter(record, "setEventName", String.class),
          setter(record, "setInvokeIdentityArn", String.class),
          setter(record, "setAwsRegion", String.class),
          setter(record, "setEventSourceARN", String.class),
          setter(kinesis, "setKinesisSchemaVersion", String.class),
          setter(kinesis, "setPartitionKey", String.class),
          setter(kinesis, "setSequenceNumber", String.class),
          setter(kinesis, "setData", ByteBuffer.class),
          setter(kinesis, "setApproximateArrivalTimestamp", Date.class));
    }

    private static MethodHandle ctor(Class<?> c) throws ReflectiveOperationException {
      return Beans.ctor(c);
    }

    private static MethodHandle setter(Class<?> c, String name, Class<?> param)
        throws ReflectiveOperationException {
      // call sites pass JDK types as themselves and the event's own beans as Object
      return Beans.setter(c, name, param, param.getClassLoader() == null ? param : Object.class);
    }
  }
}
