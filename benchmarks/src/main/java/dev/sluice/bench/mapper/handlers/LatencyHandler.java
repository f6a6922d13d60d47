package dev.sluice.bench.mapper.handlers;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Records when each record reached the handler: appends {@code DATA,INVOKE_MICROS} per record (the
 * record's data is the benchmark's {@code ID,SEND_MICROS}) to {@code
 * java.io.tmpdir/sluice-mapper-bench/FUNCTION.lat}, one write per batch. Microseconds are the wall
 * clock ({@link Instant#now()}), comparable with the producer's on the same machine.
 */
public final class LatencyHandler implements RequestHandler<KinesisEvent, Void> {

  /** Where handlers and the benchmark meet. */
  public static Path dir() {
    return Path.of(System.getProperty("java.io.tmpdir"), "sluice-mapper-bench");
  }

  /** Microseconds since the epoch. */
  public static long micros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }

  @Override
  public Void handleRequest(KinesisEvent event, Context context) {
    long invoked = micros();
    StringBuilder lines = new StringBuilder(event.getRecords().size() * 40);
    for (KinesisEvent.KinesisEventRecord r : event.getRecords()) {
      lines
          .append(StandardCharsets.US_ASCII.decode(r.getKinesis().getData()))
          .append(',')
          .append(invoked)
          .append('\n');
    }
    try {
      // one write(2) with O_APPEND per batch: concurrent instances do not interleave lines
      Files.write(
          dir().resolve(context.getFunctionName() + ".lat"),
          lines.toString().getBytes(StandardCharsets.US_ASCII),
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND,
          StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return null;
  }
}
