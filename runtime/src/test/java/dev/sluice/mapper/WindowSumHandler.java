package dev.sluice.mapper;

import java.util.Map;

/** A tumbling-window handler, so mapper tests can check windows, state and final invokes. */
final class WindowSumHandler {

  private WindowSumHandler() {}

  /**
   * A {@code RequestHandler<KinesisTimeWindowEvent, TimeWindowEventResponse>} that sums the {@code
   * amount} of each record's JSON data into its state ({@code sum}, and {@code invokes}: the
   * invocations with records so far). It appends to {@code $TMP/sluice-mapper-test/FUNCTION.log}
   * one line per invocation with records: {@code batch|windowStart|windowEnd|records|invokesBefore
   * |inWindow} ({@code inWindow}: every record's approximateArrivalTimestamp lies in the window),
   * and on the final invoke: {@code final|windowStart|windowEnd|sum|invokes|records|terminatedEarly
   * |shardId|eventSourceARN}. A record whose data contains {@code "flaky"} is reported as a batch
   * item failure the first time it is seen; the state returned then covers only the records before
   * it. A record with {@code "pad": N} puts N characters into the state ({@code pad}). A record
   * with {@code "failFinal"} makes its window's final invokes fail (after their line).
   */
  static final Map<String, String> SOURCES =
      Map.of(
          "fixture.WindowSum",
          """
          package fixture;
          import com.amazonaws.services.lambda.runtime.Context;
          import com.amazonaws.services.lambda.runtime.RequestHandler;
          import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
          import com.amazonaws.services.lambda.runtime.events.KinesisTimeWindowEvent;
          import com.amazonaws.services.lambda.runtime.events.TimeWindowEventResponse;
          import java.nio.charset.StandardCharsets;
          import java.nio.file.*;
          import java.time.Instant;
          import java.util.*;
          import java.util.regex.*;
          public class WindowSum implements RequestHandler<KinesisTimeWindowEvent, TimeWindowEventResponse> {
            private static final Pattern AMOUNT = Pattern.compile("\\"amount\\"\\\\s*:\\\\s*(-?\\\\d+)");
            private static final Pattern PAD = Pattern.compile("\\"pad\\"\\\\s*:\\\\s*(\\\\d+)");
            public TimeWindowEventResponse handleRequest(KinesisTimeWindowEvent event, Context ctx) {
              try {
                Path dir = Paths.get(System.getProperty("java.io.tmpdir"), "sluice-mapper-test");
                Files.createDirectories(dir);
                Path log = dir.resolve(ctx.getFunctionName() + ".log");
                Path seen = dir.resolve(ctx.getFunctionName() + ".seen");
                List<TimeWindowEventResponse.BatchItemFailure> failures = new ArrayList<>();
                Map<String, String> state = new HashMap<>(event.getState() == null ? Map.of() : event.getState());
                long sum = Long.parseLong(state.getOrDefault("sum", "0"));
                int invokes = Integer.parseInt(state.getOrDefault("invokes", "0"));
                long start = Instant.parse(event.getWindow().getStart()).toEpochMilli();
                long end = Instant.parse(event.getWindow().getEnd()).toEpochMilli();
                List<KinesisEvent.KinesisEventRecord> records = event.getRecords() == null ? List.of() : event.getRecords();
                String line;
                if (Boolean.TRUE.equals(event.getIsFinalInvokeForWindow())) {
                  line = "final|" + start + "|" + end + "|" + sum + "|" + invokes + "|" + records.size()
                      + "|" + event.getIsWindowTerminatedEarly() + "|" + event.getShardId() + "|" + event.getEventSourceArn();
                } else {
                  boolean inWindow = true;
                  int done = 0;
                  for (KinesisEvent.KinesisEventRecord r : records) {
                    String data = StandardCharsets.UTF_8.decode(r.getKinesis().getData()).toString();
                    String seq = r.getKinesis().getSequenceNumber();
                    if (data.contains("flaky") && (!Files.exists(seen) || !Files.readString(seen).contains(seq))) {
                      Files.writeString(seen, seq + "\\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                      failures.add(new TimeWindowEventResponse.BatchItemFailure(seq));
                      break;
                    }
                    done++;
                    Matcher m = AMOUNT.matcher(data);
                    if (m.find()) {
                      sum += Long.parseLong(m.group(1));
                    }
                    if (data.contains("failFinal")) {
                      state.put("failFinal", "1");
                    }
                    Matcher pad = PAD.matcher(data);
                    if (pad.find()) {
                      state.put("pad", "x".repeat(Integer.parseInt(pad.group(1))));
                    }
                    long at = r.getKinesis().getApproximateArrivalTimestamp().getTime();
                    inWindow &= at >= start && at < end;
                  }
                  line = "batch|" + start + "|" + end + "|" + records.size() + "|" + invokes + "|" + inWindow + "|" + done;
                  state.put("sum", Long.toString(sum));
                  state.put("invokes", Integer.toString(invokes + 1));
                }
                Files.writeString(log, line + "\\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                if (line.startsWith("final|") && state.containsKey("failFinal")) {
                  throw new IllegalStateException("the final invoke fails");
                }
                return TimeWindowEventResponse.builder().withState(state).withBatchItemFailures(failures).build();
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            }
          }
          """);
}
