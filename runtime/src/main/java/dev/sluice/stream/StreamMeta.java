package dev.sluice.stream;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A stream as the catalog records it. Immutable: every change makes a new value.
 *
 * @param name the stream name
 * @param status where the stream is in its life
 * @param mode the capacity mode
 * @param retentionHours how long records are kept
 * @param createdMillis when the stream was created
 * @param shards every shard not yet expired, open and closed, in ordinal order
 * @param tags the stream's tags, sorted by key
 * @param nextOrdinal the ordinal the next new shard gets
 * @param version how many changes the stream has had: with node state several nodes share, a change
 *     is applied only over an older version, so a node that had not yet seen another's change
 *     cannot overwrite it
 * @param reshard the reshard being carried out while the stream is UPDATING, or null
 */
public record StreamMeta(
    String name,
    StreamStatus status,
    StreamMode mode,
    int retentionHours,
    long createdMillis,
    List<Shard> shards,
    Map<String, String> tags,
    int nextOrdinal,
    long version,
    @JsonInclude(JsonInclude.Include.NON_NULL) ReshardPlan reshard) {

  /** Copies the collections so that the value cannot change under its readers. */
  public StreamMeta {
    shards = List.copyOf(shards);
    tags = Collections.unmodifiableMap(new TreeMap<>(tags));
  }

  /** A stream with no reshard under way. */
  public StreamMeta(
      String name,
      StreamStatus status,
      StreamMode mode,
      int retentionHours,
      long createdMillis,
      List<Shard> shards,
      Map<String, String> tags,
      int nextOrdinal,
      long version) {
    this(
        name,
        status,
        mode,
        retentionHours,
        createdMillis,
        shards,
        tags,
        nextOrdinal,
        version,
        null);
  }

  /** The shard with {@code shardId}, if the stream still has it. */
  public Optional<Shard> shard(String shardId) {
    return shards.stream().filter(s -> s.id().equals(shardId)).findFirst();
  }

  /**
   * Whether the stream had shard {@code shardId} and no longer has it: it expired. An id numbered
   * at or past {@link #nextOrdinal} is of a shard newer than this value (another node resharded
   * meanwhile), not an expired one.
   */
  public boolean expired(String shardId) {
    if (shard(shardId).isPresent()) {
      return false;
    }
    try {
      int ordinal = Integer.parseInt(shardId.substring(shardId.lastIndexOf('-') + 1));
      return ordinal < nextOrdinal && Shard.idOf(ordinal).equals(shardId);
    } catch (NumberFormatException notAShardId) {
      return false;
    }
  }

  /** The open shards, in hash-key order. */
  public List<Shard> openShards() {
    List<Shard> open = new ArrayList<>();
    for (Shard s : shards) {
      if (s.isOpen()) {
        open.add(s);
      }
    }
    open.sort((a, b) -> a.range().start().compareTo(b.range().start()));
    return open;
  }

  /** The shards of this stream that were created from {@code shardId}. */
  public List<Shard> children(String shardId) {
    return shards.stream()
        .filter(s -> shardId.equals(s.parent()) || shardId.equals(s.adjacentParent()))
        .toList();
  }

  /** This stream in {@code newStatus}; a reshard plan is kept only while it stays UPDATING. */
  StreamMeta withStatus(StreamStatus newStatus) {
    return new StreamMeta(
        name,
        newStatus,
        mode,
        retentionHours,
        createdMillis,
        shards,
        tags,
        nextOrdinal,
        version,
        newStatus == StreamStatus.UPDATING ? reshard : null);
  }

  /** This stream carrying out {@code plan}, or none when null. */
  StreamMeta withReshard(ReshardPlan plan) {
    return new StreamMeta(
        name,
        status,
        mode,
        retentionHours,
        createdMillis,
        shards,
        tags,
        nextOrdinal,
        version,
        plan);
  }

  StreamMeta withRetention(int hours) {
    return new StreamMeta(
        name, status, mode, hours, createdMillis, shards, tags, nextOrdinal, version, reshard);
  }

  StreamMeta withMode(StreamMode newMode) {
    return new StreamMeta(
        name,
        status,
        newMode,
        retentionHours,
        createdMillis,
        shards,
        tags,
        nextOrdinal,
        version,
        reshard);
  }

  StreamMeta withTags(Map<String, String> newTags) {
    return new StreamMeta(
        name,
        status,
        mode,
        retentionHours,
        createdMillis,
        shards,
        newTags,
        nextOrdinal,
        version,
        reshard);
  }

  StreamMeta withShards(List<Shard> newShards, int newNextOrdinal) {
    return new StreamMeta(
        name,
        status,
        mode,
        retentionHours,
        createdMillis,
        newShards,
        tags,
        newNextOrdinal,
        version,
        reshard);
  }

  /**
   * The {@link StreamStatus#GONE} record that marks this stale change of a deleted stream: the same
   * generation and version, no shards or tags.
   */
  StreamMeta gone() {
    return new StreamMeta(
        name,
        StreamStatus.GONE,
        mode,
        retentionHours,
        createdMillis,
        List.of(),
        Map.of(),
        0,
        version);
  }

  StreamMeta withVersion(long newVersion) {
    return new StreamMeta(
        name,
        status,
        mode,
        retentionHours,
        createdMillis,
        shards,
        tags,
        nextOrdinal,
        newVersion,
        reshard);
  }
}
