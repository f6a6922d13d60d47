package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.cli.client.ClientException;
import dev.sluice.cli.client.SluiceClient;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
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
  // A record's data and partition key together.
  static final int MAX_RECORD_BYTES = 1024 * 1024;

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
    Batch batch = new Batch(client);
    try {
      putLines(batch, progress);
    } catch (CliException e) {
      progress.done(batch.put); // ends the progress line before the message
      throw e;
    }
    progress.done(batch.put);
    System.out.println("put " + batch.put + " records into " + stream);
    return 0;
  }

  private void putLines(Batch batch, Progress progress) throws IOException {
    // bytes, not text: a record's data goes as it came (binary, a lone CR), split only at LF
    try (InputStream in = new BufferedInputStream(System.in)) {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      long lineNo = 0;
      for (byte[] line; (line = nextLine(in, buf)) != null; ) {
        lineNo++;
        progress.read(line.length + 1L);
        if (line.length == 0) {
          continue;
        }
        // Checked as each line is read, so a bad line stops the put before any batch holding it
        // is sent, and the message can say where it is and how much is already stored.
        Entry e;
        try {
          e = entry(lineNo, line);
        } catch (CliException ex) {
          throw batch.failedAt(lineNo, ex.getMessage());
        }
        if (batch.full(e)) {
          batch.send();
          progress.records(batch.put);
        }
        batch.add(e);
      }
      batch.send();
    }
  }

  /**
   * The next line's bytes without its LF (and without the CR of a CRLF), or null at the end; a last
   * line without LF counts.
   */
  private static byte[] nextLine(InputStream in, ByteArrayOutputStream buf) throws IOException {
    buf.reset();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      buf.write(b);
    }
    if (b < 0 && buf.size() == 0) {
      return null;
    }
    byte[] line = buf.toByteArray();
    return line.length > 0 && line[line.length - 1] == '\r'
        ? Arrays.copyOf(line, line.length - 1)
        : line;
  }

  /** One stdin line as a record: its line number, partition key, data and size. */
  private record Entry(long lineNo, String key, byte[] data) {
    int bytes() {
      return data.length + key.getBytes(StandardCharsets.UTF_8).length;
    }
  }

  private Entry entry(long lineNo, byte[] line) {
    // only a key field needs the line as text (JSON); the data stays the bytes read
    String k = keyOf(key.field == null ? "" : new String(line, StandardCharsets.UTF_8));
    if (k.codePointCount(0, k.length()) > 256) {
      throw new CliException("partition key is longer than Kinesis's 256 characters: " + cut(k));
    }
    Entry e = new Entry(lineNo, k, line);
    if (e.bytes() > MAX_RECORD_BYTES) {
      throw new CliException(
          "the record (data and partition key) is "
              + e.bytes()
              + " bytes, over Kinesis's limit of "
              + MAX_RECORD_BYTES);
    }
    return e;
  }

  /** Lines waiting to be sent in one PutRecords call, and how many records are stored so far. */
  private final class Batch {
    private final SluiceClient client;
    private final List<Entry> entries = new ArrayList<>();
    private int bytes;
    long put;

    /** {@link #put} when the batch being sent started. */
    private long putBefore;

    Batch(SluiceClient client) {
      this.client = client;
    }

    boolean full(Entry e) {
      return entries.size() == MAX_RECORDS || bytes + e.bytes() + 256 > MAX_BYTES;
    }

    void add(Entry e) {
      entries.add(e);
      bytes += e.bytes() + 256;
    }

    /** Sends the batch, retrying refused entries in their order; fails naming the first line. */
    void send() {
      putBefore = put;
      List<Entry> pending = entries;
      for (int attempt = 0; !pending.isEmpty(); attempt++) {
        if (attempt == 6) {
          // Entries after the first refused one may be stored: say so rather than "before it".
          throw new CliException(
              "line "
                  + pending.get(0).lineNo()
                  + ": refused six times, with "
                  + (pending.size() - 1)
                  + " later lines of its batch; "
                  + put
                  + " other records were put");
        }
        pause(attempt);
        int before = pending.size();
        try {
          pending = putOnce(client, pending);
        } catch (ClientException ex) {
          throw failedInBatch(pending.get(0), ex.getMessage());
        }
        put += before - pending.size();
      }
      entries.clear();
      bytes = 0;
    }

    /**
     * A batch that failed at {@code first} after earlier attempts stored some of it: the lines
     * before it are all stored, and some after it may be, which a restart from it would repeat.
     */
    CliException failedInBatch(Entry first, String reason) {
      long later = put - (putBefore + entries.indexOf(first));
      if (later <= 0) {
        return failedAt(first.lineNo(), reason);
      }
      return new CliException(
          "line "
              + first.lineNo()
              + ": "
              + reason
              + "; "
              + (put - later)
              + " records were put before it, and "
              + later
              + " from later lines of its batch");
    }

    CliException failedAt(long lineNo, String reason) {
      return new CliException(
          "line " + lineNo + ": " + reason + "; " + put + " records were put before it");
    }
  }

  private List<Entry> putOnce(SluiceClient client, List<Entry> entries) {
    ObjectNode body = SluiceClient.object().put("StreamName", stream);
    ArrayNode records = body.putArray("Records");
    for (Entry e : entries) {
      records.addObject().put("PartitionKey", e.key()).put("Data", base64(e.data()));
    }
    JsonNode r = client.kinesis("PutRecords", body);
    if (r.path("FailedRecordCount").asInt() == 0) {
      return List.of();
    }
    List<Entry> failed = new ArrayList<>();
    JsonNode results = r.path("Records");
    for (int i = 0; i < entries.size(); i++) {
      if (results.path(i).hasNonNull("ErrorCode")) {
        failed.add(entries.get(i));
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
    return base64(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String base64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  private static String cut(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "..." : s;
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
