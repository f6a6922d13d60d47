package dev.sluice.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResharderTest {

  static StreamMeta stream(int shards) {
    List<HashKeyRange> ranges = HashKeys.split(shards);
    List<Shard> list =
        java.util.stream.IntStream.range(0, shards)
            .mapToObj(i -> Shard.open(i, null, null, ranges.get(i), 0))
            .toList();
    return new StreamMeta(
        "s", StreamStatus.ACTIVE, StreamMode.PROVISIONED, 24, 0, list, Map.of(), shards, 1);
  }

  @ParameterizedTest
  @CsvSource({"1,2", "2,3", "3,2", "4,7", "8,4", "5,9", "6,3", "10,20", "20,10"})
  void uniform_anyFactorWithinTwo_evenOpenShardsAndAtMostTwoParents(int from, int to) {
    StreamMeta meta = stream(from);
    Resharder plan = new Resharder(meta, 1);
    plan.uniform(meta.openShards(), to);
    Map<String, Long> ends = new HashMap<>();
    plan.toSeal().forEach(id -> ends.put(id, 10L));
    StreamMeta after = plan.apply(meta, ends, Set.of(), 7);

    List<HashKeyRange> open = after.openShards().stream().map(Shard::range).toList();
    assertThat(open).containsExactlyElementsOf(HashKeys.split(to));
    assertThat(plan.toSeal())
        .hasSize((int) meta.openShards().stream().filter(s -> !open.contains(s.range())).count());
    Set<String> ids = after.shards().stream().map(Shard::id).collect(Collectors.toSet());
    for (Shard s : after.shards()) {
      if (s.ordinal() >= from) {
        assertThat(ids).contains(s.parent());
        if (s.adjacentParent() != null) {
          assertThat(ids).contains(s.adjacentParent());
        }
        assertThat(coveredByParents(after, s))
            .as("child %s lies within its parents", s.id())
            .isTrue();
      }
      if (!s.isOpen()) {
        assertThat(s.endOffset()).isGreaterThanOrEqualTo(0);
        if (plan.toSeal().contains(s.id())) {
          assertThat(s.closedMillis()).as("closed when its seal was done").isEqualTo(7);
        }
      }
    }
  }

  @ParameterizedTest
  @CsvSource({"1,2", "3,2", "4,7", "20,10"})
  void resume_aKeptPlan_sameShardsToSealCreateAndApply(int from, int to) {
    StreamMeta meta = stream(from);
    Resharder plan = new Resharder(meta, 5);
    plan.uniform(meta.openShards(), to);
    StreamMeta updating =
        meta.withStatus(StreamStatus.UPDATING).withTags(Map.of("t", "v")).withReshard(plan.plan());

    Resharder resumed = Resharder.resume(updating);

    assertThat(resumed.toSeal()).containsExactlyInAnyOrderElementsOf(plan.toSeal());
    assertThat(resumed.createdOpen()).containsExactlyElementsOf(plan.createdOpen());
    assertThat(resumed.createdClosed()).containsExactlyElementsOf(plan.createdClosed());
    Map<String, Long> ends = new HashMap<>();
    plan.toSeal().forEach(id -> ends.put(id, 3L));
    StreamMeta after = resumed.apply(updating, ends, Set.of(), 9);
    assertThat(after.shards()).isEqualTo(plan.apply(meta, ends, Set.of(), 9).shards());
    assertThat(after.reshard()).isNull();
    assertThat(after.tags()).containsEntry("t", "v");
  }

  private static boolean coveredByParents(StreamMeta m, Shard child) {
    BigInteger lo = m.shard(child.parent()).orElseThrow().range().start();
    BigInteger hi = m.shard(child.parent()).orElseThrow().range().end();
    if (child.adjacentParent() != null) {
      HashKeyRange adj = m.shard(child.adjacentParent()).orElseThrow().range();
      lo = lo.min(adj.start());
      hi = hi.max(adj.end());
    }
    return child.range().start().compareTo(lo) >= 0 && child.range().end().compareTo(hi) <= 0;
  }
}
