package dev.sluice.mapper;

import java.util.Map;

/** A handler that fails while a test keeps its gate closed, so tests can end a run of failures. */
final class GateHandler {

  private GateHandler() {}

  /**
   * Appends one line per invocation to {@code $TMP/sluice-mapper-test/FUNCTION.log}: {@code
   * records|open} or {@code records|closed}; then fails while {@code FUNCTION.closed} exists there.
   */
  static final Map<String, String> SOURCES =
      Map.of(
          "fixture.Gate",
          """
          package fixture;
          import com.amazonaws.services.lambda.runtime.Context;
          import com.amazonaws.services.lambda.runtime.RequestHandler;
          import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
          import java.nio.file.*;
          public class Gate implements RequestHandler<KinesisEvent, String> {
            public String handleRequest(KinesisEvent event, Context ctx) {
              try {
                Path dir = Paths.get(System.getProperty("java.io.tmpdir"), "sluice-mapper-test");
                Files.createDirectories(dir);
                boolean closed = Files.exists(dir.resolve(ctx.getFunctionName() + ".closed"));
                String line = event.getRecords().size() + "|" + (closed ? "closed" : "open") + "\\n";
                Files.writeString(dir.resolve(ctx.getFunctionName() + ".log"), line,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                if (closed) {
                  throw new IllegalStateException("gate closed");
                }
                return "ok";
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            }
          }
          """);

  /** Closes the gate of {@code function}: its invocations fail until {@link #open}. */
  static void close(String function) throws java.io.IOException {
    java.nio.file.Files.createDirectories(MapperHarness.OUT);
    java.nio.file.Files.writeString(MapperHarness.OUT.resolve(function + ".closed"), "");
  }

  /** Opens the gate of {@code function}. */
  static void open(String function) throws java.io.IOException {
    java.nio.file.Files.deleteIfExists(MapperHarness.OUT.resolve(function + ".closed"));
  }
}
