package dev.sluice.kinesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.stream.HashKeyRange;
import dev.sluice.stream.HashKeys;
import io.quarkus.test.common.http.TestHTTPResource;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.retry.backoff.FixedDelayBackoffStrategy;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.*;
import software.amazon.awssdk.services.kinesis.waiters.KinesisWaiter;

/**
 * Every Kinesis operation Sluice serves, through the real AWS SDK v2 clients. Subclasses run it
 * once over CBOR (the SDK's default) and once over JSON.
 */
abstract class KinesisSdkContract {

  @TestHTTPResource("/")
  String root;

  SdkClients clients;
  KinesisClient kinesis;
  KinesisWaiter waiter;
  List<String> created = new ArrayList<>();

  abstract boolean cbor();

  @BeforeEach
  void clients() {
    clients = new SdkClients(URI.create(root), cbor());
    kinesis = clients.sync();
    // The SDK's waiters poll every 10 s; Sluice settles in milliseconds.
    waiter =
        KinesisWaiter.builder()
            .client(kinesis)
            .overrideConfiguration(
                c ->
                    c.backoffStrategy(FixedDelayBackoffStrategy.create(Duration.ofMillis(20)))
                        .maxAttempts(500))
            .build();
  }

  @AfterEach
  void encodingWasTheIntendedOne() {
    String expected = cbor() ? "application/x-amz-cbor-1.1" : "application/x-amz-json-1.1";
    assertThat(clients.contentTypes).isNotEmpty().allMatch(expected::equals);
    for (String name : created) {
      try {
        kinesis.deleteStream(b -> b.streamName(name));
      } catch (ResourceNotFoundException alreadyGone) {
        // the test deleted it itself
      } catch (ResourceInUseException notDeletable) {
        // still CREATING (a failed test): the next tests use other names
      }
    }
    kinesis.close();
  }

  String newStream(int shards) {
    String name =
        "s-" + (cbor() ? "cbor-" : "json-") + UUID.randomUUID().toString().substring(0, 8);
    kinesis.createStream(b -> b.streamName(name).shardCount(shards));
    waiter.waitUntilStreamExists(b -> b.streamName(name));
    created.add(name);
    return name;
  }

  StreamDescription describe(String name) {
    return kinesis.describeStream(b -> b.streamName(name)).streamDescription();
  }

  void awaitActive(String name) {
    waiter.waitUntilStreamExists(b -> b.streamName(name));
  }

  List<software.amazon.awssdk.services.kinesis.model.Record> readAll(
      String stream, String shardId) {
    String it =
        kinesis
            .getShardIterator(
                b ->
                    b.streamName(stream)
                        .shardId(shardId)
                        .shardIteratorType(ShardIteratorType.TRIM_HORIZON))
            .shardIterator();
    List<software.amazon.awssdk.services.kinesis.model.Record> out = new ArrayList<>();
    while (it != null) {
      String current = it;
      GetRecordsResponse r = kinesis.getRecords(b -> b.shardIterator(current));
      out.addAll(r.records());
      if (r.records().isEmpty() && r.millisBehindLatest() == 0 && r.nextShardIterator() != null) {
        break;
      }
      it = r.nextShardIterator();
    }
    return out;
  }

  @Test
  void createStream_shardCount_becomesActiveWithEvenContiguousRanges() {
    String name = newStream(3);
    StreamDescription d = describe(name);
    assertThat(d.streamStatus()).isEqualTo(StreamStatus.ACTIVE);
    assertThat(d.streamARN()).isEqualTo("arn:aws:kinesis:us-east-1:000000000000:stream/" + name);
    assertThat(d.retentionPeriodHours()).isEqualTo(24);
    assertThat(d.streamCreationTimestamp())
        .isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(1));
    List<Shard> shards = d.shards();
    assertThat(shards)
        .extracting(Shard::shardId)
        .containsExactly("shardId-000000000000", "shardId-000000000001", "shardId-000000000002");
    BigInteger next = BigInteger.ZERO;
    for (Shard s : shards) {
      assertThat(new BigInteger(s.hashKeyRange().startingHashKey())).isEqualTo(next);
      next = new BigInteger(s.hashKeyRange().endingHashKey()).add(BigInteger.ONE);
    }
    assertThat(next).isEqualTo(BigInteger.ONE.shiftLeft(128));
  }

  @Test
  void createStream_onDemand_startsWithFourShards() {
    assertCreatesOnDemandWithFourShards(
        "od-",
        (b, name) -> b.streamName(name).streamModeDetails(m -> m.streamMode(StreamMode.ON_DEMAND)));
  }

  @Test
  void createStream_neitherShardCountNorMode_startsOnDemandWithFourShards() {
    assertCreatesOnDemandWithFourShards("nm-", (b, name) -> b.streamName(name));
  }

  /** Creates a stream named {@code prefix}-something as {@code request} asks, then checks it. */
  private void assertCreatesOnDemandWithFourShards(
      String prefix, java.util.function.BiConsumer<CreateStreamRequest.Builder, String> request) {
    String name = prefix + UUID.randomUUID().toString().substring(0, 8);
    kinesis.createStream(b -> request.accept(b, name));
    awaitActive(name);
    StreamDescriptionSummary s =
        kinesis.describeStreamSummary(b -> b.streamName(name)).streamDescriptionSummary();
    assertThat(s.openShardCount()).isEqualTo(4);
    assertThat(s.streamModeDetails().streamMode()).isEqualTo(StreamMode.ON_DEMAND);
    kinesis.deleteStream(b -> b.streamName(name));
  }

  @Test
  void createStream_provisionedWithoutShardCount_invalidArgument() {
    String name = "pn-" + UUID.randomUUID().toString().substring(0, 8);
    assertThatThrownBy(
            () ->
                kinesis.createStream(
                    b ->
                        b.streamName(name)
                            .streamModeDetails(m -> m.streamMode(StreamMode.PROVISIONED))))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("ShardCount is required");
  }

  @Test
  void createStream_existingName_resourceInUse() {
    String name = newStream(1);
    assertThatThrownBy(() -> kinesis.createStream(b -> b.streamName(name).shardCount(1)))
        .isInstanceOf(ResourceInUseException.class);
  }

  @Test
  void putRecord_thenGetRecords_roundTripsBytesKeysAndTimestamps() {
    String name = newStream(1);
    byte[] binary = new byte[256];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) i;
    }
    Instant before = Instant.now().minusMillis(5);
    PutRecordResponse put =
        kinesis.putRecord(
            b -> b.streamName(name).partitionKey("order-1").data(SdkBytes.fromByteArray(binary)));
    assertThat(put.shardId()).isEqualTo("shardId-000000000000");
    assertThat(put.encryptionType()).isEqualTo(EncryptionType.NONE);
    var records = readAll(name, put.shardId());
    assertThat(records).hasSize(1);
    var r = records.get(0);
    assertThat(r.data().asByteArray()).isEqualTo(binary);
    assertThat(r.partitionKey()).isEqualTo("order-1");
    assertThat(r.sequenceNumber()).isEqualTo(put.sequenceNumber());
    assertThat(r.approximateArrivalTimestamp()).isBetween(before, Instant.now().plusMillis(5));
  }

  @Test
  void putRecord_partitionKey_goesToTheShardOwningItsMd5() {
    String name = newStream(4);
    List<Shard> shards = describe(name).shards();
    for (int i = 0; i < 20; i++) {
      String key = "order-" + i;
      PutRecordResponse put =
          kinesis.putRecord(
              b -> b.streamName(name).partitionKey(key).data(SdkBytes.fromUtf8String("x")));
      BigInteger hash = HashKeys.ofPartitionKey(key);
      assertThat(put.shardId()).isEqualTo(owner(shards, hash));
    }
  }

  @Test
  void putRecord_explicitHashKey_overridesThePartitionKey() {
    String name = newStream(4);
    List<Shard> shards = describe(name).shards();
    String last = shards.get(3).hashKeyRange().startingHashKey();
    PutRecordResponse put =
        kinesis.putRecord(
            b ->
                b.streamName(name)
                    .partitionKey("a")
                    .explicitHashKey(last)
                    .data(SdkBytes.fromUtf8String("x")));
    assertThat(put.shardId()).isEqualTo(shards.get(3).shardId());
  }

  private static String owner(List<Shard> shards, BigInteger hash) {
    for (Shard s : shards) {
      if (hash.compareTo(new BigInteger(s.hashKeyRange().startingHashKey())) >= 0
          && hash.compareTo(new BigInteger(s.hashKeyRange().endingHashKey())) <= 0) {
        return s.shardId();
      }
    }
    throw new AssertionError("no shard owns " + hash);
  }

  @Test
  void putRecords_500Entries_allWrittenAndReadBackInPerShardOrder() {
    String name = newStream(2);
    List<PutRecordsRequestEntry> entries = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      byte[] data =
          ("order-" + (i % 37) + ":" + i + ":" + "x".repeat(100)).getBytes(StandardCharsets.UTF_8);
      entries.add(
          PutRecordsRequestEntry.builder()
              .partitionKey("order-" + (i % 37))
              .data(SdkBytes.fromByteArray(data))
              .build());
    }
    PutRecordsResponse resp = kinesis.putRecords(b -> b.streamName(name).records(entries));
    assertThat(resp.failedRecordCount()).isZero();
    assertThat(resp.records()).hasSize(500).allMatch(r -> r.sequenceNumber() != null);
    Map<String, List<String>> seqByShard = new HashMap<>();
    resp.records()
        .forEach(
            r ->
                seqByShard
                    .computeIfAbsent(r.shardId(), k -> new ArrayList<>())
                    .add(r.sequenceNumber()));
    int total = 0;
    for (Shard s : describe(name).shards()) {
      var got = readAll(name, s.shardId());
      assertThat(got)
          .extracting(software.amazon.awssdk.services.kinesis.model.Record::sequenceNumber)
          .containsExactlyElementsOf(seqByShard.getOrDefault(s.shardId(), List.of()));
      total += got.size();
      Map<String, Integer> lastIndexPerKey = new HashMap<>();
      for (var r : got) {
        int idx = Integer.parseInt(r.data().asUtf8String().split(":")[1]);
        Integer prev = lastIndexPerKey.put(r.partitionKey(), idx);
        assertThat(prev == null || prev < idx).as("per-key order").isTrue();
      }
    }
    assertThat(total).isEqualTo(500);
  }

  @Test
  void getRecords_largeBatch_returnsEverythingInOneResponse() {
    String name = newStream(1);
    byte[] data = new byte[10_000];
    for (int round = 0; round < 4; round++) {
      List<PutRecordsRequestEntry> entries = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        entries.add(
            PutRecordsRequestEntry.builder()
                .partitionKey("k" + i)
                .data(SdkBytes.fromByteArray(data))
                .build());
      }
      assertThat(kinesis.putRecords(b -> b.streamName(name).records(entries)).failedRecordCount())
          .isZero();
    }
    String it = trimHorizon(name);
    GetRecordsResponse r = kinesis.getRecords(b -> b.shardIterator(it).limit(10_000));
    assertThat(r.records()).hasSize(400);
    assertThat(r.records()).allMatch(rec -> rec.data().asByteArray().length == 10_000);
    assertThat(r.millisBehindLatest()).isZero();
  }

  @Test
  void getRecords_backlogOfOldRecords_millisBehindLatestIsTheirAgeNotTheGapToTheNewest()
      throws InterruptedException {
    String name = newStream(1);
    for (int i = 0; i < 2; i++) {
      kinesis.putRecord(
          b -> b.streamName(name).partitionKey("k").data(SdkBytes.fromUtf8String("x")));
    }
    Thread.sleep(400); // the server's own clock: the records age while nothing new arrives
    String it = trimHorizon(name);

    GetRecordsResponse first = kinesis.getRecords(b -> b.shardIterator(it).limit(1));
    GetRecordsResponse rest =
        kinesis.getRecords(b -> b.shardIterator(first.nextShardIterator()).limit(10));

    assertThat(first.millisBehindLatest()).isGreaterThanOrEqualTo(400);
    assertThat(rest.records()).hasSize(1);
    assertThat(rest.millisBehindLatest()).as("caught up").isZero();
  }

  @Test
  void sequenceNumbers_growStrictlyAsBigIntegers() {
    String name = newStream(1);
    BigInteger prev = BigInteger.valueOf(-1);
    for (int i = 0; i < 10; i++) {
      String seq =
          kinesis
              .putRecord(
                  b -> b.streamName(name).partitionKey("k").data(SdkBytes.fromUtf8String("v")))
              .sequenceNumber();
      assertThat(seq).matches("\\d+");
      BigInteger value = new BigInteger(seq);
      assertThat(value).isGreaterThan(prev);
      prev = value;
    }
  }

  @Test
  void getShardIterator_everyType_startsWhereKinesisDoes() {
    String name = newStream(1);
    String shard = "shardId-000000000000";
    List<String> seqs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int n = i;
      seqs.add(
          kinesis
              .putRecord(
                  b -> b.streamName(name).partitionKey("k").data(SdkBytes.fromUtf8String("r" + n)))
              .sequenceNumber());
    }
    sleep(20);
    Instant between = Instant.now();
    sleep(20);
    seqs.add(
        kinesis
            .putRecord(
                b -> b.streamName(name).partitionKey("k").data(SdkBytes.fromUtf8String("r3")))
            .sequenceNumber());

    assertThat(first(name, shard, b -> b.shardIteratorType(ShardIteratorType.TRIM_HORIZON)))
        .isEqualTo("r0");
    assertThat(
            first(
                name,
                shard,
                b ->
                    b.shardIteratorType(ShardIteratorType.AT_SEQUENCE_NUMBER)
                        .startingSequenceNumber(seqs.get(1))))
        .isEqualTo("r1");
    assertThat(
            first(
                name,
                shard,
                b ->
                    b.shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER)
                        .startingSequenceNumber(seqs.get(1))))
        .isEqualTo("r2");
    assertThat(
            first(
                name,
                shard,
                b -> b.shardIteratorType(ShardIteratorType.AT_TIMESTAMP).timestamp(between)))
        .isEqualTo("r3");
    assertThat(first(name, shard, b -> b.shardIteratorType(ShardIteratorType.LATEST))).isNull();

    String latest =
        kinesis
            .getShardIterator(
                b -> b.streamName(name).shardId(shard).shardIteratorType(ShardIteratorType.LATEST))
            .shardIterator();
    kinesis.putRecord(
        b -> b.streamName(name).partitionKey("k").data(SdkBytes.fromUtf8String("r4")));
    assertThat(kinesis.getRecords(b -> b.shardIterator(latest)).records())
        .extracting(r -> r.data().asUtf8String())
        .containsExactly("r4");
  }

  private String first(
      String stream,
      String shard,
      java.util.function.Consumer<GetShardIteratorRequest.Builder> type) {
    String it =
        kinesis
            .getShardIterator(
                b -> {
                  b.streamName(stream).shardId(shard);
                  type.accept(b);
                })
            .shardIterator();
    var records = kinesis.getRecords(b -> b.shardIterator(it).limit(1)).records();
    return records.isEmpty() ? null : records.get(0).data().asUtf8String();
  }

  @Test
  void getShardIterator_atOrAfterTheStartingSequenceNumberOfAShardWithRecords_getsRecordZero() {
    String name = newStream(1);
    for (String v : List.of("r0", "r1")) {
      kinesis.putRecord(b -> b.streamName(name).partitionKey("k").data(SdkBytes.fromUtf8String(v)));
    }
    Shard shard = kinesis.listShards(b -> b.streamName(name)).shards().get(0);
    String start = shard.sequenceNumberRange().startingSequenceNumber();

    for (ShardIteratorType type :
        List.of(ShardIteratorType.AT_SEQUENCE_NUMBER, ShardIteratorType.AFTER_SEQUENCE_NUMBER)) {
      assertThat(
              first(
                  name,
                  shard.shardId(),
                  b -> b.shardIteratorType(type).startingSequenceNumber(start)))
          .as(type.toString())
          .isEqualTo("r0");
    }
  }

  @Test
  void getShardIterator_afterTheStartingSequenceNumberOfAnEmptyShard_getsItsFirstRecord() {
    String name = newStream(1);
    Shard shard = kinesis.listShards(b -> b.streamName(name)).shards().get(0);
    String iterator =
        kinesis
            .getShardIterator(
                b ->
                    b.streamName(name)
                        .shardId(shard.shardId())
                        .shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER)
                        .startingSequenceNumber(
                            shard.sequenceNumberRange().startingSequenceNumber()))
            .shardIterator();
    kinesis.putRecord(
        b -> b.streamName(name).partitionKey("k").data(SdkBytes.fromUtf8String("first")));

    assertThat(kinesis.getRecords(b -> b.shardIterator(iterator)).records())
        .extracting(r -> r.data().asUtf8String())
        .containsExactly("first");
  }

  @Test
  void getShardIterator_sequenceNumberOfAnotherShard_invalidArgument() {
    String name = newStream(2);
    String seq =
        kinesis
            .putRecord(
                b ->
                    b.streamName(name)
                        .partitionKey("k")
                        .explicitHashKey("0")
                        .data(SdkBytes.fromUtf8String("v")))
            .sequenceNumber();
    assertThatThrownBy(
            () ->
                kinesis.getShardIterator(
                    b ->
                        b.streamName(name)
                            .shardId("shardId-000000000001")
                            .shardIteratorType(ShardIteratorType.AT_SEQUENCE_NUMBER)
                            .startingSequenceNumber(seq)))
        .isInstanceOf(InvalidArgumentException.class);
  }

  @Test
  void listStreams_limit_paginatesWithNextTokenAndSummaries() {
    Set<String> mine = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      mine.add(newStream(1));
    }
    Set<String> seen = new HashSet<>();
    ListStreamsResponse page = kinesis.listStreams(b -> b.limit(1));
    int pages = 1;
    seen.addAll(page.streamNames());
    assertThat(page.streamSummaries()).hasSize(1);
    assertThat(page.streamSummaries().get(0).streamARN())
        .startsWith("arn:aws:kinesis:us-east-1:000000000000:stream/");
    while (page.hasMoreStreams()) {
      String token = page.nextToken();
      page = kinesis.listStreams(b -> b.nextToken(token).limit(1));
      seen.addAll(page.streamNames());
      pages++;
    }
    assertThat(seen).containsAll(mine);
    assertThat(pages).isGreaterThanOrEqualTo(3);
  }

  @Test
  void describeStream_limit_paginatesByExclusiveStartShardId() {
    String name = newStream(3);
    StreamDescription first =
        kinesis.describeStream(b -> b.streamName(name).limit(2)).streamDescription();
    assertThat(first.shards()).hasSize(2);
    assertThat(first.hasMoreShards()).isTrue();
    StreamDescription rest =
        kinesis
            .describeStream(
                b -> b.streamName(name).exclusiveStartShardId(first.shards().get(1).shardId()))
            .streamDescription();
    assertThat(rest.shards()).extracting(Shard::shardId).containsExactly("shardId-000000000002");
    assertThat(rest.hasMoreShards()).isFalse();
  }

  @Test
  void listShards_maxResults_paginatesWithNextToken() {
    String name = newStream(3);
    ListShardsResponse p1 = kinesis.listShards(b -> b.streamName(name).maxResults(2));
    assertThat(p1.shards()).hasSize(2);
    assertThat(p1.nextToken()).isNotNull();
    ListShardsResponse p2 = kinesis.listShards(b -> b.nextToken(p1.nextToken()));
    assertThat(p2.shards()).extracting(Shard::shardId).containsExactly("shardId-000000000002");
    assertThat(p2.nextToken()).isNull();
    assertThatThrownBy(() -> kinesis.listShards(b -> b.streamName(name).nextToken(p1.nextToken())))
        .isInstanceOf(InvalidArgumentException.class);
    Instant created =
        kinesis
            .describeStreamSummary(b -> b.streamName(name))
            .streamDescriptionSummary()
            .streamCreationTimestamp();
    assertThatThrownBy(
            () ->
                kinesis.listShards(
                    b -> b.nextToken(p1.nextToken()).streamCreationTimestamp(created)))
        .isInstanceOf(InvalidArgumentException.class);
    assertThat(
            kinesis.listShards(b -> b.streamName(name).streamCreationTimestamp(created)).shards())
        .hasSize(3);
    assertThatThrownBy(
            () ->
                kinesis.listShards(
                    b -> b.streamName(name).streamCreationTimestamp(created.minusSeconds(60))))
        .as("an earlier stream of the name")
        .isInstanceOf(ResourceNotFoundException.class);
  }

  @Test
  void listShards_creationTimestampInWholeSeconds_asTheAwsCliSendsIt_matches() {
    String name = newStream(2);
    Instant created =
        kinesis
            .describeStreamSummary(b -> b.streamName(name))
            .streamDescriptionSummary()
            .streamCreationTimestamp();

    Instant seconds = created.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    assertThat(
            kinesis.listShards(b -> b.streamName(name).streamCreationTimestamp(seconds)).shards())
        .hasSize(2);
    assertThatThrownBy(
            () ->
                kinesis.listShards(
                    b -> b.streamName(name).streamCreationTimestamp(seconds.minusSeconds(1))))
        .isInstanceOf(ResourceNotFoundException.class);
  }

  @Test
  void describeStream_limitOver100_returnsAt100AsKinesisDoes() {
    String name = newStream(101);
    try {
      StreamDescription first =
          kinesis.describeStream(b -> b.streamName(name).limit(500)).streamDescription();
      assertThat(first.shards()).hasSize(100);
      assertThat(first.hasMoreShards()).isTrue();
      assertThat(kinesis.listShards(b -> b.streamName(name).maxResults(5000)).shards())
          .hasSize(101);
    } finally {
      kinesis.deleteStream(b -> b.streamName(name));
    }
  }

  @Test
  void createStream_shardCountOfIntMax_limitExceeded() {
    newStream(1); // an open shard: the sum used to wrap round and pass the limit

    assertThatThrownBy(
            () ->
                kinesis.createStream(
                    b -> b.streamName("huge-" + UUID.randomUUID()).shardCount(Integer.MAX_VALUE)))
        .isInstanceOf(LimitExceededException.class);
  }

  @Test
  void shardIdMembers_outsideThePattern_validationException() {
    String name = newStream(1);

    assertThatThrownBy(
            () ->
                kinesis.getShardIterator(
                    b ->
                        b.streamName(name)
                            .shardId("bad id!")
                            .shardIteratorType(ShardIteratorType.TRIM_HORIZON)))
        .isInstanceOf(ValidationException.class);
    assertThatThrownBy(
            () ->
                kinesis.splitShard(
                    b -> b.streamName(name).shardToSplit("x/y").newStartingHashKey("1")))
        .isInstanceOf(ValidationException.class);
  }

  @Test
  void listShards_shardFilters_selectLikeKinesis() {
    String name = newStream(2);
    kinesis.splitShard(
        b ->
            b.streamName(name)
                .shardToSplit("shardId-000000000000")
                .newStartingHashKey(HashKeys.MAX.shiftRight(2).toString()));
    awaitActive(name);
    assertThat(ids(name, f -> f.type(ShardFilterType.AT_LATEST)))
        .containsExactly("shardId-000000000001", "shardId-000000000002", "shardId-000000000003");
    assertThat(ids(name, f -> f.type(ShardFilterType.AT_TRIM_HORIZON)))
        .containsExactly("shardId-000000000000", "shardId-000000000001");
    assertThat(ids(name, f -> f.type(ShardFilterType.FROM_TRIM_HORIZON))).hasSize(4);
    assertThat(
            ids(name, f -> f.type(ShardFilterType.AFTER_SHARD_ID).shardId("shardId-000000000001")))
        .containsExactly("shardId-000000000002", "shardId-000000000003");
    assertThat(
            ids(
                name,
                f ->
                    f.type(ShardFilterType.FROM_TIMESTAMP).timestamp(Instant.now().plusSeconds(5))))
        .containsExactly("shardId-000000000001", "shardId-000000000002", "shardId-000000000003");

    // a page at a time, as KCL asks: the NextToken carries the filter on
    List<String> paged = new ArrayList<>();
    ListShardsResponse page =
        kinesis.listShards(
            b ->
                b.streamName(name)
                    .maxResults(1)
                    .shardFilter(f -> f.type(ShardFilterType.AT_LATEST)));
    page.shards().forEach(s -> paged.add(s.shardId()));
    while (page.nextToken() != null) {
      String token = page.nextToken();
      page = kinesis.listShards(b -> b.nextToken(token).maxResults(1));
      page.shards().forEach(s -> paged.add(s.shardId()));
    }
    assertThat(paged)
        .containsExactly("shardId-000000000001", "shardId-000000000002", "shardId-000000000003");
  }

  /** A TRIM_HORIZON iterator of the stream's first shard. */
  private String trimHorizon(String stream) {
    return kinesis
        .getShardIterator(
            b ->
                b.streamName(stream)
                    .shardId("shardId-000000000000")
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON))
        .shardIterator();
  }

  private List<String> ids(String name, java.util.function.Consumer<ShardFilter.Builder> filter) {
    return kinesis.listShards(b -> b.streamName(name).shardFilter(filter)).shards().stream()
        .map(Shard::shardId)
        .toList();
  }

  @Test
  void retention_increaseThenDecrease_changesAndRejectsOutOfRange() {
    String name = newStream(1);
    kinesis.increaseStreamRetentionPeriod(b -> b.streamName(name).retentionPeriodHours(48));
    assertThat(describe(name).retentionPeriodHours()).isEqualTo(48);
    kinesis.decreaseStreamRetentionPeriod(b -> b.streamName(name).retentionPeriodHours(24));
    assertThat(describe(name).retentionPeriodHours()).isEqualTo(24);
    assertThatThrownBy(
            () ->
                kinesis.increaseStreamRetentionPeriod(
                    b -> b.streamName(name).retentionPeriodHours(8761)))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("8761");
    assertThatThrownBy(
            () ->
                kinesis.decreaseStreamRetentionPeriod(
                    b -> b.streamName(name).retentionPeriodHours(23)))
        .isInstanceOf(InvalidArgumentException.class);
    kinesis.increaseStreamRetentionPeriod(b -> b.streamName(name).retentionPeriodHours(100));
    assertThatThrownBy(
            () ->
                kinesis.increaseStreamRetentionPeriod(
                    b -> b.streamName(name).retentionPeriodHours(50)))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("DecreaseRetentionPeriod");
  }

  @Test
  void tags_addListRemove_roundTrip() {
    String name = newStream(1);
    kinesis.addTagsToStream(b -> b.streamName(name).tags(Map.of("team", "orders", "env", "dev")));
    ListTagsForStreamResponse tags = kinesis.listTagsForStream(b -> b.streamName(name));
    assertThat(tags.tags()).extracting(Tag::key).containsExactly("env", "team");
    assertThat(tags.hasMoreTags()).isFalse();
    ListTagsForStreamResponse firstOnly =
        kinesis.listTagsForStream(b -> b.streamName(name).limit(1));
    assertThat(firstOnly.hasMoreTags()).isTrue();
    kinesis.removeTagsFromStream(b -> b.streamName(name).tagKeys("env"));
    assertThat(kinesis.listTagsForStream(b -> b.streamName(name)).tags())
        .extracting(Tag::value)
        .containsExactly("orders");
  }

  @Test
  void describeLimits_reportsShardLimitAndOpenShards() {
    newStream(2);
    DescribeLimitsResponse limits = kinesis.describeLimits();
    assertThat(limits.shardLimit()).isEqualTo(500);
    assertThat(limits.openShardCount()).isGreaterThanOrEqualTo(2);
    assertThat(limits.onDemandStreamCountLimit()).isEqualTo(50);
  }

  @Test
  void streamArn_acceptedWhereverStreamNameIs() {
    String name = newStream(1);
    String arn = describe(name).streamARN();
    kinesis.putRecord(b -> b.streamARN(arn).partitionKey("k").data(SdkBytes.fromUtf8String("v")));
    assertThat(
            kinesis
                .describeStreamSummary(b -> b.streamARN(arn))
                .streamDescriptionSummary()
                .streamName())
        .isEqualTo(name);
    assertThat(kinesis.listShards(b -> b.streamARN(arn)).shards()).hasSize(1);
    String it =
        kinesis
            .getShardIterator(
                b ->
                    b.streamARN(arn)
                        .shardId("shardId-000000000000")
                        .shardIteratorType(ShardIteratorType.TRIM_HORIZON))
            .shardIterator();
    assertThat(kinesis.getRecords(b -> b.shardIterator(it).streamARN(arn)).records()).hasSize(1);
  }

  @Test
  void splitShard_closesParentWithEndingSequenceAndLinksChildren() {
    String name = newStream(1);
    List<String> before = putN(name, 5, "before");
    BigInteger mid = HashKeys.MAX.shiftRight(1);
    kinesis.splitShard(
        b ->
            b.streamName(name)
                .shardToSplit("shardId-000000000000")
                .newStartingHashKey(mid.toString()));
    awaitActive(name);
    List<Shard> shards = describe(name).shards();
    assertThat(shards).hasSize(3);
    Shard parent = shards.get(0);
    assertThat(parent.sequenceNumberRange().endingSequenceNumber()).isEqualTo(before.get(4));
    assertThat(shards.get(1).parentShardId()).isEqualTo(parent.shardId());
    assertThat(shards.get(2).parentShardId()).isEqualTo(parent.shardId());
    assertThat(shards.get(2).hashKeyRange().startingHashKey()).isEqualTo(mid.toString());
    List<String> after = putN(name, 5, "after");
    assertThat(after)
        .allMatch(seq -> new BigInteger(seq).compareTo(new BigInteger(before.get(4))) > 0);
    assertClosedShardEndsWithChildren(
        name, parent.shardId(), 5, Set.of(shards.get(1).shardId(), shards.get(2).shardId()));
  }

  @Test
  void splitShard_childStartingSequenceNumber_sortsAfterTheParentAndReadsTheChildFromItsStart() {
    String name = newStream(1);
    List<String> before = putN(name, 3, "parent");
    kinesis.splitShard(
        b ->
            b.streamName(name)
                .shardToSplit("shardId-000000000000")
                .newStartingHashKey(HashKeys.MAX.shiftRight(1).toString()));
    awaitActive(name);
    Shard child = describe(name).shards().get(1);
    String start = child.sequenceNumberRange().startingSequenceNumber();
    List<String> after = putN(name, 2, "child");

    assertThat(new BigInteger(start)).isGreaterThan(new BigInteger(before.get(2)));
    assertThat(new BigInteger(start)).isLessThan(new BigInteger(after.get(0)));
    for (ShardIteratorType type :
        List.of(ShardIteratorType.AT_SEQUENCE_NUMBER, ShardIteratorType.AFTER_SEQUENCE_NUMBER)) {
      assertThat(
              first(
                  name,
                  child.shardId(),
                  b -> b.shardIteratorType(type).startingSequenceNumber(start)))
          .as(type.toString())
          .isEqualTo("child0");
    }
  }

  @Test
  void mergeShards_childNamesBothParents() {
    String name = newStream(2);
    putN(name, 10, "m");
    kinesis.mergeShards(
        b ->
            b.streamName(name)
                .shardToMerge("shardId-000000000000")
                .adjacentShardToMerge("shardId-000000000001"));
    awaitActive(name);
    List<Shard> shards = describe(name).shards();
    Shard child = shards.get(2);
    assertThat(child.parentShardId()).isEqualTo("shardId-000000000000");
    assertThat(child.adjacentParentShardId()).isEqualTo("shardId-000000000001");
    assertThat(child.hashKeyRange().startingHashKey()).isEqualTo("0");
    assertThat(child.hashKeyRange().endingHashKey()).isEqualTo(HashKeys.MAX.toString());
    String it =
        kinesis
            .getShardIterator(
                b ->
                    b.streamName(name)
                        .shardId("shardId-000000000001")
                        .shardIteratorType(ShardIteratorType.LATEST))
            .shardIterator();
    GetRecordsResponse end = kinesis.getRecords(b -> b.shardIterator(it));
    assertThat(end.nextShardIterator()).isNull();
    assertThat(end.childShards())
        .singleElement()
        .satisfies(
            c ->
                assertThat(c.parentShards())
                    .containsExactly("shardId-000000000000", "shardId-000000000001"));
  }

  private void merge(String name, String shard, String adjacent) {
    kinesis.mergeShards(b -> b.streamName(name).shardToMerge(shard).adjacentShardToMerge(adjacent));
  }

  @Test
  void mergeShards_notAdjacent_invalidArgument() {
    String name = newStream(3);
    assertThatThrownBy(() -> merge(name, "shardId-000000000000", "shardId-000000000002"))
        .isInstanceOf(InvalidArgumentException.class);
  }

  @Test
  void mergeShards_higherShardFirst_invalidArgumentAndStreamUnchanged() {
    String name = newStream(3);
    assertThatThrownBy(() -> merge(name, "shardId-000000000001", "shardId-000000000000"))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("not an adjacent pair of shards eligible for merging");
    assertThat(describe(name).shards()).hasSize(3);
    assertThat(describe(name).streamStatus()).isEqualTo(StreamStatus.ACTIVE);
  }

  @Test
  void getShardIterator_shortShardIds_nameTheShardByItsNumber() {
    String name = newStream(2);
    kinesis.putRecord(
        b ->
            b.streamName(name)
                .partitionKey("k")
                .explicitHashKey(HashKeys.MAX.toString()) // the second shard's
                .data(SdkBytes.fromUtf8String("in-1")));
    for (String shortId :
        List.of("1", "shard-1", "shardId-1", "x-000001", "000000000001", "shardId-0000000001")) {
      String it =
          kinesis
              .getShardIterator(
                  b ->
                      b.streamName(name)
                          .shardId(shortId)
                          .shardIteratorType(ShardIteratorType.TRIM_HORIZON))
              .shardIterator();
      assertThat(kinesis.getRecords(b -> b.shardIterator(it)).records())
          .as(shortId)
          .singleElement()
          .satisfies(r -> assertThat(r.data().asUtf8String()).isEqualTo("in-1"));
    }
    assertThatThrownBy(
            () ->
                kinesis.getShardIterator(
                    b ->
                        b.streamName(name)
                            .shardId("shardId-7")
                            .shardIteratorType(ShardIteratorType.TRIM_HORIZON)))
        .isInstanceOf(ResourceNotFoundException.class)
        .hasMessageContaining("shardId-000000000007");
    assertThat(
            kinesis
                .listShards(
                    b ->
                        b.streamName(name)
                            .shardFilter(f -> f.type(ShardFilterType.AFTER_SHARD_ID).shardId("0")))
                .shards())
        .extracting(Shard::shardId)
        .containsExactly("shardId-000000000001");
  }

  @Test
  void updateShardCount_overDoubleOrBelowHalf_limitExceededAsKinesis() {
    String name = newStream(4);
    for (int target : List.of(9, 1)) {
      assertThatThrownBy(
              () ->
                  kinesis.updateShardCount(
                      b ->
                          b.streamName(name)
                              .targetShardCount(target)
                              .scalingType(ScalingType.UNIFORM_SCALING)))
          .isInstanceOf(LimitExceededException.class)
          .hasMessageContaining("Current open shard count: 4, Target shard count: " + target);
    }
    assertThat(describe(name).streamStatus()).isEqualTo(StreamStatus.ACTIVE);
  }

  @Test
  void updateShardCount_uniformScaling_endsWithEvenShardsAndValidLineage() {
    String name = newStream(2);
    putN(name, 20, "u");
    UpdateShardCountResponse r =
        kinesis.updateShardCount(
            b -> b.streamName(name).targetShardCount(3).scalingType(ScalingType.UNIFORM_SCALING));
    assertThat(r.currentShardCount()).isEqualTo(2);
    assertThat(r.targetShardCount()).isEqualTo(3);
    awaitActive(name);
    List<Shard> shards = describe(name).shards();
    List<Shard> open =
        shards.stream()
            .filter(s -> s.sequenceNumberRange().endingSequenceNumber() == null)
            .toList();
    assertThat(open).hasSize(3);
    List<BigInteger> starts =
        open.stream()
            .map(s -> new BigInteger(s.hashKeyRange().startingHashKey()))
            .sorted()
            .toList();
    assertThat(starts)
        .containsExactlyElementsOf(HashKeys.split(3).stream().map(HashKeyRange::start).toList());
    Set<String> ids = shards.stream().map(Shard::shardId).collect(Collectors.toSet());
    for (Shard s : shards) {
      if (s.parentShardId() != null) {
        assertThat(ids).contains(s.parentShardId());
      }
    }
    assertThatThrownBy(
            () ->
                kinesis.updateShardCount(
                    b ->
                        b.streamName(name)
                            .targetShardCount(7)
                            .scalingType(ScalingType.UNIFORM_SCALING)))
        .isInstanceOf(LimitExceededException.class);
  }

  @Test
  void reshard_whileUpdating_resourceInUse() {
    String name = newStream(2);
    kinesis.updateShardCount(
        b -> b.streamName(name).targetShardCount(4).scalingType(ScalingType.UNIFORM_SCALING));
    try {
      kinesis.mergeShards(
          b ->
              b.streamName(name)
                  .shardToMerge("shardId-000000000000")
                  .adjacentShardToMerge("shardId-000000000001"));
    } catch (ResourceInUseException expected) {
      // the usual outcome: the first reshard is still running
    } catch (InvalidArgumentException alreadyDone) {
      // the first reshard finished first and closed shard 0
    }
    awaitActive(name);
    assertThat(
            describe(name).shards().stream()
                .filter(s -> s.sequenceNumberRange().endingSequenceNumber() == null))
        .hasSize(4);
  }

  private void assertClosedShardEndsWithChildren(
      String name, String shardId, int records, Set<String> children) {
    String it =
        kinesis
            .getShardIterator(
                b ->
                    b.streamName(name)
                        .shardId(shardId)
                        .shardIteratorType(ShardIteratorType.TRIM_HORIZON))
            .shardIterator();
    GetRecordsResponse r = kinesis.getRecords(b -> b.shardIterator(it));
    assertThat(r.records()).hasSize(records);
    assertThat(r.nextShardIterator()).isNull();
    assertThat(r.childShards())
        .extracting(ChildShard::shardId)
        .containsExactlyInAnyOrderElementsOf(children);
    assertThat(r.childShards())
        .allSatisfy(c -> assertThat(c.parentShards()).containsExactly(shardId));
  }

  private List<String> putN(String name, int n, String prefix) {
    List<String> seqs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int k = i;
      seqs.add(
          kinesis
              .putRecord(
                  b ->
                      b.streamName(name)
                          .partitionKey(prefix + k)
                          .explicitHashKey("0")
                          .data(SdkBytes.fromUtf8String(prefix + k)))
              .sequenceNumber());
    }
    return seqs;
  }

  @Test
  void deleteStream_thenDescribe_resourceNotFound() {
    String name = newStream(1);
    kinesis.deleteStream(b -> b.streamName(name));
    waiter.waitUntilStreamNotExists(b -> b.streamName(name));
    assertThatThrownBy(() -> describe(name)).isInstanceOf(ResourceNotFoundException.class);
    assertThatThrownBy(
            () ->
                kinesis.putRecord(
                    b -> b.streamName(name).partitionKey("k").data(SdkBytes.fromUtf8String("v"))))
        .isInstanceOf(ResourceNotFoundException.class);
  }

  @Test
  void deleteStream_thenCreateTheSameNameAtOnce_newStreamStaysAndHoldsOnlyItsRecords() {
    String name = newStream(1);
    kinesis.putRecord(
        b -> b.streamName(name).partitionKey("k").data(SdkBytes.fromUtf8String("old")));
    String oldIterator =
        kinesis
            .getRecords(
                b ->
                    b.shardIterator(
                        kinesis
                            .getShardIterator(
                                g ->
                                    g.streamName(name)
                                        .shardId("shardId-000000000000")
                                        .shardIteratorType(ShardIteratorType.TRIM_HORIZON))
                            .shardIterator()))
            .nextShardIterator();
    kinesis.deleteStream(b -> b.streamName(name));
    createWhileDeleting(name);
    // what test suites do between tests: the name must not vanish again once it was created
    long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    int describes = 0;
    while (System.nanoTime() < until) {
      assertThat(describe(name).streamName()).isEqualTo(name);
      describes++;
    }
    awaitActive(name);
    kinesis.putRecord(
        b -> b.streamName(name).partitionKey("k").data(SdkBytes.fromUtf8String("new")));

    assertThat(describes).isPositive();
    assertThat(readAll(name, describe(name).shards().get(0).shardId()))
        .extracting(r -> r.data().asUtf8String())
        .containsExactly("new");
    // an iterator of the deleted stream does not read on in the new one (it skipped its records)
    assertThatThrownBy(() -> kinesis.getRecords(b -> b.shardIterator(oldIterator)))
        .isInstanceOf(ResourceNotFoundException.class)
        .hasMessageContaining("deleted and created again");
  }

  @Test
  void listShards_nextTokenOfAStreamDeletedAndCreatedAgain_resourceNotFound() {
    String name = newStream(3);
    String token = kinesis.listShards(b -> b.streamName(name).maxResults(1)).nextToken();
    kinesis.deleteStream(b -> b.streamName(name));
    waiter.waitUntilStreamNotExists(b -> b.streamName(name));
    kinesis.createStream(b -> b.streamName(name).shardCount(3));
    awaitActive(name);

    // it would go on after shardId-000000000000 of the new stream, skipping that one
    assertThatThrownBy(() -> kinesis.listShards(b -> b.nextToken(token)))
        .isInstanceOf(ResourceNotFoundException.class)
        .hasMessageContaining("deleted and created again");
  }

  @Test
  void getShardIterator_sequenceNumberOfAStreamDeletedAndCreatedAgain_invalidArgument() {
    String name = newStream(1);
    String old =
        kinesis
            .putRecord(b -> b.streamName(name).partitionKey("k").data(SdkBytes.fromUtf8String("a")))
            .sequenceNumber();
    kinesis.deleteStream(b -> b.streamName(name));
    waiter.waitUntilStreamNotExists(b -> b.streamName(name));
    kinesis.createStream(b -> b.streamName(name).shardCount(1));
    awaitActive(name);
    String fresh =
        kinesis
            .putRecord(b -> b.streamName(name).partitionKey("k").data(SdkBytes.fromUtf8String("b")))
            .sequenceNumber();

    // the old number names offset 0 of shard 0 too: it would read the new stream's record
    for (ShardIteratorType type :
        List.of(ShardIteratorType.AT_SEQUENCE_NUMBER, ShardIteratorType.AFTER_SEQUENCE_NUMBER)) {
      assertThatThrownBy(
              () ->
                  kinesis.getShardIterator(
                      b ->
                          b.streamName(name)
                              .shardId("shardId-000000000000")
                              .shardIteratorType(type)
                              .startingSequenceNumber(old)))
          .isInstanceOf(InvalidArgumentException.class)
          .hasMessageContaining("did not come from this shard");
    }
    assertThat(new BigInteger(fresh)).isGreaterThan(new BigInteger(old));
    String it =
        kinesis
            .getShardIterator(
                b ->
                    b.streamName(name)
                        .shardId("shardId-000000000000")
                        .shardIteratorType(ShardIteratorType.AT_SEQUENCE_NUMBER)
                        .startingSequenceNumber(fresh))
            .shardIterator();
    assertThat(kinesis.getRecords(b -> b.shardIterator(it)).records())
        .extracting(r -> r.data().asUtf8String())
        .containsExactly("b");
  }

  /** Creates {@code name} as soon as its deletion lets it (an impatient client's loop). */
  private void createWhileDeleting(String name) {
    for (int attempt = 1; ; attempt++) {
      try {
        kinesis.createStream(b -> b.streamName(name).shardCount(1));
        return;
      } catch (ResourceInUseException inUse) {
        if (describe(name).streamStatus() != StreamStatus.DELETING) {
          return; // an SDK retry of a create that had gone through
        }
        assertThat(attempt).isLessThan(10_000);
      } catch (ResourceNotFoundException goneMeanwhile) {
        // deleted between the create and the describe: try again
      }
    }
  }

  @Test
  void errors_badInput_getKinesisExceptionsNotServerErrors() {
    String name = newStream(1);
    assertThatThrownBy(() -> describe("no-such-stream"))
        .isInstanceOf(ResourceNotFoundException.class)
        .hasMessageContaining("no-such-stream");
    assertThatThrownBy(() -> kinesis.createStream(b -> b.streamName("bad name!").shardCount(1)))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("[a-zA-Z0-9_.-]+");
    assertThatThrownBy(
            () ->
                kinesis.putRecord(
                    b ->
                        b.streamName(name)
                            .partitionKey("k".repeat(257))
                            .data(SdkBytes.fromUtf8String("v"))))
        .isInstanceOf(software.amazon.awssdk.services.kinesis.model.KinesisException.class)
        .hasMessageContaining("partitionKey");
    assertThatThrownBy(
            () ->
                kinesis.putRecord(
                    b ->
                        b.streamName(name)
                            .partitionKey("k")
                            .data(SdkBytes.fromByteArray(new byte[1024 * 1024 + 1]))))
        .isInstanceOf(software.amazon.awssdk.services.kinesis.model.KinesisException.class)
        .hasMessageContaining("1048576");
    assertThatThrownBy(
            () ->
                kinesis.putRecord(
                    b ->
                        b.streamName(name)
                            .partitionKey("k")
                            .explicitHashKey(HashKeys.MAX.add(BigInteger.ONE).toString())
                            .data(SdkBytes.fromUtf8String("v"))))
        .isInstanceOf(InvalidArgumentException.class);
    List<PutRecordsRequestEntry> tooMany =
        IntStream.range(0, 501)
            .mapToObj(
                i ->
                    PutRecordsRequestEntry.builder()
                        .partitionKey("k")
                        .data(SdkBytes.fromUtf8String("v"))
                        .build())
            .toList();
    assertThatThrownBy(() -> kinesis.putRecords(b -> b.streamName(name).records(tooMany)))
        .isInstanceOf(software.amazon.awssdk.services.kinesis.model.KinesisException.class)
        .hasMessageContaining("500");
    String it = trimHorizon(name);
    assertThatThrownBy(() -> kinesis.getRecords(b -> b.shardIterator(it).limit(10_001)))
        .isInstanceOf(InvalidArgumentException.class);
    assertThatThrownBy(() -> kinesis.getRecords(b -> b.shardIterator(it).limit(0)))
        .isInstanceOf(InvalidArgumentException.class);
    String forged = it.substring(0, it.length() - 2) + (it.endsWith("AA") ? "BB" : "AA");
    assertThatThrownBy(() -> kinesis.getRecords(b -> b.shardIterator(forged)))
        .isInstanceOf(InvalidArgumentException.class);
    assertThatThrownBy(
            () ->
                kinesis.getShardIterator(
                    b ->
                        b.streamName(name)
                            .shardId("shardId-000000000009")
                            .shardIteratorType(ShardIteratorType.LATEST)))
        .isInstanceOf(ResourceNotFoundException.class);
    assertThatThrownBy(
            () ->
                kinesis.getShardIterator(
                    b ->
                        b.streamName(name)
                            .shardId("shardId-000000000000")
                            .shardIteratorType(ShardIteratorType.AT_SEQUENCE_NUMBER)
                            .startingSequenceNumber("12x")))
        .isInstanceOf(ValidationException.class);
  }

  @Test
  void errors_limitsTheServiceChecks_getKinesissOwnErrors() {
    String name = newStream(1);
    assertThatThrownBy(
            () ->
                kinesis.putRecord(
                    b ->
                        b.streamName(name)
                            .partitionKey("kk")
                            .data(SdkBytes.fromByteArray(new byte[1024 * 1024 - 1]))))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("partition key");
    kinesis.putRecord(
        b ->
            b.streamName(name)
                .partitionKey("k")
                .data(SdkBytes.fromByteArray(new byte[1024 * 1024 - 1])));
    assertThatThrownBy(
            () ->
                kinesis.putRecord(
                    b ->
                        b.streamName(name)
                            .partitionKey("k")
                            .explicitHashKey("abc")
                            .data(SdkBytes.fromUtf8String("v"))))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("explicitHashKey");
    Instant future = Instant.now().plus(Duration.ofHours(1));
    assertThatThrownBy(
            () ->
                kinesis.getShardIterator(
                    b ->
                        b.streamName(name)
                            .shardId("shardId-000000000000")
                            .shardIteratorType(ShardIteratorType.AT_TIMESTAMP)
                            .timestamp(future)))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("currentTimestampInMillis");
  }

  @Test
  void reshard_onDemandStream_invalidArgumentAsKinesisReshardsItself() {
    String name = "od-" + UUID.randomUUID().toString().substring(0, 8);
    kinesis.createStream(
        b -> b.streamName(name).streamModeDetails(m -> m.streamMode(StreamMode.ON_DEMAND)));
    created.add(name);
    awaitActive(name);
    assertThatThrownBy(
            () ->
                kinesis.updateShardCount(
                    b ->
                        b.streamName(name)
                            .targetShardCount(8)
                            .scalingType(ScalingType.UNIFORM_SCALING)))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("PROVISIONED");
    assertThatThrownBy(
            () ->
                kinesis.splitShard(
                    b ->
                        b.streamName(name)
                            .shardToSplit("shardId-000000000000")
                            .newStartingHashKey("1")))
        .isInstanceOf(InvalidArgumentException.class);
    assertThat(describe(name).shards()).hasSize(4);
  }

  @Test
  void updateStreamMode_toOnDemandAndBack_keepsTheShardsAndGatesResharding() {
    String name = newStream(2);
    String arn = describe(name).streamARN();

    kinesis.updateStreamMode(
        b -> b.streamARN(arn).streamModeDetails(m -> m.streamMode(StreamMode.ON_DEMAND)));
    awaitActive(name);
    var summary = kinesis.describeStreamSummary(b -> b.streamName(name));
    assertThat(summary.streamDescriptionSummary().streamModeDetails().streamMode())
        .isEqualTo(StreamMode.ON_DEMAND);
    assertThat(summary.streamDescriptionSummary().openShardCount()).isEqualTo(2);
    assertThatThrownBy(
            () ->
                kinesis.updateShardCount(
                    b ->
                        b.streamName(name)
                            .targetShardCount(3)
                            .scalingType(ScalingType.UNIFORM_SCALING)))
        .isInstanceOf(InvalidArgumentException.class);

    kinesis.updateStreamMode(
        b -> b.streamARN(arn).streamModeDetails(m -> m.streamMode(StreamMode.PROVISIONED)));
    awaitActive(name);
    kinesis.updateShardCount(
        b -> b.streamName(name).targetShardCount(3).scalingType(ScalingType.UNIFORM_SCALING));
    awaitActive(name);
    assertThat(
            kinesis
                .describeStreamSummary(b -> b.streamName(name))
                .streamDescriptionSummary()
                .openShardCount())
        .isEqualTo(3);
  }

  @Test
  void updateStreamMode_withoutAMode_validationExceptionAndTheModeStays() {
    String name = newStream(1);
    String arn = describe(name).streamARN();
    assertThatThrownBy(
            () -> kinesis.updateStreamMode(b -> b.streamARN(arn).streamModeDetails(m -> {})))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("streamMode");
    assertThat(
            kinesis
                .describeStreamSummary(b -> b.streamName(name))
                .streamDescriptionSummary()
                .streamModeDetails()
                .streamMode())
        .isEqualTo(StreamMode.PROVISIONED);
  }

  @Test
  void tags_fiftyInOneCall_acceptedAndFiftyOneRefused() {
    String name = newStream(1);
    Map<String, String> fifty = new HashMap<>();
    for (int i = 0; i < 50; i++) {
      fifty.put("k" + i, "v" + i);
    }
    kinesis.addTagsToStream(b -> b.streamName(name).tags(fifty));
    assertThat(kinesis.listTagsForStream(b -> b.streamName(name)).tags()).hasSize(50);
    Map<String, String> fiftyOne = new HashMap<>(fifty);
    fiftyOne.put("k50", "v50");
    assertThatThrownBy(() -> kinesis.addTagsToStream(b -> b.streamName(name).tags(fiftyOne)))
        .isInstanceOf(ValidationException.class);
  }

  @Test
  void asyncClient_concurrentPuts_allAcknowledgedAndReadable() {
    String name = newStream(2);
    try (KinesisAsyncClient async = clients.async()) {
      List<CompletableFuture<PutRecordResponse>> puts = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        int n = i;
        puts.add(
            async.putRecord(
                b ->
                    b.streamName(name)
                        .partitionKey("key-" + (n % 10))
                        .data(SdkBytes.fromUtf8String("v" + n))));
      }
      CompletableFuture.allOf(puts.toArray(new CompletableFuture[0])).join();
      Set<String> seqs =
          puts.stream().map(f -> f.join().sequenceNumber()).collect(Collectors.toSet());
      assertThat(seqs).hasSize(200);
      GetShardIteratorResponse it =
          async
              .getShardIterator(
                  b ->
                      b.streamName(name)
                          .shardId("shardId-000000000000")
                          .shardIteratorType(ShardIteratorType.TRIM_HORIZON))
              .join();
      GetShardIteratorResponse it2 =
          async
              .getShardIterator(
                  b ->
                      b.streamName(name)
                          .shardId("shardId-000000000001")
                          .shardIteratorType(ShardIteratorType.TRIM_HORIZON))
              .join();
      int read =
          async.getRecords(b -> b.shardIterator(it.shardIterator())).join().records().size()
              + async.getRecords(b -> b.shardIterator(it2.shardIterator())).join().records().size();
      assertThat(read).isEqualTo(200);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
