package dev.sluice.examples.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileOrderStoreTest {
  @TempDir Path dir;

  private static OrderStatus status(String orderId, OrderState state, String eventId) {
    List<String> history =
        Stream.of(OrderState.values())
            .filter(s -> s.ordinal() <= state.ordinal())
            .map(OrderState::eventType)
            .toList();
    return new OrderStatus(
        orderId, state, eventId, Instant.parse("2026-11-25T10:00:00.123Z"), history);
  }

  @Test
  void save_thenFind_returnsEqualStatus() throws IOException {
    FileOrderStore store = new FileOrderStore(dir.resolve("state"));
    OrderStatus shipped = status("o-000123", OrderState.SHIPPED, "e-2");

    store.save(shipped);

    assertThat(store.find("o-000123")).contains(shipped);
    assertThat(new FileOrderStore(dir.resolve("state")).find("o-000123")).contains(shipped);
  }

  @Test
  void find_unknownOrderOrMissingDirectory_empty() throws IOException {
    assertThat(new FileOrderStore(dir.resolve("nothing-yet")).find("o-1")).isEmpty();
  }

  @Test
  void save_writesOneJsonFilePerOrderWithTheDocumentedFields() throws IOException {
    FileOrderStore store = new FileOrderStore(dir);

    store.save(status("o-1", OrderState.PLACED, "e-1"));
    store.save(status("o-1", OrderState.SHIPPED, "e-2"));
    store.save(status("o-2", OrderState.PLACED, "e-3"));

    try (Stream<Path> files = Files.list(dir)) {
      // replaced in place, and no temporary file left behind
      assertThat(files.map(f -> f.getFileName().toString()))
          .containsExactlyInAnyOrder("o-1.json", "o-2.json");
    }
    JsonNode json = new ObjectMapper().readTree(dir.resolve("o-1.json").toFile());
    assertThat(json.get("orderId").asText()).isEqualTo("o-1");
    assertThat(json.get("state").asText()).isEqualTo("Shipped");
    assertThat(json.get("lastEventId").asText()).isEqualTo("e-2");
    assertThat(json.get("updatedAt").asText()).isEqualTo("2026-11-25T10:00:00.123Z");
    assertThat(json.get("history").toString()).isEqualTo("[\"OrderPlaced\",\"OrderShipped\"]");
  }

  @Test
  void save_whileAnotherThreadReads_readerNeverSeesAPartialFile() throws Exception {
    FileOrderStore store = new FileOrderStore(dir);
    // a small and a large status in turn: a file rewritten in place would be read half-written
    OrderStatus small = status("o-1", OrderState.PLACED, "e");
    OrderStatus large = status("o-1", OrderState.SHIPPED, "e".repeat(200_000));
    store.save(small);
    AtomicBoolean done = new AtomicBoolean();
    AtomicReference<Throwable> readError = new AtomicReference<>();
    AtomicInteger reads = new AtomicInteger();
    Thread reader =
        new Thread(
            () -> {
              while (!done.get() && readError.get() == null) {
                try {
                  OrderStatus seen = store.find("o-1").orElseThrow();
                  if (!seen.equals(small) && !seen.equals(large)) {
                    readError.set(new AssertionError("unexpected status " + seen.lastEventId()));
                  }
                  reads.incrementAndGet();
                } catch (Throwable e) {
                  readError.set(e);
                }
              }
            });
    reader.start();
    try {
      for (int i = 0; i < 100; i++) {
        store.save(i % 2 == 0 ? large : small);
      }
    } finally {
      done.set(true);
      reader.join();
    }

    assertThat(readError.get()).isNull();
    assertThat(reads.get()).isPositive();
  }

  @Test
  void find_leftoverTempFileOfACrashedSave_ignored() throws IOException {
    FileOrderStore store = new FileOrderStore(dir);
    OrderStatus placed = status("o-1", OrderState.PLACED, "e-1");
    store.save(placed);
    Files.writeString(dir.resolve(".order-123.tmp"), "{\"orderId\":\"o-1\",\"sta");

    assertThat(store.find("o-1")).contains(placed);
  }

  @Test
  void find_corruptFile_throwsIOException() throws IOException {
    FileOrderStore store = new FileOrderStore(dir);
    Files.writeString(dir.resolve("o-1.json"), "{\"orderId\":\"o-1\",\"state\":\"Lost\"}");

    assertThatThrownBy(() -> store.find("o-1"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not an order status");
  }

  @Test
  void file_orderIdThatIsNoSafeFileName_hashedInsideTheDirectory() throws IOException {
    FileOrderStore store = new FileOrderStore(dir);

    Path file = store.file("../../etc/passwd");
    store.save(status("../../etc/passwd", OrderState.PLACED, "e-1"));

    assertThat(file.getParent()).isEqualTo(dir);
    assertThat(file.getFileName().toString()).startsWith("sha256-").endsWith(".json");
    assertThat(store.find("../../etc/passwd")).isPresent();
    assertThat(store.file("o-000123").getFileName().toString()).isEqualTo("o-000123.json");
  }

  @Test
  void fromEnvironment_orderStateDirSet_usesIt() {
    assertThat(FileOrderStore.fromEnvironment(Map.of("ORDER_STATE_DIR", "/var/orders")).dir())
        .isEqualTo(Path.of("/var/orders"));
  }

  @Test
  void fromEnvironment_nothingSet_usesTempDir() {
    assertThat(FileOrderStore.fromEnvironment(Map.of()).dir())
        .isEqualTo(Path.of(System.getProperty("java.io.tmpdir"), "sluice-order-state"));
  }
}
