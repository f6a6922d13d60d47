package dev.sluice.bench;

import dev.sluice.bench.kafka.KafkaBench;
import dev.sluice.bench.kinesis.KinesisLoad;
import dev.sluice.bench.mapper.MapperBench;
import java.util.Arrays;

/**
 * Entry point of the benchmarks jar: {@code kinesis ...} runs the Kinesis load generator, {@code
 * mapper ...} the event-source mapping benchmarks, {@code kafka ...} Kafka-source delivery against
 * a raw consumer, anything else goes to JMH ({@code org.openjdk.jmh.Main}) unchanged.
 */
public final class BenchMain {

  private BenchMain() {}

  /** Dispatches to the load generator or to JMH. */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("kinesis")) {
      KinesisLoad.main(Arrays.copyOfRange(args, 1, args.length));
    } else if (args.length > 0 && args[0].equals("kafka")) {
      KafkaBench.main(Arrays.copyOfRange(args, 1, args.length));
    } else if (args.length > 0 && args[0].equals("mapper")) {
      MapperBench.main(Arrays.copyOfRange(args, 1, args.length));
    } else {
      org.openjdk.jmh.Main.main(args);
    }
  }
}
