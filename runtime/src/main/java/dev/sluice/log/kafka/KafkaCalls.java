package dev.sluice.log.kafka;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import org.apache.kafka.common.KafkaFuture;

/** Waits for Kafka Admin calls: Kafka's own unchecked errors pass through as they are. */
public final class KafkaCalls {

  private KafkaCalls() {}

  /**
   * The result of {@code call}, waiting at most {@code seconds}. A Kafka error (e.g. {@code
   * TopicExistsException}) is thrown as it is; anything else, a timeout or an interrupt becomes
   * {@code failure(message, cause)}.
   */
  public static <T> T await(
      KafkaFuture<T> call, long seconds, BiFunction<String, Throwable, RuntimeException> failure) {
    try {
      return call.get(seconds, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw failure.apply("Kafka admin call failed", e.getCause());
    } catch (TimeoutException e) {
      throw failure.apply("Kafka admin call timed out", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failure.apply("interrupted", e);
    }
  }
}
