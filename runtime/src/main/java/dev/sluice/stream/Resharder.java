package dev.sluice.stream;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Plans a reshard as Kinesis performs it: a sequence of splits and merges, so that every child
 * names at most two parents. Shards that a plan creates and closes again at once (steps of a
 * uniform scaling) close empty; open shards of the stream that the plan closes must be sealed in
 * the log before {@link #apply} records their end offsets.
 */
final class Resharder {

  private final Map<String, Shard> shards = new LinkedHashMap<>();
  private final Set<String> toSeal = new LinkedHashSet<>();
  private final Set<String> created = new LinkedHashSet<>();
  private final long now;
  private int nextOrdinal;

  private final CompletableFuture<Void> over = new CompletableFuture<>();

  Resharder(StreamMeta meta, long nowMillis) {
    meta.shards().forEach(s -> shards.put(s.id(), s));
    this.nextOrdinal = meta.nextOrdinal();
    this.now = nowMillis;
  }

  /**
   * The plan {@code meta} carries ({@link StreamMeta#reshard}), as it was made: the shards numbered
   * from the stream's next ordinal on are the ones it creates, and the stream's open shards that it
   * closes are the ones to seal.
   */
  static Resharder resume(StreamMeta meta) {
    ReshardPlan plan = meta.reshard();
    Resharder resumed = new Resharder(meta, plan.plannedMillis());
    resumed.shards.clear();
    for (Shard s : plan.shards()) {
      resumed.shards.put(s.id(), s);
      if (s.ordinal() >= meta.nextOrdinal()) {
        resumed.created.add(s.id());
      } else if (!s.isOpen() && meta.shard(s.id()).map(Shard::isOpen).orElse(false)) {
        resumed.toSeal.add(s.id());
      }
    }
    resumed.nextOrdinal = plan.nextOrdinal();
    return resumed;
  }

  /** Completes once the catalog is done with this plan: carried out, given up or moot. */
  CompletableFuture<Void> over() {
    return over;
  }

  /** What the stream keeps of this plan until it is carried out. */
  ReshardPlan plan() {
    return new ReshardPlan(List.copyOf(shards.values()), nextOrdinal, now);
  }

  /** Splits an open shard so that the second child starts at {@code newStart}. */
  Shard[] split(Shard parent, BigInteger newStart) {
    HashKeyRange r = parent.range();
    close(parent);
    Shard low =
        create(parent.id(), null, new HashKeyRange(r.start(), newStart.subtract(BigInteger.ONE)));
    Shard high = create(parent.id(), null, new HashKeyRange(newStart, r.end()));
    return new Shard[] {low, high};
  }

  /** Merges two adjacent open shards into one child naming both as parents. */
  Shard merge(Shard first, Shard adjacent) {
    HashKeyRange a = first.range();
    HashKeyRange b = adjacent.range();
    HashKeyRange union =
        a.start().compareTo(b.start()) < 0
            ? new HashKeyRange(a.start(), b.end())
            : new HashKeyRange(b.start(), a.end());
    close(first);
    close(adjacent);
    return create(first.id(), adjacent.id(), union);
  }

  /**
   * Reshapes the open shards into {@code target} shards of equal width: first splits every open
   * shard at each target boundary inside it, then merges neighbours that lie in the same target.
   */
  void uniform(List<Shard> openInHashOrder, int target) {
    List<HashKeyRange> targets = HashKeys.split(target);
    List<Shard> pieces = new ArrayList<>();
    for (Shard s : openInHashOrder) {
      pieces.addAll(splitAtBoundaries(s, targets));
    }
    for (HashKeyRange t : targets) {
      Shard merged = null;
      for (Shard p : pieces) {
        if (t.contains(p.range().start())) {
          merged = merged == null ? p : merge(merged, p);
        }
      }
    }
  }

  private List<Shard> splitAtBoundaries(Shard s, List<HashKeyRange> targets) {
    List<Shard> out = new ArrayList<>();
    Shard rest = s;
    for (HashKeyRange t : targets) {
      BigInteger b = t.start();
      if (b.compareTo(rest.range().start()) > 0 && b.compareTo(rest.range().end()) <= 0) {
        Shard[] halves = split(rest, b);
        out.add(halves[0]);
        rest = halves[1];
      }
    }
    out.add(rest);
    return out;
  }

  /** Existing open shards that must be sealed in the log before the plan is applied. */
  Set<String> toSeal() {
    return toSeal;
  }

  /**
   * Ids of the shards the plan creates and closes again at once: UpdateShardCount's intermediate
   * steps. They are real, empty, closed shards, as in Kinesis, so they get a sealed log too.
   */
  List<String> createdClosed() {
    return created.stream().filter(id -> !shards.get(id).isOpen()).toList();
  }

  /** The ordinal the next shard made after this plan's gets. */
  int nextOrdinal() {
    return nextOrdinal;
  }

  /** Ids of the shards the plan creates that stay open. */
  List<String> createdOpen() {
    return created.stream().filter(id -> shards.get(id).isOpen()).toList();
  }

  /** Whether {@code meta} is a stream that still carries this plan (null: none). */
  boolean carriedBy(StreamMeta meta) {
    return meta != null && plan().equals(meta.reshard());
  }

  /** Whether {@code meta} has the plan's shards already: the plan was applied to it. */
  boolean appliedTo(StreamMeta meta) {
    return created.stream().anyMatch(id -> meta.shard(id).isPresent());
  }

  /**
   * The stream after the plan, given the end offsets the sealed shards closed at, of which those in
   * {@code provisional} may still grow, and when their seals were done: they took records until
   * then, so that is their closing time.
   */
  StreamMeta apply(
      StreamMeta meta, Map<String, Long> sealedEndOffsets, Set<String> provisional, long sealedAt) {
    List<Shard> result = new ArrayList<>();
    for (Shard s : shards.values()) {
      Long end = sealedEndOffsets.get(s.id());
      result.add(
          end == null ? s : s.close(Math.max(now, sealedAt), end, provisional.contains(s.id())));
    }
    return meta.withShards(result, nextOrdinal).withReshard(null);
  }

  private void close(Shard s) {
    if (created.contains(s.id())) {
      shards.put(s.id(), s.close(now, 0));
    } else {
      toSeal.add(s.id());
      shards.put(s.id(), s.close(now, -1));
    }
  }

  private Shard create(String parent, String adjacentParent, HashKeyRange range) {
    Shard child = Shard.open(nextOrdinal++, parent, adjacentParent, range, now);
    shards.put(child.id(), child);
    created.add(child.id());
    return child;
  }
}
