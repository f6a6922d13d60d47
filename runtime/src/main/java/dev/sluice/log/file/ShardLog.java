package dev.sluice.log.file;

import dev.sluice.log.LogException;
import dev.sluice.log.ShardNotFoundException;
import dev.sluice.log.ShardOffsets;
import dev.sluice.log.ShardRef;
import dev.sluice.log.ShardSealedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;

/**
 * The log of one shard: its segments by base offset and its offsets.
 *
 * <p>All changes run on the shard's writer thread, in the order they were submitted. Appends are
 * group-committed: the writer {@link #stage}s every append it drained, then calls {@link #flush},
 * {@link #sync} and {@link #finish} on each shard involved. Readers use {@link #offsets} and the
 * segment map, both of which change only once data is durable.
 */
final class ShardLog {

  private static final System.Logger LOG = System.getLogger(ShardLog.class.getName());

  private final ShardRef ref;
  private final Path dir;
  private final EngineContext ctx;
  private final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private volatile ShardOffsets offsets = new ShardOffsets(0, 0, -1, false);
  private volatile boolean deleted;
  private volatile LogException unusable;

  // Writer thread only.
  private Segment active;
  private long writeEnd;
  private long writeArrival = -1;
  private boolean sealed;
  private LogException broken;
  private LogException failure;
  private final List<AppendTask> staged = new ArrayList<>();
  private final List<Segment> touched = new ArrayList<>();
  private final List<Segment> created = new ArrayList<>();

  ShardLog(ShardRef ref, Path dir, EngineContext ctx) {
    this.ref = ref;
    this.dir = dir;
    this.ctx = ctx;
  }

  ShardRef ref() {
    return ref;
  }

  /** Completes once the shard's files are open. */
  CompletableFuture<Void> ready() {
    return ready;
  }

  /**
   * The shard's offsets.
   *
   * @throws LogException when the shard's files could not be opened
   */
  ShardOffsets offsets() {
    if (deleted) {
      throw new ShardNotFoundException(ref); // a read queued before the deletion ran
    }
    checkUsable();
    return offsets;
  }

  /**
   * Keeps a shard whose files failed to open known to the engine but unusable: every operation but
   * deletion fails, naming the cause, so that one damaged shard does not stop the others.
   */
  void markUnusable(Exception cause) {
    unusable =
        new LogException(
            "shard " + ref + " is unusable: its log failed to open: " + cause.getMessage(), cause);
    ready.complete(null);
  }

  private void checkUsable() {
    LogException u = unusable;
    if (u != null) {
      // a fresh exception per call, so that each failure carries its own stack
      throw new LogException(u.getMessage(), u.getCause());
    }
  }

  boolean isDeleted() {
    return deleted;
  }

  // ---- opening ----

  /**
   * Creates the shard's directory, empty, and opens it. A directory already there is what a
   * deletion that failed half way left (no open shard has this name): its records are an old
   * shard's, which the new one must neither serve nor continue the offsets of.
   */
  void create() throws IOException {
    if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      LogLayout.deleteTree(dir); // anything else in the way fails the creation below
    }
    synchronized (ctx.dirLock()) {
      Files.createDirectories(dir);
    }
    open(); // which syncs the new directory's entry, before any append
  }

  /**
   * Opens the segments in the shard's directory: earlier ones are loaded as they are, the last one
   * is {@linkplain Segment#recover recovered}. An empty directory becomes an empty shard.
   */
  void open() throws IOException {
    TreeMap<Long, Path> bases = listSegments();
    dropEmptyLast(bases);
    List<Segment> opened = new ArrayList<>();
    try {
      if (bases.isEmpty()) {
        opened.add(Segment.create(dir, 0, indexInterval(), ctx.opener()));
        LogLayout.syncDir(dir, ctx.opener());
        // a new shard's directory entry, or one whose create was killed before it synced it:
        // records acknowledged in it must not be lost with that entry
        LogLayout.syncDir(dir.getParent(), ctx.opener());
        LogLayout.syncDir(ctx.root(), ctx.opener());
      }
      for (long base : bases.keySet()) {
        opened.add(openSegment(base, base == bases.lastKey()));
      }
      checkContiguous(opened);
    } catch (IOException | RuntimeException e) {
      opened.forEach(ShardLog::closeQuietly);
      throw e;
    }
    opened.forEach(s -> segments.put(s.baseOffset(), s));
    active = segments.lastEntry().getValue();
    writeEnd = active.endOffset();
    writeArrival =
        segments.descendingMap().values().stream()
            .mapToLong(Segment::committedMaxTimestamp)
            .filter(t -> t >= 0)
            .findFirst()
            .orElse(-1);
    offsets = new ShardOffsets(segments.firstKey(), writeEnd, writeArrival, false);
    ready.complete(null);
  }

  private Segment openSegment(long base, boolean last) throws IOException {
    Segment s = Segment.open(dir, base, indexInterval(), ctx.opener());
    try {
      if (!last) {
        s.load();
        return s;
      }
      Segment.Cut cut = s.recover();
      if (cut != null) {
        LOG.log(System.Logger.Level.WARNING, "shard {0}: {1}", ref, cut.describe());
      }
      return s;
    } catch (IOException | RuntimeException e) {
      closeQuietly(s);
      throw e;
    }
  }

  /**
   * Removes an empty last segment after others: it holds no record, only a roll that a crash
   * interrupted or whose removal did not last (a roll taken back, after which the segment before it
   * took more appends and so ends past its start). The one before goes on as the active one.
   */
  private void dropEmptyLast(TreeMap<Long, Path> bases) throws IOException {
    if (bases.size() < 2 || Files.size(bases.lastEntry().getValue()) > 0) {
      return;
    }
    Map.Entry<Long, Path> last = bases.pollLastEntry();
    Path index = dir.resolve(LogLayout.segmentFile(last.getKey(), Segment.indexSuffix()));
    Files.deleteIfExists(index);
    Files.delete(last.getValue());
    LogLayout.syncDir(dir, ctx.opener());
    LOG.log(
        System.Logger.Level.INFO,
        "shard {0}: removed the empty last segment {1}",
        ref,
        last.getValue().getFileName());
  }

  /** Log files by base offset; removes leftovers (temporary files, indexes without a log). */
  private TreeMap<Long, Path> listSegments() throws IOException {
    TreeMap<Long, Path> logs = new TreeMap<>();
    List<Path> indexes = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.toList()) {
        String name = p.getFileName().toString();
        long logBase = LogLayout.baseOffsetOf(name, Segment.logSuffix());
        if (logBase >= 0) {
          logs.put(logBase, p);
        } else if (LogLayout.baseOffsetOf(name, Segment.indexSuffix()) >= 0) {
          indexes.add(p);
        } else if (name.endsWith(".tmp")) {
          Files.deleteIfExists(p);
        }
      }
    }
    for (Path index : indexes) {
      long base = LogLayout.baseOffsetOf(index.getFileName().toString(), Segment.indexSuffix());
      if (!logs.containsKey(base)) {
        Files.deleteIfExists(index);
      }
    }
    return logs;
  }

  private void checkContiguous(List<Segment> opened) {
    for (int i = 1; i < opened.size(); i++) {
      Segment prev = opened.get(i - 1);
      if (prev.committedEnd() != opened.get(i).baseOffset()) {
        throw new LogException(
            "shard "
                + ref
                + ": segment "
                + prev
                + " ends at "
                + prev.committedEnd()
                + " but the next one starts at "
                + opened.get(i).baseOffset());
      }
    }
  }

  // ---- appending (writer thread) ----

  /**
   * Gives the append its offsets and queues its batch; rejects it when the shard cannot take it.
   */
  void stage(AppendTask t) {
    LogException rejected = rejection();
    if (rejected != null) {
      t.future.completeExceptionally(rejected);
      return;
    }
    try {
      if (shouldRoll(t)) {
        roll();
      }
    } catch (IOException e) {
      failure = new LogException("cannot roll a segment of shard " + ref, e);
      t.future.completeExceptionally(failure);
      return;
    }
    long arrival = Math.max(ctx.clock().millis(), writeArrival);
    BatchFormat.stamp(t.batch, writeEnd, arrival);
    t.assign(writeEnd, arrival);
    active.stage(t.batch, writeEnd, t.count(), arrival);
    if (!touched.contains(active)) {
      touched.add(active);
    }
    writeEnd += t.count();
    writeArrival = arrival;
    staged.add(t);
  }

  private LogException rejection() {
    if (deleted) {
      return new ShardNotFoundException(ref);
    }
    if (unusable != null) {
      return new LogException(unusable.getMessage(), unusable.getCause());
    }
    if (sealed) {
      return new ShardSealedException(ref);
    }
    if (broken != null) {
      return broken;
    }
    if (failure != null) {
      return failure;
    }
    return active == null ? new LogException("shard " + ref + " is not open") : null;
  }

  private boolean shouldRoll(AppendTask t) {
    if (active.size() == 0) {
      return false;
    }
    boolean full = active.size() + t.bytes() > ctx.options().segmentBytes();
    // Index entries hold 32-bit relative offsets.
    boolean offsetsExhausted = writeEnd + t.count() - active.baseOffset() > Integer.MAX_VALUE;
    return full || offsetsExhausted;
  }

  /**
   * Starts a new segment. The old one is written and synced completely first (index included), so
   * that only the last segment of a shard can ever hold a torn write.
   */
  private void roll() throws IOException {
    active.flush();
    ctx.reportSync(active.sync());
    active.syncIndex();
    Segment next = Segment.create(dir, writeEnd, indexInterval(), ctx.opener());
    segments.put(writeEnd, next);
    created.add(next);
    active = next;
    LogLayout.syncDir(dir, ctx.opener());
  }

  /** Writes the staged batches. */
  void flush() {
    if (failure != null) {
      return;
    }
    try {
      for (Segment s : touched) {
        s.flush();
      }
    } catch (IOException e) {
      failure = new LogException("cannot write to shard " + ref, e);
    }
  }

  /** Syncs what {@link #flush} wrote. */
  void sync() {
    if (failure != null) {
      return;
    }
    try {
      for (Segment s : touched) {
        ctx.reportSync(s.sync());
      }
    } catch (IOException e) {
      failure = new LogException("cannot sync shard " + ref, e);
    }
  }

  /**
   * Ends a group commit: publishes the synced appends and completes their futures, or, when
   * anything failed, truncates the files back to the last commit and fails them.
   */
  void finish() {
    try {
      if (failure != null) {
        LogException cause = failure;
        rollback();
        staged.forEach(t -> t.future.completeExceptionally(cause));
      } else if (!staged.isEmpty()) {
        publish();
      }
    } finally {
      staged.clear();
      touched.clear();
      created.clear();
      failure = null;
    }
  }

  /** Fails and rolls back the current group commit. */
  void abort(LogException cause) {
    if (failure == null) {
      failure = cause;
    }
    finish();
  }

  private void publish() {
    touched.forEach(Segment::publish);
    ShardOffsets o = offsets;
    offsets = new ShardOffsets(o.startOffset(), writeEnd, writeArrival, sealed);
    for (AppendTask t : staged) {
      ctx.hot().put(this, t);
      try {
        ctx.listener().onAppend(ref, t.count(), t.bytes(), t.baseOffset() + t.count() - 1);
      } catch (RuntimeException e) {
        // metrics are not worth failing an append for
      }
      t.future.complete(t.result());
    }
  }

  private void rollback() {
    try {
      // newest first: stopped half way (a failed delete, a crash), the segments left still
      // follow one another, and a start can recover the last of them
      for (int i = created.size() - 1; i >= 0; i--) {
        Segment s = created.get(i);
        segments.remove(s.baseOffset());
        s.delete();
      }
      if (!created.isEmpty()) {
        // the removals made durable like the truncations below: after a crash a truncated
        // segment followed by one that should be gone would leave a gap the next start refuses
        LogLayout.syncDir(dir, ctx.opener());
      }
      for (Segment s : touched) {
        if (!created.contains(s)) {
          s.revert();
        }
      }
      active = segments.lastEntry().getValue();
      writeEnd = offsets.endOffset();
      writeArrival = offsets.lastArrivalMillis();
    } catch (IOException | RuntimeException e) {
      broken = new LogException("shard " + ref + " is unusable after a failed write", e);
    }
  }

  /**
   * Takes back a roll that failed on its own (in a retention pass), before any batch went into the
   * new segment: left active, it would take appends acknowledged before its directory entry was
   * ever synced. A shard whose files cannot be put back is broken, as after a failed write.
   */
  private void undoRoll() {
    try {
      for (Segment s : created) {
        segments.remove(s.baseOffset());
        s.delete();
      }
      // no directory sync (the disk just failed one): should the removal not last, a start
      // drops an empty last segment (dropEmptyLast), wherever the old one now ends
      active = segments.lastEntry().getValue();
    } catch (IOException | RuntimeException e) {
      broken = new LogException("shard " + ref + " is unusable after a failed roll", e);
    }
  }

  // ---- other changes (writer thread) ----

  /**
   * Seals the shard; returns its end offset. Syncs first a truncation of a failed batch that no
   * sync has covered yet: sealed, the shard takes no append whose sync would, and the batch could
   * come back after a power loss past the end reported here.
   */
  long seal() throws IOException {
    if (deleted) {
      throw new ShardNotFoundException(ref);
    }
    checkUsable();
    if (broken == null) {
      // broken: the failed batch may still be in the file, which a sync would make durable
      active.sync();
    }
    sealed = true;
    ShardOffsets o = offsets;
    offsets = new ShardOffsets(o.startOffset(), o.endOffset(), o.lastArrivalMillis(), true);
    return o.endOffset();
  }

  /**
   * Deletes the oldest segments whose records all arrived before the cutoff, the active one too
   * when that is so for all of its records (it is rolled first); returns the new start offset. An
   * unusable shard, or one broken by a failed write, keeps its files and returns 0: failing here
   * failed the retention pass over every stream, not just this shard.
   */
  long trim(long cutoffMillis) throws IOException {
    if (deleted) {
      throw new ShardNotFoundException(ref);
    }
    if (unusable != null || broken != null) {
      // broken: the active segment still holds a failed batch that a roll would make durable,
      // and the next segment would start after offsets never acknowledged
      return 0;
    }
    if (active.size() > 0 && active.committedMaxTimestamp() < cutoffMillis) {
      // every record of the active segment is past retention: segments roll by size only, so
      // on a shard written to no more they would stay readable for ever unless it rolls here
      // (nothing is staged between group commits, so the roll is complete at once)
      try {
        roll();
      } catch (IOException | RuntimeException e) {
        undoRoll();
        throw e;
      } finally {
        created.clear();
      }
    }
    List<Segment> expired = new ArrayList<>();
    for (Segment s : segments.values()) {
      if (s == active || s.committedMaxTimestamp() >= cutoffMillis) {
        break;
      }
      expired.add(s);
    }
    if (expired.isEmpty()) {
      return offsets.startOffset();
    }
    long start = segments.higherKey(expired.get(expired.size() - 1).baseOffset());
    ShardOffsets o = offsets;
    // Readers clamp to the start offset, so move it before the files go.
    offsets = new ShardOffsets(start, o.endOffset(), o.lastArrivalMillis(), o.sealed());
    for (Segment s : expired) {
      segments.remove(s.baseOffset());
      s.delete();
    }
    LogLayout.syncDir(dir, ctx.opener());
    return start;
  }

  /** Closes and deletes the shard's files, and its stream's directory when that is now empty. */
  void delete() throws IOException {
    deleted = true;
    segments.values().forEach(ShardLog::closeQuietly);
    segments.clear();
    ctx.hot().invalidate(this);
    LogLayout.deleteTree(dir);
    synchronized (ctx.dirLock()) {
      if (!LogLayout.deleteIfEmpty(dir.getParent())) {
        // the stream keeps other shards: without this a power loss could bring this one back
        LogLayout.syncDir(dir.getParent(), ctx.opener());
      }
    }
    LogLayout.syncDir(ctx.root(), ctx.opener());
  }

  /** Syncs and closes the files; pending appends must have been finished. */
  void close() {
    for (Segment s : segments.values()) {
      try {
        ctx.reportSync(s.sync());
      } catch (IOException e) {
        LOG.log(System.Logger.Level.WARNING, "cannot sync " + s, e);
      }
      closeQuietly(s);
    }
  }

  private static void closeQuietly(Segment s) {
    try {
      s.close();
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot close " + s, e);
    }
  }

  private int indexInterval() {
    return ctx.options().indexIntervalBytes();
  }

  // ---- reader access ----

  /** The segment holding {@code offset}, or the first one when the offset lies below it. */
  Segment segmentFor(long offset) {
    Map.Entry<Long, Segment> e = segments.floorEntry(offset);
    if (e != null) {
      return e.getValue();
    }
    Map.Entry<Long, Segment> first = segments.firstEntry();
    return first == null ? null : first.getValue();
  }

  Segment segmentAt(long baseOffset) {
    return segments.get(baseOffset);
  }

  Segment segmentAfter(Segment s) {
    Map.Entry<Long, Segment> e = segments.higherEntry(s.baseOffset());
    return e == null ? null : e.getValue();
  }

  Collection<Segment> segments() {
    return segments.values();
  }

  @Override
  public String toString() {
    return ref.toString();
  }
}
