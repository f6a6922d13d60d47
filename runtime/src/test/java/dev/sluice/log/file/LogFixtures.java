package dev.sluice.log.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.log.AppendResult;
import dev.sluice.log.LogListener;
import dev.sluice.log.LogRecord;
import dev.sluice.log.NewRecord;
import dev.sluice.log.ReadResult;
import dev.sluice.log.ShardRef;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Helpers shared by the engine tests. */
final class LogFixtures {

  static final ShardRef SHARD = new ShardRef("orders", "shardId-000000000000");

  private LogFixtures() {}

  static FileLogEngine start(Path dir, FileLogOptions options, Clock clock, LogListener l) {
    FileLogEngine engine = new FileLogEngine(dir, options, clock, l);
    engine.start();
    return engine;
  }

  static FileLogOptions small(long segmentBytes) {
    return FileLogOptions.defaults().withSegmentBytes(segmentBytes).withIndexIntervalBytes(64);
  }

  static <T> T await(CompletableFuture<T> f) {
    try {
      return f.get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static NewRecord record(String key, String data) {
    return new NewRecord(key, data.getBytes(StandardCharsets.UTF_8));
  }

  /** The payload the fixtures write at an offset, so reads can be checked anywhere. */
  static String payload(long offset) {
    return "value-" + offset + "-" + "x".repeat((int) (offset % 37));
  }

  /** Appends {@code batches} batches of {@code perBatch} records whose data is {@link #payload}. */
  static List<AppendResult> fill(FileLogEngine engine, ShardRef shard, int batches, int perBatch) {
    List<AppendResult> results = new ArrayList<>();
    for (int b = 0; b < batches; b++) {
      long base = engine.offsets(shard).endOffset();
      List<NewRecord> records = new ArrayList<>();
      for (int i = 0; i < perBatch; i++) {
        records.add(record("key-" + (base + i), payload(base + i)));
      }
      results.add(await(engine.append(shard, records)));
    }
    return results;
  }

  static String text(LogRecord r) {
    return new String(r.data(), StandardCharsets.UTF_8);
  }

  /** Checks the records are consecutive from {@code from} and carry the fixture payloads. */
  static void assertPayloads(List<LogRecord> records, long from) {
    for (int i = 0; i < records.size(); i++) {
      LogRecord r = records.get(i);
      assertThat(r.offset()).isEqualTo(from + i);
      assertThat(text(r)).isEqualTo(payload(r.offset()));
      assertThat(r.partitionKey()).isEqualTo("key-" + r.offset());
    }
  }

  /** Reads the whole shard from {@code from} on, following nextOffset. */
  static List<LogRecord> readAll(FileLogEngine engine, ShardRef shard, long from, int step) {
    List<LogRecord> all = new ArrayList<>();
    long next = from;
    while (true) {
      ReadResult r = await(engine.read(shard, next, step, Long.MAX_VALUE));
      all.addAll(r.records());
      if (r.records().isEmpty()) {
        return all;
      }
      next = r.nextOffset();
    }
  }

  static List<Path> files(Path dir, String suffix) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
    }
  }

  /** Encoded size of a batch, as described in the Segment javadoc. */
  static long batchSize(List<NewRecord> records) {
    long size = BatchFormat.HEADER_SIZE;
    for (NewRecord r : records) {
      size += 6 + r.partitionKey().getBytes(StandardCharsets.UTF_8).length + r.data().length;
    }
    return size;
  }

  /** End positions of the batches in a segment file, walking the length fields. */
  static List<Long> batchEnds(Path segment) throws IOException {
    List<Long> ends = new ArrayList<>();
    try (RandomAccessFile raf = new RandomAccessFile(segment.toFile(), "r")) {
      long pos = 0;
      while (pos < raf.length()) {
        raf.seek(pos);
        pos += 4 + raf.readInt();
        ends.add(pos);
      }
    }
    return ends;
  }

  /** Changes the byte at {@code position}, as bit rot would. */
  static void flip(Path file, long position) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(position);
      int b = raf.read();
      raf.seek(position);
      raf.write(b ^ 0x5A);
    }
  }
}
