package dev.sluice.kinesis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.log.LogEngine;
import dev.sluice.log.LogRecord;
import dev.sluice.log.ReadResult;
import dev.sluice.log.ShardOffsets;
import dev.sluice.log.ShardRef;
import dev.sluice.stream.HashKeys;
import dev.sluice.stream.SequenceNumbers;
import dev.sluice.stream.Shard;
import dev.sluice.stream.StreamAppender;
import dev.sluice.stream.StreamAppender.Entry;
import dev.sluice.stream.StreamAppender.Outcome;
import dev.sluice.stream.StreamCatalog;
import dev.sluice.stream.StreamLimits;
import dev.sluice.stream.StreamMeta;
import java.math.BigInteger;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/** Writing and reading records: PutRecord, PutRecords, GetShardIterator, GetRecords. */
final class RecordOperations {

  private static final Set<String> ITERATOR_TYPES =
      Set.of(
          "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "AT_TIMESTAMP", "TRIM_HORIZON", "LATEST");

  static final int MAX_RECORD_BYTES = StreamLimits.MAX_RECORD_BYTES;
  static final int MAX_PUT_RECORDS = 500;
  static final int MAX_PUT_RECORDS_BYTES = 5 * 1024 * 1024;
  static final long MAX_GET_BYTES = 10L * 1024 * 1024;

  /** Kinesis's model pattern for a sequence number in a request. */
  private static final Pattern SEQUENCE_PATTERN = Pattern.compile("0|[1-9]\\d{0,128}");

  private final StreamCatalog catalog;
  private final StreamAppender appender;
  private final LogEngine engine;
  private final Tokens tokens;
  private final RecordMetrics metrics;
  private final Clock clock;

  RecordOperations(
      StreamCatalog catalog,
      StreamAppender appender,
      LogEngine engine,
      Tokens tokens,
      RecordMetrics metrics,
      Clock clock) {
    this.catalog = catalog;
    this.appender = appender;
    this.engine = engine;
    this.tokens = tokens;
    this.metrics = metrics;
    this.clock = clock;
  }

  void register(Map<String, Operation> ops) {
    ops.put("PutRecord", this::putRecord);
    ops.put("PutRecords", this::putRecords);
    ops.put("GetShardIterator", this::getShardIterator);
    ops.put("GetRecords", this::getRecords);
  }

  private CompletionStage<ObjectNode> putRecord(KinesisRequest r) {
    String stream = r.streamName();
    Entry entry = entry(r.body(), "");
    String ordering = r.string("SequenceNumberForOrdering");
    if (ordering != null && !SequenceNumbers.isWellFormed(ordering)) {
      throw KinesisException.validation(
          "sequenceNumberForOrdering",
          ordering,
          "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128})");
    }
    return append(stream, List.of(entry), r)
        .thenApply(
            outcomes -> {
              Outcome o = outcomes.get(0);
              if (!o.ok()) {
                throw new KinesisException(
                    StreamAppender.THROUGHPUT_EXCEEDED.equals(o.errorCode())
                        ? KinesisError.ProvisionedThroughputExceededException
                        : KinesisError.InternalFailureException,
                    o.errorMessage());
              }
              ObjectNode out = KinesisRequest.newObject();
              out.put("ShardId", o.shardId());
              out.put("SequenceNumber", o.sequenceNumber());
              out.put("EncryptionType", "NONE");
              return out;
            });
  }

  private CompletionStage<ObjectNode> putRecords(KinesisRequest r) {
    String stream = r.streamName();
    ArrayNode records = r.array("Records");
    if (records == null || records.isEmpty() || records.size() > MAX_PUT_RECORDS) {
      throw KinesisException.validation(
          "records",
          records == null ? "null" : records.size() + " records",
          "Member must have length "
              + (records == null || records.isEmpty()
                  ? "greater than or equal to 1"
                  : "less than or equal to " + MAX_PUT_RECORDS));
    }
    List<Entry> entries = new ArrayList<>(records.size());
    long total = 0;
    for (int i = 0; i < records.size(); i++) {
      Entry e = entry(records.get(i), "records." + (i + 1) + ".member.");
      entries.add(e);
      total += e.data().length + LogRecord.utf8Length(e.partitionKey()); // bytes, as AWS counts
    }
    if (total > MAX_PUT_RECORDS_BYTES) {
      throw KinesisException.invalid(
          "Records size exceeds " + MAX_PUT_RECORDS_BYTES + " bytes (5 MiB): " + total + " bytes.");
    }
    return append(stream, entries, r).thenApply(RecordOperations::putRecordsResponse);
  }

  private static ObjectNode putRecordsResponse(List<Outcome> outcomes) {
    ObjectNode out = KinesisRequest.newObject();
    ArrayNode results = KinesisRequest.newObject().arrayNode(outcomes.size());
    int failed = 0;
    for (Outcome o : outcomes) {
      ObjectNode n = results.addObject();
      if (o.ok()) {
        n.put("SequenceNumber", o.sequenceNumber());
        n.put("ShardId", o.shardId());
      } else {
        failed++;
        n.put("ErrorCode", o.errorCode());
        n.put("ErrorMessage", o.errorMessage());
      }
    }
    out.put("FailedRecordCount", failed);
    out.set("Records", results);
    out.put("EncryptionType", "NONE");
    return out;
  }

  private CompletableFuture<List<Outcome>> append(
      String stream, List<Entry> entries, KinesisRequest r) {
    return appender
        .append(stream, entries)
        .thenApplyAsync(
            outcomes -> {
              metrics.recordsIn(stream, entries, outcomes);
              return outcomes;
            },
            r.eventLoop());
  }

  private static Entry entry(JsonNode n, String prefix) {
    if (!n.isObject()) {
      throw new KinesisException(
          KinesisError.SerializationException, "Each record must be a structure.");
    }
    JsonNode keyNode = n.get("PartitionKey");
    if (keyNode == null || keyNode.isNull()) {
      throw KinesisException.validation(prefix + "partitionKey", "null", "Member must not be null");
    }
    if (!keyNode.isTextual()) { // a number or an object is no string to AWS either
      throw new KinesisException(
          KinesisError.SerializationException, "Expected PartitionKey to be a string.");
    }
    String key = KinesisRequest.unicode(keyNode.textValue(), "PartitionKey");
    if (key.isEmpty() || key.codePointCount(0, key.length()) > 256) {
      throw KinesisException.validation(
          prefix + "partitionKey", key, "Member must have length between 1 and 256");
    }
    byte[] data = KinesisRequest.blob(n.get("Data"), "Data");
    if (data == null) {
      throw KinesisException.validation(prefix + "data", "null", "Member must not be null");
    }
    if (data.length > MAX_RECORD_BYTES) {
      throw KinesisException.validation(
          prefix + "data",
          "java.nio.HeapByteBuffer[pos=0 lim=" + data.length + "]",
          "Member must have length less than or equal to " + MAX_RECORD_BYTES);
    }
    int keyBytes = LogRecord.utf8Length(key);
    if (data.length + keyBytes > MAX_RECORD_BYTES) {
      throw KinesisException.invalid(
          "The size of "
              + (prefix.isEmpty()
                  ? "the record"
                  : "the record at " + prefix.replaceFirst("\\.$", ""))
              + ", its data and partition key together ("
              + (data.length + keyBytes)
              + " bytes), exceeds the limit of "
              + MAX_RECORD_BYTES
              + " bytes.");
    }
    return new Entry(key, hashKey(n.get("ExplicitHashKey"), key, prefix), data);
  }

  private static BigInteger hashKey(JsonNode explicit, String partitionKey, String prefix) {
    if (explicit == null || explicit.isNull()) {
      return HashKeys.ofPartitionKey(partitionKey);
    }
    if (!explicit.isTextual()) {
      throw new KinesisException(
          KinesisError.SerializationException, "Expected ExplicitHashKey to be a string.");
    }
    if (!HashKeys.isDecimal(explicit.asText())) {
      throw KinesisException.validation(
          prefix + "explicitHashKey",
          explicit.asText(),
          "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})");
    }
    BigInteger key = HashKeys.parse(explicit.asText());
    if (key == null) {
      throw KinesisException.invalid(
          "Invalid "
              + prefix
              + "ExplicitHashKey "
              + explicit.asText()
              + ". ExplicitHashKey must be an integer in the range [0, 2^128-1].");
    }
    return key;
  }

  private CompletionStage<ObjectNode> getShardIterator(KinesisRequest r) {
    String stream = r.streamName();
    String shardId = r.shardId("ShardId", true);
    String type = r.requireString("ShardIteratorType");
    if (!ITERATOR_TYPES.contains(type)) { // AWS checks the request before looking anything up
      throw KinesisException.validation(
          "shardIteratorType",
          type,
          "Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, AT_SEQUENCE_NUMBER,"
              + " AT_TIMESTAMP, TRIM_HORIZON, LATEST]");
    }
    checkSequenceShape(r.string("StartingSequenceNumber"));
    r.timestampMillis("Timestamp"); // of the right type, though not asked for yet
    StreamMeta meta = catalog.require(stream);
    Shard shard = shard(meta, shardId);
    ShardRef ref = new ShardRef(stream, shardId);
    return startOffset(r, type, new Target(meta.createdMillis(), shard, ref))
        .thenApply(
            offset -> {
              ObjectNode out = KinesisRequest.newObject();
              out.put(
                  "ShardIterator",
                  tokens.iterator(
                      new Tokens.Position(stream, meta.createdMillis(), shardId, offset)));
              return out;
            });
  }

  /** The shard an iterator is asked for, in the stream created at {@code generation}. */
  private record Target(long generation, Shard shard, ShardRef ref) {}

  private CompletionStage<Long> startOffset(KinesisRequest r, String type, Target to) {
    ShardRef ref = to.ref();
    ShardOffsets offsets = engine.offsets(ref);
    if (!type.endsWith("_SEQUENCE_NUMBER") && r.node("StartingSequenceNumber") != null) {
      throw KinesisException.invalid(
          "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and"
              + " StartingSequenceNumber or (2) TRIM_HORIZON or LATEST or AT_TIMESTAMP and no"
              + " StartingSequenceNumber. Request specified "
              + type
              + " and also a StartingSequenceNumber.");
    }
    switch (type) {
      case "TRIM_HORIZON":
        return CompletableFuture.completedFuture(offsets.startOffset());
      case "LATEST":
        // asked of the storage: with Kafka storage other nodes' appends may be past this view
        return engine.currentOffsets(ref).thenApply(ShardOffsets::endOffset);
      case "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER":
        return sequenceStart(r, type.equals("AFTER_SEQUENCE_NUMBER"), to, offsets);
      case "AT_TIMESTAMP":
        Long ts = r.timestampMillis("Timestamp");
        if (ts == null) {
          throw KinesisException.invalid(
              "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.");
        }
        long now = clock.millis();
        if (ts > now) {
          throw KinesisException.invalid(
              "The timestampInMillis parameter cannot be greater than the"
                  + " currentTimestampInMillis. timestampInMillis: "
                  + ts
                  + ", currentTimestampInMillis: "
                  + now);
        }
        return engine.offsetForTimestamp(ref, ts);
      default:
        throw new IllegalStateException("unchecked iterator type " + type);
    }
  }

  /**
   * Where an AT or AFTER_SEQUENCE_NUMBER iterator starts. A number past this node's view of the end
   * may have come from another node sharing Kafka storage (a put through it, say behind a load
   * balancer): the end is then asked for before the number is refused as not from this shard.
   */
  private CompletionStage<Long> sequenceStart(
      KinesisRequest r, boolean after, Target to, ShardOffsets offsets) {
    String seq = r.string("StartingSequenceNumber");
    long offset = sequenceOffset(seq, to);
    ShardRef ref = to.ref();
    CompletionStage<ShardOffsets> known =
        offset < offsets.endOffset()
            ? CompletableFuture.completedFuture(offsets)
            : engine.currentOffsets(ref);
    return known.thenApply(
        o -> {
          if (offset > o.endOffset()) {
            throw notFromShard(seq, to.shard(), ref);
          }
          // AT the shard's StartingSequenceNumber (offset -1) is its first record; AFTER is never
          // past the end: after a number not issued yet (an empty shard's StartingSequenceNumber)
          // the next record appended is the first one after it
          return after ? Math.min(offset + 1, o.endOffset()) : Math.max(0, offset);
        });
  }

  /**
   * The offset {@code seq} names in the target shard, checked for form, shard and stream
   * generation: a number of a stream deleted and created again under the same name is not one of
   * the new stream's.
   */
  private static long sequenceOffset(String seq, Target to) {
    if (seq == null) {
      throw KinesisException.invalid(
          "StartingSequenceNumber must be given for iterator types AT_SEQUENCE_NUMBER and AFTER_SEQUENCE_NUMBER.");
    }
    SequenceNumbers.Decoded d = SequenceNumbers.decode(seq);
    if (d == null || !d.isOf(to.generation(), to.shard().ordinal())) {
      throw notFromShard(seq, to.shard(), to.ref());
    }
    return d.offset();
  }

  private static void checkSequenceShape(String seq) {
    if (seq != null && !SEQUENCE_PATTERN.matcher(seq).matches()) {
      throw KinesisException.validation(
          "startingSequenceNumber",
          seq,
          "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128})");
    }
  }

  private static KinesisException notFromShard(String seq, Shard shard, ShardRef ref) {
    return KinesisException.invalid(
        "StartingSequenceNumber "
            + seq
            + " used in GetShardIterator on shard "
            + shard.id()
            + " in stream "
            + ref.stream()
            + " is invalid because it did not come from this shard.");
  }

  private CompletionStage<ObjectNode> getRecords(KinesisRequest r) {
    String iterator = r.requireString("ShardIterator");
    int limit = r.integer("Limit", 1, 10_000, 10_000, KinesisError.InvalidArgumentException);
    Tokens.Position pos = tokens.readIterator(iterator);
    StreamMeta meta = catalog.require(pos.stream());
    if (meta.createdMillis() != pos.streamCreatedMillis()) {
      throw new KinesisException(
          KinesisError.ResourceNotFoundException,
          "Shard "
              + pos.shardId()
              + " of the stream "
              + pos.stream()
              + " this iterator was issued for does not exist: the stream was deleted and"
              + " created again since.");
    }
    Shard shard = shard(meta, pos.shardId());
    ShardRef ref = new ShardRef(pos.stream(), pos.shardId());
    return engine
        .read(ref, pos.offset(), limit, MAX_GET_BYTES)
        .thenApply(read -> recordsResponse(r, meta, shard, pos, read));
  }

  private ObjectNode recordsResponse(
      KinesisRequest r, StreamMeta meta, Shard shard, Tokens.Position pos, ReadResult read) {
    ObjectNode out = KinesisRequest.newObject();
    ArrayNode records = out.putArray("Records");
    long lastArrival = -1;
    for (LogRecord rec : read.records()) {
      ObjectNode n = records.addObject();
      n.put("SequenceNumber", shard.sequenceNumber(meta.createdMillis(), rec.offset()));
      n.set("ApproximateArrivalTimestamp", r.wire().timestamp(rec.arrivalMillis()));
      n.set("Data", new BinaryNode(rec.data()));
      n.put("PartitionKey", rec.partitionKey());
      lastArrival = rec.arrivalMillis();
    }
    // a provisional end may still grow: until it settles, the iterator goes on
    boolean closedAndDone = shard.isClosedForGood() && read.nextOffset() >= shard.endOffset();
    if (closedAndDone) {
      out.putNull("NextShardIterator");
      ArrayNode children = out.putArray("ChildShards");
      meta.children(shard.id()).forEach(c -> children.add(Json.childShard(c)));
    } else {
      out.put(
          "NextShardIterator",
          tokens.iterator(
              new Tokens.Position(
                  pos.stream(), pos.streamCreatedMillis(), pos.shardId(), read.nextOffset())));
    }
    // as Kinesis: how far behind the current time the last record returned is, so a consumer of
    // an old backlog sees its lag although nothing new arrives; 0 once it is caught up
    long behind = read.atEnd() || lastArrival < 0 ? 0 : Math.max(0, clock.millis() - lastArrival);
    out.put("MillisBehindLatest", behind);
    metrics.recordsOut(pos.stream(), read.records().size());
    return out;
  }

  private static Shard shard(StreamMeta meta, String shardId) {
    return meta.shard(shardId)
        .orElseThrow(
            () ->
                KinesisException.notFound(
                    "Shard " + shardId + " in stream " + meta.name() + " does not exist."));
  }
}
