package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.cli.client.SluiceClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Puts one record, or one record per line of standard input, into a stream. */
@Command(
    name = "put",
    mixinStandardHelpOptions = true,
    description = {
      "Put records into a stream.",
      "With DATA, puts one record. With '-' (or no DATA), puts one record per line of standard"
          + " input in PutRecords batches, showing progress on standard error."
    })
final class PutCommand implements Callable<Integer> {

  // PutRecords takes at most 500 records and 5 MiB a call.
  static final int MAX_RECORDS = 500;
  static final int MAX_BYTES = 5 * 1024 * 1024;

  @Mixin EndpointOption endpoint;

  @Parameters(index = "0", description = "The stream name.")
  String stream;

  @Parameters(index = "1", arity = "0..1", description = "The record's data, or '-' for stdin.")
  String data = "-";

  @ArgGroup(exclusive = true)
  Key key = new Key();

  static final class Key {
    @Option(
        names = "--partition-key",
        paramLabel = "KEY",
        description = "Partition key for every record (default: a random key per record).")
    String fixed;

    @Option(
        names = "--key-field",
        paramLabel = "FIELD",
        description = "Take each record's partition key from this top-level JSON field.")
    String field;
  }

  @Override
  public Integer call() throws IOException {
    SluiceClient client = endpoint.client();
    if (!"-".equals(data)) {
      ObjectNode body = SluiceClient.object().put("StreamName", stream);
      body.put("PartitionKey", keyOf(data));
      body.put("Data", base64(data));
      JsonNode r = client.kinesis("PutRecord", body);
      System.out.println(r.path("ShardId").asText() + " " + r.path("SequenceNumber").asText());
      return 0;
    }
    Progress progress = Progress.forStdin(System.err);
    long count = 0;
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      List<String> batch = new ArrayList<>();
      int bytes = 0;
      for (String line; (line = in.readLine()) != null; ) {
        progress.read(line.length() + 1L);
        if (line.isEmpty()) {
          continue;
        }
        int size = line.getBytes(StandardCharsets.UTF_8).length + 256;
        if (batch.size() == MAX_RECORDS || bytes + size > MAX_BYTES) {
          count += putAll(client, batch);
          progress.records(count);
          batch.clear();
          bytes = 0;
        }
        batch.add(line);
        bytes += size;
      }
      count += putAll(client, batch);
    }
    progress.done(count);
    System.out.println("put " + count + " records into " + stream);
    return 0;
  }

  private int putAll(SluiceClient client, List<String> lines) {
    List<String> pending = lines;
    for (int attempt = 0; !pending.isEmpty(); attempt++) {
      if (attempt == 6) {
        throw new CliException(pending.size() + " records were refused six times; stopped.");
      }
      pause(attempt);
      pending = putOnce(client, pending);
    }
    return lines.size();
  }

  private List<String> putOnce(SluiceClient client, List<String> lines) {
    ObjectNode body = SluiceClient.object().put("StreamName", stream);
    ArrayNode records = body.putArray("Records");
    for (String line : lines) {
      records.addObject().put("PartitionKey", keyOf(line)).put("Data", base64(line));
    }
    JsonNode r = client.kinesis("PutRecords", body);
    if (r.path("FailedRecordCount").asInt() == 0) {
      return List.of();
    }
    List<String> failed = new ArrayList<>();
    JsonNode results = r.path("Records");
    for (int i = 0; i < lines.size(); i++) {
      if (results.path(i).hasNonNull("ErrorCode")) {
        failed.add(lines.get(i));
      }
    }
    return failed;
  }

  private String keyOf(String line) {
    if (key.fixed != null) {
      return key.fixed;
    }
    if (key.field != null) {
      return JsonLines.field(line, key.field);
    }
    return UUID.randomUUID().toString();
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static void pause(int attempt) {
    if (attempt == 0) {
      return;
    }
    try {
      Thread.sleep(100L << attempt);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
  }
}
