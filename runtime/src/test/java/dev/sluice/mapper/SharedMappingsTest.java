package dev.sluice.mapper;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.cluster.SharedRecords;
import dev.sluice.testing.MemoryState;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class SharedMappingsTest {

  @Test
  void delete_anotherNodesConfigurationAppliedWhileTheMarkerIsWritten_isNotStartedAgain()
      throws Exception {
    MemoryState state = new MemoryState();
    SharedMappings mappings = new SharedMappings(state, Clock.systemUTC());
    mappings.load();
    List<String> changed = new CopyOnWriteArrayList<>();
    mappings.listen(
        new SharedRecords.Remote<>() {
          @Override
          public void changed(String uuid, MappingConfig c) {
            changed.add(uuid);
          }

          @Override
          public void removed(String uuid) {}
        });
    byte[] stale = new ObjectMapper().writeValueAsBytes(config("u-raced"));
    // another node's update, written just after the marker, is applied here while this node's
    // write of the marker returns
    state.listenAll(
        "mapping-deleted/",
        (key, value) -> {
          if (value != null) {
            state.remote("mapping/u-raced", stale);
          }
        });

    mappings.delete("u-raced");

    assertThat(changed).as("no runner is started for the deleted mapping").isEmpty();
  }

  private static MappingConfig config(String uuid) {
    return new MappingConfig(
        uuid,
        "f",
        "orders",
        true,
        100,
        0,
        StartingPosition.TRIM_HORIZON,
        null,
        1,
        false,
        0,
        -1,
        null,
        false,
        List.of(),
        0,
        false,
        0,
        null);
  }
}
