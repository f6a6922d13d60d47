package dev.sluice.function.classloader.bridge;

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

  private final KinesisBeans beans;

  KinesisEventFactory(KinesisBeans beans) {
    this.beans = beans;
  }

  /**
   * A factory when {@code type} is exactly the function's own KinesisEvent and it has every setter
   * the JSON would use; null otherwise (a subclass, another type, an unknown events version).
   */
  static KinesisEventFactory forType(Type type) {
    if (!(type instanceof Class<?> c) || !c.getName().equals(EVENT)) {
      return null;
    }
    KinesisBeans beans =
        Beans.choose(
            c,
            KinesisBeans.class,
            "DirectKinesisBeans",
            b -> b.event(List.of()),
            HandleKinesisBeans::new);
    return beans == null ? null : new KinesisEventFactory(beans);
  }

  @Override
  public boolean direct() {
    return !(beans instanceof HandleKinesisBeans);
  }

  @Override
  public String eventType() {
    return EVENT;
  }

  @Override
  public Object build(Object[] batch) {
    String[] keys = (String[]) batch[KinesisLayout.PARTITION_KEYS];
    String[] sequenceNumbers = (String[]) batch[KinesisLayout.SEQUENCE_NUMBERS];
    String[] eventIds = (String[]) batch[KinesisLayout.EVENT_IDS];
    byte[][] data = (byte[][]) batch[KinesisLayout.DATA];
    long[] arrivals = (long[]) batch[KinesisLayout.ARRIVAL_MILLIS];
    KinesisBeans.Common common =
        new KinesisBeans.Common(
            SOURCE,
            V1,
            NAME,
            (String) batch[KinesisLayout.IDENTITY_ARN],
            (String) batch[KinesisLayout.REGION],
            (String) batch[KinesisLayout.SOURCE_ARN],
            V1);
    List<Object> records = new ArrayList<>(keys.length);
    for (int i = 0; i < keys.length; i++) {
      records.add(
          beans.record(
              common,
              eventIds[i],
              keys[i],
              sequenceNumbers[i],
              ByteBuffer.wrap(data[i].clone()),
              date(arrivals[i])));
    }
    return beans.event(records);
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
}
