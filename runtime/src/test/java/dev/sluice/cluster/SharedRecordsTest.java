package dev.sluice.cluster;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.MemoryState;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Records of one kind in the shared state, as a starting node loads them. */
class SharedRecordsTest {

  record Item(String name) {}

  /** A store whose snapshot also holds a large value read as gone (see {@link OpenedValues}). */
  static final class WithGoneValue implements StateStore {
    private final StateStore state;

    WithGoneValue(StateStore state) {
      this.state = state;
    }

    @Override
    public Map<String, byte[]> snapshot(String prefix) {
      Map<String, byte[]> out = new LinkedHashMap<>(state.snapshot(prefix));
      out.put(prefix + "gone", null);
      return out;
    }

    @Override
    public void listen(String prefix, StateListener listener) {
      state.listen(prefix, listener);
    }

    @Override
    public void listenAll(String prefix, StateListener listener) {
      state.listenAll(prefix, listener);
    }

    @Override
    public void follow() {
      state.follow();
    }

    @Override
    public void put(String key, byte[] value) {
      state.put(key, value);
    }

    @Override
    public void remove(String key) {
      state.remove(key);
    }

    @Override
    public void close() {
      state.close();
    }
  }

  @Test
  void load_aLargeValueGoneSinceTheStoreOpened_skippedAndTheOthersRead() {
    MemoryState state = new MemoryState();
    state.remote("item/a", "{\"name\":\"a\"}".getBytes(UTF_8));

    List<Item> loaded = new SharedRecords<>(new WithGoneValue(state), "item/", Item.class).load();

    assertThat(loaded).containsExactly(new Item("a"));
  }

  @Test
  void openedValues_largeValueRead_readsItOnEachAskAndNullWhenItsRecordIsGone() {
    Map<String, Object> held = new LinkedHashMap<>();
    held.put("code/a", 7L);
    held.put("code/b", 9L);
    held.put("small", "s".getBytes(UTF_8));
    List<Long> asked = new java.util.ArrayList<>();
    OpenedValues values =
        new OpenedValues(
            held,
            (key, offset) -> {
              asked.add(offset);
              return offset == 7 ? "package a".getBytes(UTF_8) : null;
            });

    assertThat(values.keySet()).containsExactly("code/a", "code/b", "small");
    assertThat(asked).as("keys alone read nothing").isEmpty();
    assertThat(new String(values.get("code/a"), UTF_8)).isEqualTo("package a");
    assertThat(values.get("code/b")).isNull();
    assertThat(values.containsKey("code/b")).isTrue();
    assertThat(new String(values.get("small"), UTF_8)).isEqualTo("s");
    assertThat(asked).containsExactly(7L, 9L);
  }
}
