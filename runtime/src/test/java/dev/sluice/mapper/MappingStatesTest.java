package dev.sluice.mapper;

import static dev.sluice.mapper.MapperHarness.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lambda's transitional states, seen by readers while a change waits for the runner: the mapper's
 * I/O is held so that stopping a runner (which ends with a checkpoint save) cannot finish early.
 */
class MappingStatesTest {

  static final java.util.Set<String> AT_REST = java.util.Set.of("Enabled", "Disabled");

  @TempDir Path dir;
  MapperHarness h;
  String uuid;

  @BeforeEach
  void open() throws Exception {
    h = new MapperHarness(dir).startMappings(Duration.ofSeconds(1), Duration.ofSeconds(8));
    String stream = h.stream();
    String fn = h.function("fixture.Recorder", RecordingHandler.SOURCES);
    MappingService.View created =
        h.mappings.create(MappingServiceTest.request(fn, stream, null, null));
    assertThat(created.state()).isEqualTo("Creating");
    uuid = created.config().uuid();
    h.put(stream, "first");
    assertThat(await(fn, 1)).hasSize(1);
  }

  @AfterEach
  void close() {
    h.close();
  }

  static MappingRequest change(Boolean enabled, Integer batchSize) {
    return new MappingRequest(
        null, null, enabled, batchSize, null, null, null, null, null, null, null, null, null, null,
        null, null, null);
  }

  /** Runs {@code change} with the I/O held; returns the state a reader saw meanwhile. */
  String seenWhile(Supplier<MappingService.View> change, CompletableFuture<MappingService.View> out)
      throws Exception {
    CountDownLatch io = h.holdIo();
    CompletableFuture.supplyAsync(change).whenComplete((v, e) -> complete(out, v, e));
    String seen = null;
    for (int i = 0; i < 500 && (seen == null || AT_REST.contains(seen)); i++) {
      Thread.sleep(5);
      try {
        seen = h.mappings.get(uuid).state();
      } catch (MappingException gone) {
        seen = "gone";
      }
    }
    assertThat(out).as("the change waits for the runner to drain").isNotDone();
    io.countDown();
    out.join();
    return seen;
  }

  private static void complete(
      CompletableFuture<MappingService.View> out, MappingService.View v, Throwable e) {
    if (e != null) {
      out.completeExceptionally(e);
    } else {
      out.complete(v);
    }
  }

  @Test
  void update_flippingEnabled_disablingThenEnablingUntilTheRunnerStoppedOrStarted()
      throws Exception {
    CompletableFuture<MappingService.View> disabled = new CompletableFuture<>();
    String seen = seenWhile(() -> h.mappings.update(uuid, change(false, null)), disabled);
    assertThat(seen).as("while the runner stops").isEqualTo("Disabling");
    assertThat(disabled.join().state()).as("the response").isEqualTo("Disabling");
    assertThat(h.mappings.get(uuid).state()).isEqualTo("Disabled");

    assertThat(h.mappings.update(uuid, change(true, null)).state()).isEqualTo("Enabling");
    assertThat(h.mappings.get(uuid).state()).isEqualTo("Enabled");
    assertThat(h.mappings.list(null, null))
        .extracting(MappingService.View::state)
        .containsExactly("Enabled");
  }

  @Test
  void update_notFlippingEnabled_updatingThenBackToEnabled() throws Exception {
    CompletableFuture<MappingService.View> updated = new CompletableFuture<>();
    String seen = seenWhile(() -> h.mappings.update(uuid, change(true, 7)), updated);
    assertThat(seen).isEqualTo("Updating");
    assertThat(updated.join().state()).isEqualTo("Updating");
    assertThat(updated.join().config().batchSize()).isEqualTo(7);
    assertThat(h.mappings.get(uuid).state()).isEqualTo("Enabled");
  }

  @Test
  void delete_whileTheRunnerDrains_deletingThenNotFound() throws Exception {
    CompletableFuture<MappingService.View> deleted = new CompletableFuture<>();
    String seen = seenWhile(() -> h.mappings.delete(uuid), deleted);
    assertThat(seen).isEqualTo("Deleting");
    assertThat(deleted.join().state()).isEqualTo("Deleting");
    assertThatThrownBy(() -> h.mappings.get(uuid))
        .isInstanceOf(MappingException.class)
        .extracting(e -> ((MappingException) e).kind())
        .isEqualTo(MappingException.Kind.NOT_FOUND);
    assertThat(h.mappings.list(null, null)).isEmpty();
  }
}
