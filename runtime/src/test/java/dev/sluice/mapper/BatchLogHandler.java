package dev.sluice.mapper;

import java.util.Map;

/** A handler that logs each invocation, so timing tests can count invocations and batch sizes. */
final class BatchLogHandler {

  private BatchLogHandler() {}

  /**
   * Appends one line per invocation to {@code $TMP/sluice-mapper-test/FUNCTION.log}, before
   * anything can fail: {@code records|data,data,...} (each data cut to 16 characters). An
   * invocation with a record whose data starts with {@code poison} then fails.
   */
  static final Map<String, String> SOURCES =
      Map.of(
          "fixture.BatchLog",
          """
          package fixture;
          import com.amazonaws.services.lambda.runtime.Context;
          import com.amazonaws.services.lambda.runtime.RequestHandler;
          import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
          import java.nio.charset.StandardCharsets;
          import java.nio.file.*;
          import java.util.*;
          public class BatchLog implements RequestHandler<KinesisEvent, String> {
            public String handleRequest(KinesisEvent event, Context ctx) {
              try {
                Path dir = Paths.get(System.getProperty("java.io.tmpdir"), "sluice-mapper-test");
                Files.createDirectories(dir);
                List<String> data = new ArrayList<>();
                boolean poison = false;
                for (KinesisEvent.KinesisEventRecord r : event.getRecords()) {
                  String d = StandardCharsets.UTF_8.decode(r.getKinesis().getData()).toString();
                  poison |= d.startsWith("poison");
                  data.add(d.substring(0, Math.min(16, d.length())));
                }
                String line = event.getRecords().size() + "|" + String.join(",", data) + "\\n";
                Files.writeString(dir.resolve(ctx.getFunctionName() + ".log"), line,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                if (poison) {
                  throw new IllegalStateException("poison record");
                }
                return "ok";
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            }
          }
          """);
}
