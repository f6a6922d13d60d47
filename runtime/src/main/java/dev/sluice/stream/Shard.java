package dev.sluice.stream;

/**
 * One shard of a stream, as the catalog records it.
 *
 * @param id the shard id, {@code shardId-} and 12 digits
 * @param ordinal the number in the id, unique within the stream
 * @param parent the shard this one was split or merged from, or null
 * @param adjacentParent the other parent of a merge, or null
 * @param range the hash keys the shard owns
 * @param createdMillis when the shard was opened
 * @param closedMillis when it was closed by resharding, or -1 while open
 * @param endOffset one past its last record once closed, or -1 while open
 * @param endProvisional whether the end may still grow: the shard was closed on storage other nodes
 *     write to, and its seal's grace (in which their late appends count) has not passed yet; its
 *     readers do not take it as read to its end until it is settled
 */
public record Shard(
    String id,
    int ordinal,
    String parent,
    String adjacentParent,
    HashKeyRange range,
    long createdMillis,
    long closedMillis,
    long endOffset,
    boolean endProvisional) {

  /** The id of shard number {@code ordinal}. */
  public static String idOf(int ordinal) {
    return String.format("shardId-%012d", ordinal);
  }

  /** A new open shard. */
  public static Shard open(
      int ordinal, String parent, String adjacentParent, HashKeyRange range, long nowMillis) {
    return new Shard(
        idOf(ordinal), ordinal, parent, adjacentParent, range, nowMillis, -1, -1, false);
  }

  /** True while the shard takes records. */
  public boolean isOpen() {
    return closedMillis < 0;
  }

  /** This shard closed at {@code endOffset}, for good. */
  public Shard close(long nowMillis, long endOffset) {
    return close(nowMillis, endOffset, false);
  }

  /** This shard closed at {@code endOffset}, which is {@code provisional} or final. */
  public Shard close(long nowMillis, long endOffset, boolean provisional) {
    return new Shard(
        id,
        ordinal,
        parent,
        adjacentParent,
        range,
        createdMillis,
        nowMillis,
        endOffset,
        provisional);
  }

  /** This closed shard with its final end. */
  public Shard settled(long finalEndOffset) {
    return close(closedMillis, Math.max(endOffset, finalEndOffset), false);
  }

  /** True once the shard is closed and its end will not grow any more. */
  public boolean isClosedForGood() {
    return !isOpen() && !endProvisional;
  }

  /**
   * The shard's StartingSequenceNumber in the stream created at {@code streamCreatedMillis}: below
   * its first record's, as in Kinesis.
   */
  public String startingSequenceNumber(long streamCreatedMillis) {
    return SequenceNumbers.shardStart(streamCreatedMillis, ordinal);
  }

  /**
   * Sequence number of its last record once closed (of offset 0 when it never had one), in the
   * stream created at {@code streamCreatedMillis}.
   */
  public String endingSequenceNumber(long streamCreatedMillis) {
    return isOpen()
        ? null
        : SequenceNumbers.of(streamCreatedMillis, ordinal, Math.max(0, endOffset - 1));
  }

  /**
   * The sequence number of its record at {@code offset}, in the stream created at the time given.
   */
  public String sequenceNumber(long streamCreatedMillis, long offset) {
    return SequenceNumbers.of(streamCreatedMillis, ordinal, offset);
  }
}
