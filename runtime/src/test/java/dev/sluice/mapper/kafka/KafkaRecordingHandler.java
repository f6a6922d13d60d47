package dev.sluice.mapper.kafka;

import java.util.Map;

/** A handler that takes Lambda's KafkaEvent and records what it receives. */
public final class KafkaRecordingHandler {

  private KafkaRecordingHandler() {}

  /**
   * Appends {@code key|value|topic-partition|offset|timestampType|header h} per record to {@code
   * $TMP/sluice-kafka-test/FUNCTION.log}, and {@code value} of every record it is given to {@code
   * FUNCTION.attempts}. A value {@code poison…} fails the whole batch; a value {@code flaky…} is
   * reported as a batch item failure (Kafka's object itemIdentifier) the first time it is seen, a
   * value {@code broken…} every time; a value {@code slow…} takes 4 s, with {@code value|begin} and
   * {@code value|end} lines in {@code FUNCTION.spans} around the wait.
   */
  public static final Map<String, String> SOURCES =
      Map.of(
          "fixture.KafkaRecorder",
          """
          package fixture;
          import com.amazonaws.services.lambda.runtime.Context;
          import com.amazonaws.services.lambda.runtime.RequestHandler;
          import com.amazonaws.services.lambda.runtime.events.KafkaEvent;
          import java.nio.charset.StandardCharsets;
          import java.nio.file.*;
          import java.util.*;
          public class KafkaRecorder implements RequestHandler<KafkaEvent, Map<String, Object>> {
            static String text(String b64) {
              return b64 == null ? "<null>" : new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
            }
            public Map<String, Object> handleRequest(KafkaEvent event, Context ctx) {
              try {
                Path dir = Paths.get(System.getProperty("java.io.tmpdir"), "sluice-kafka-test");
                Files.createDirectories(dir);
                Path log = dir.resolve(ctx.getFunctionName() + ".log");
                Path attempts = dir.resolve(ctx.getFunctionName() + ".attempts");
                Path seen = dir.resolve(ctx.getFunctionName() + ".seen");
                if (!"SelfManagedKafka".equals(event.getEventSource()) || event.getBootstrapServers() == null) {
                  throw new IllegalStateException("not a SelfManagedKafka event");
                }
                List<Object> failures = new ArrayList<>();
                StringBuilder lines = new StringBuilder();
                StringBuilder tried = new StringBuilder();
                for (Map.Entry<String, List<KafkaEvent.KafkaEventRecord>> e : event.getRecords().entrySet()) {
                  for (KafkaEvent.KafkaEventRecord r : e.getValue()) {
                    String value = text(r.getValue());
                    tried.append(value).append('\\n');
                    String id = e.getKey() + "@" + r.getOffset();
                    if (value.startsWith("slow")) {
                      Path spans = dir.resolve(ctx.getFunctionName() + ".spans");
                      Files.writeString(spans, value + "|begin\\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                      try {
                        Thread.sleep(4_000);
                      } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                      }
                      Files.writeString(spans, value + "|end\\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    }
                    if (value.startsWith("poison")) {
                      Files.writeString(attempts, tried, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                      throw new IllegalStateException("poison record " + id + " in request " + ctx.getAwsRequestId());
                    }
                    if (value.startsWith("broken") || value.startsWith("flaky") && (!Files.exists(seen) || !Files.readString(seen).contains(id + "\\n"))) {
                      Files.writeString(seen, id + "\\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                      failures.add(Map.of("itemIdentifier", Map.of("topic-partition", e.getKey(), "offset", r.getOffset())));
                      break;
                    }
                    String header = "";
                    for (Map<String, byte[]> h : r.getHeaders()) {
                      if (h.containsKey("h")) {
                        header = new String(h.get("h"), StandardCharsets.UTF_8);
                      }
                    }
                    lines.append(text(r.getKey())).append('|').append(value).append('|')
                        .append(r.getTopic()).append('-').append(r.getPartition()).append('|')
                        .append(r.getOffset()).append('|').append(r.getTimestampType()).append('|')
                        .append(header).append('\\n');
                  }
                }
                Files.writeString(attempts, tried, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                Files.writeString(log, lines, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                return Map.of("batchItemFailures", failures);
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            }
          }
          """);
}
