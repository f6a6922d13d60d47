package dev.sluice.log.file;

import dev.sluice.log.AppendResult;
import dev.sluice.log.NewRecord;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** One append waiting for its writer thread: the encoded batch and the caller's future. */
final class AppendTask {

  final ShardLog log;
  final ByteBuffer batch;
  final List<NewRecord> records;
  final CompletableFuture<AppendResult> future = new CompletableFuture<>();
  private long baseOffset;
  private long arrivalMillis;

  AppendTask(ShardLog log, ByteBuffer batch, List<NewRecord> records) {
    this.log = log;
    this.batch = batch;
    this.records = records;
  }

  int count() {
    return records.size();
  }

  int bytes() {
    return batch.limit();
  }

  /** Records the place the writer gave the batch. */
  void assign(long baseOffset, long arrivalMillis) {
    this.baseOffset = baseOffset;
    this.arrivalMillis = arrivalMillis;
  }

  long baseOffset() {
    return baseOffset;
  }

  long arrivalMillis() {
    return arrivalMillis;
  }

  AppendResult result() {
    return new AppendResult(baseOffset, count(), arrivalMillis);
  }
}
