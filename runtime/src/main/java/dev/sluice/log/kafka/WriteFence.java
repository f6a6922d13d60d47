package dev.sluice.log.kafka;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Keeps this node from acknowledging a record that another node's seal leaves past a shard's end.
 *
 * <p>A node that reshards publishes the change in the shared node state and fixes the sealed
 * shard's end a {@link KafkaLogOptions#sealGrace grace} later; the other nodes append to the shard
 * until they read the change, and then stop ({@link KafkaLogEngine#fence}). So an append is sent
 * only while this node's view of the shared state is at most half the grace old, and acknowledged
 * only when the broker took it within the other half: a record acknowledged here was written before
 * any end that a change this node had not read yet could fix. Otherwise the append fails as
 * retryable, perhaps stored (as a failed Kinesis put may be). Until {@link #follow} is called
 * (storage without shared node state), or with no grace, nothing is fenced: a seal is then final at
 * once, and a record another node appends after it is not read.
 *
 * <p>Thread-safe; time comes from the injected ticker ({@link System#nanoTime} in production).
 */
final class WriteFence {

  private final long halfGraceNanos;
  private final LongSupplier ticker;
  private volatile LongSupplier viewAgeNanos;

  WriteFence(Duration sealGrace) {
    this(sealGrace, System::nanoTime);
  }

  WriteFence(Duration sealGrace, LongSupplier ticker) {
    this.halfGraceNanos = sealGrace.toNanos() / 2;
    this.ticker = ticker;
  }

  /** Fences appends by the age of this node's view of the shared state from now on. */
  void follow(LongSupplier viewAgeNanos) {
    this.viewAgeNanos = viewAgeNanos;
  }

  /** The ticker's time now, to hand to {@link #tooLate} once the append is acknowledged. */
  long now() {
    return ticker.getAsLong();
  }

  /** Why an append may not be sent now, or null when it may. */
  String refusal() {
    LongSupplier age = viewAgeNanos;
    if (age == null || halfGraceNanos == 0) {
      return null;
    }
    long nanos = age.getAsLong();
    if (nanos <= halfGraceNanos) {
      return null;
    }
    return "this node has not caught up with the shared node state for "
        + (nanos == Long.MAX_VALUE ? "ever" : Duration.ofNanos(nanos).toMillis() + " ms")
        + ", so another node may have resharded the stream; try again later";
  }

  /** Whether an append sent at {@code sentNanos} (see {@link #now}) is acknowledged too late. */
  boolean tooLate(long sentNanos) {
    return viewAgeNanos != null && halfGraceNanos > 0 && now() - sentNanos > halfGraceNanos;
  }
}
