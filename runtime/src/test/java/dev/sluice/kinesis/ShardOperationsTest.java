package dev.sluice.kinesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.log.LogEngine;
import dev.sluice.log.LogListener;
import dev.sluice.log.ShardRef;
import dev.sluice.log.file.FileLogEngine;
import dev.sluice.log.file.FileLogOptions;
import dev.sluice.stream.Arns;
import dev.sluice.stream.StreamCatalog;
import dev.sluice.stream.StreamLimits;
import dev.sluice.stream.StreamMode;
import dev.sluice.stream.StreamStatus;
import dev.sluice.testing.ForwardingLogEngine;
import dev.sluice.testing.TestClock;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardOperationsTest {

  @TempDir Path dir;
  final TestClock clock = new TestClock(1_700_000_000_000L);
  final Arns arns = new Arns("us-east-1", "000000000000");
  final Map<String, Operation> ops = new HashMap<>();
  final CompletableFuture<Void> gate = new CompletableFuture<>();
  FileLogEngine files;
  StreamCatalog catalog;

  @BeforeEach
  void open() {
    files =
        new FileLogEngine(dir.resolve("log"), FileLogOptions.defaults(), clock, LogListener.NONE);
    files.start();
    catalog = new StreamCatalog(dir, new HeldCreates(files, gate), clock, new StreamLimits(20, 2));
    catalog.start();
    Tokens tokens = new Tokens(new Signer(new byte[32]), clock, 300_000);
    new ShardOperations(catalog, arns, tokens).register(ops);
    new StreamOperations(catalog, arns, tokens).register(ops);
  }

  @AfterEach
  void close() {
    gate.complete(null);
    catalog.close();
    files.close();
  }

  @Test
  void listShards_streamStillCreating_resourceInUseUntilActive() throws Exception {
    CompletableFuture<Void> created = catalog.create("orders", 2, StreamMode.PROVISIONED, Map.of());
    awaitStatus("orders", StreamStatus.CREATING); // recorded, its logs held back

    assertThatThrownBy(() -> listShards("orders"))
        .isInstanceOfSatisfying(
            KinesisException.class,
            e -> assertThat(e.type()).isEqualTo(KinesisError.ResourceInUseException))
        .hasMessageContaining("CREATING");

    gate.complete(null);
    created.get(10, TimeUnit.SECONDS);
    awaitStatus("orders", StreamStatus.ACTIVE);
    JsonNode shards = listShards("orders").get("Shards");
    assertThat(shards).hasSize(2);
  }

  @Test
  void describeStream_streamStillCreating_noShardsUntilActive() throws Exception {
    CompletableFuture<Void> created = catalog.create("orders", 2, StreamMode.PROVISIONED, Map.of());
    awaitStatus("orders", StreamStatus.CREATING);

    // as Kinesis: shards listed before their logs exist would read as not found
    JsonNode creating = describeStream("orders").get("StreamDescription");
    assertThat(creating.get("StreamStatus").asText()).isEqualTo("CREATING");
    assertThat(creating.get("Shards")).isEmpty();
    assertThat(creating.get("HasMoreShards").asBoolean()).isFalse();

    gate.complete(null);
    created.get(10, TimeUnit.SECONDS);
    awaitStatus("orders", StreamStatus.ACTIVE);
    assertThat(describeStream("orders").get("StreamDescription").get("Shards")).hasSize(2);
  }

  private ObjectNode describeStream(String stream) throws Exception {
    return call("DescribeStream", KinesisRequest.newObject().put("StreamName", stream));
  }

  @Test
  void listShards_creationTimestampOfWrongTypeForAMissingStream_serializationError() {
    ObjectNode body = KinesisRequest.newObject().put("StreamName", "missing");
    body.putArray("StreamCreationTimestamp").add(1);
    assertThatThrownBy(() -> call("ListShards", body))
        .isInstanceOfSatisfying(
            KinesisException.class,
            e -> assertThat(e.type()).isEqualTo(KinesisError.SerializationException));
  }

  private ObjectNode listShards(String stream) throws Exception {
    return call("ListShards", KinesisRequest.newObject().put("StreamName", stream));
  }

  private ObjectNode call(String op, ObjectNode body) throws Exception {
    KinesisRequest r = new KinesisRequest(body, Wire.JSON, arns, Runnable::run);
    return ops.get(op).handle(r).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private void awaitStatus(String name, StreamStatus status) throws InterruptedException {
    for (int i = 0;
        i < 500 && !catalog.find(name).map(m -> m.status() == status).orElse(false);
        i++) {
      Thread.sleep(10);
    }
    assertThat(catalog.require(name).status()).isEqualTo(status);
  }

  /** The file engine, with every shard creation held until {@code gate} completes. */
  private static final class HeldCreates extends ForwardingLogEngine {
    private final CompletableFuture<Void> gate;

    HeldCreates(LogEngine engine, CompletableFuture<Void> gate) {
      super(engine);
      this.gate = gate;
    }

    @Override
    public CompletableFuture<Void> createShard(ShardRef shard) {
      return gate.thenCompose(v -> engine.createShard(shard));
    }
  }
}
