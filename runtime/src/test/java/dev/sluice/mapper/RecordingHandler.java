package dev.sluice.mapper;

import java.util.Map;

/** A handler that records what it receives, so mapper tests can check delivery. */
final class RecordingHandler {

  private RecordingHandler() {}

  /**
   * Appends {@code partitionKey|data|sequenceNumber} per record to {@code
   * $TMP/sluice-mapper-test/FUNCTION.log}. Data {@code poison…} always fails the whole batch; data
   * {@code flaky…} is reported as a batch item failure the first time it is seen; data {@code
   * slow…} takes 7 s, with {@code data|begin|millis} and {@code data|end|millis} lines in {@code
   * FUNCTION.spans} around the wait.
   */
  static final Map<String, String> SOURCES =
      Map.of(
          "fixture.Recorder",
          """
          package fixture;
          import com.amazonaws.services.lambda.runtime.Context;
          import com.amazonaws.services.lambda.runtime.RequestHandler;
          import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
          import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
          import java.nio.charset.StandardCharsets;
          import java.nio.file.*;
          import java.util.*;
          public class Recorder implements RequestHandler<KinesisEvent, StreamsEventResponse> {
            public StreamsEventResponse handleRequest(KinesisEvent event, Context ctx) {
              try {
                Path dir = Paths.get(System.getProperty("java.io.tmpdir"), "sluice-mapper-test");
                Files.createDirectories(dir);
                Path log = dir.resolve(ctx.getFunctionName() + ".log");
                Path seen = dir.resolve(ctx.getFunctionName() + ".seen");
                List<StreamsEventResponse.BatchItemFailure> failures = new ArrayList<>();
                StringBuilder lines = new StringBuilder();
                for (KinesisEvent.KinesisEventRecord r : event.getRecords()) {
                  String data = StandardCharsets.UTF_8.decode(r.getKinesis().getData()).toString();
                  String seq = r.getKinesis().getSequenceNumber();
                  if (data.startsWith("slow")) {
                    Path spans = dir.resolve(ctx.getFunctionName() + ".spans");
                    Files.writeString(spans, data + "|begin|" + System.currentTimeMillis() + "\\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    try {
                      Thread.sleep(7_000);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                    Files.writeString(spans, data + "|end|" + System.currentTimeMillis() + "\\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                  }
                  if (data.startsWith("poison")) {
                    throw new IllegalStateException("poison record " + seq + " in request " + ctx.getAwsRequestId());
                  }
                  if (data.startsWith("reject")) {
                    failures.add(new StreamsEventResponse.BatchItemFailure(seq));
                    break;
                  }
                  if (data.startsWith("flaky") && (!Files.exists(seen) || !Files.readString(seen).contains(seq))) {
                    Files.writeString(seen, seq + "\\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    failures.add(new StreamsEventResponse.BatchItemFailure(seq));
                    break;
                  }
                  lines.append(r.getKinesis().getPartitionKey()).append('|').append(data).append('|').append(seq).append('\\n');
                }
                Files.writeString(log, lines, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                return new StreamsEventResponse(failures);
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            }
          }
          """);
}
