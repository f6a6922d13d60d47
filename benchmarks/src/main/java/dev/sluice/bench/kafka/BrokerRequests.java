package dev.sluice.bench.kafka;

import java.lang.management.ManagementFactory;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The embedded broker's request counts over one run, from the meters it publishes over JMX in this
 * JVM: how many consumer fetches and offset commits a reader cost the broker, and the bytes it
 * sent. Against a broker elsewhere ({@code --bootstrap}) nothing is found and nothing is printed.
 */
final class BrokerRequests {

  private static final String FETCH =
      "kafka.network:type=RequestMetrics,name=RequestsPerSec,request=FetchConsumer,*";
  private static final String COMMIT =
      "kafka.network:type=RequestMetrics,name=RequestsPerSec,request=OffsetCommit,*";
  private static final String BYTES_OUT =
      "kafka.server:type=BrokerTopicMetrics,name=BytesOutPerSec";

  private final long fetches;
  private final long commits;
  private final long bytesOut;

  private BrokerRequests() {
    this.fetches = count(FETCH);
    this.commits = count(COMMIT);
    this.bytesOut = count(BYTES_OUT);
  }

  /** Starts counting. */
  static BrokerRequests start() {
    return new BrokerRequests();
  }

  /** The requests since {@link #start}, as text; empty when the broker is not in this JVM. */
  String stop(long records) {
    long f = count(FETCH) - fetches;
    if (f <= 0) {
      return "";
    }
    long c = count(COMMIT) - commits;
    double mb = (count(BYTES_OUT) - bytesOut) / 1e6;
    return String.format(
        "; broker: %,d consumer fetches (%,.0f records, %.2f MB each), %,d offset commits",
        f, (double) records / f, mb / f, c);
  }

  /** The sum of the {@code Count} attributes of the meters matching {@code pattern}; 0 if none. */
  private static long count(String pattern) {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    long sum = 0;
    try {
      for (ObjectName n : server.queryNames(new ObjectName(pattern), null)) {
        sum += ((Number) server.getAttribute(n, "Count")).longValue();
      }
    } catch (Exception e) {
      return 0; // a diagnostic only: the run's figures do not depend on it
    }
    return sum;
  }
}
