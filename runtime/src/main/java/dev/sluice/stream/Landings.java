package dev.sluice.stream;

import dev.sluice.cluster.StateException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * This node's changes of streams on shared state, each waiting for its record to come back in the
 * shared order before it is answered. Two nodes may accept changes of one stream at once, and only
 * the record first in the order stands: a change whose record lost is made again on top of the one
 * that won (checked anew, so a reshard meets the other's UPDATING and fails, and a creation the
 * other's stream), at most {@link #TRIES} times, instead of being dropped after its caller was told
 * it was made. A reshard is carried out, and a creation's logs made, only once its record stands: a
 * reshard that lost would seal shards the winner keeps open, a creation that lost make partitions
 * for a stream that is not its own.
 *
 * <p>Thread model: the catalog's thread only.
 */
final class Landings {

  /** How many times a change is made before its caller is told the stream is in use. */
  static final int TRIES = 3;

  /**
   * How long a caller waits for its change to stand before being told the outcome is unknown; a
   * record that comes back first later still has its follow-up run.
   */
  static final long WAIT_MILLIS = 30_000;

  /** A change made on the catalog's thread: it checks the stream, then publishes one record. */
  @FunctionalInterface
  interface Edit {
    /** Publishes the change; throws when the stream as it is now does not allow it. */
    Published publish();
  }

  /**
   * A published record and what follows it.
   *
   * @param record the record, with its version
   * @param onFirst runs once it stands first in the shared order (or at once with no shared order)
   * @param onLost runs once another change came first, before the edit is made again
   * @param over completes once what {@code onFirst} started is over: the stream's next change waits
   *     for it, so that it is not written before (and then under) the records that follow
   */
  record Published(
      StreamMeta record, Runnable onFirst, Runnable onLost, CompletionStage<Void> over) {

    /** A record with nothing to follow it. */
    static Published of(StreamMeta record) {
      return then(record, () -> {});
    }

    /** A record whose {@code onFirst} is all that follows it, over once run. */
    static Published then(StreamMeta record, Runnable onFirst) {
      return new Published(record, onFirst, () -> {}, CompletableFuture.completedFuture(null));
    }
  }

  private record Key(String name, long createdMillis, long version) {

    static Key of(StreamMeta meta) {
      return new Key(meta.name(), meta.createdMillis(), meta.version());
    }
  }

  /** One edit, from its first try to its answer. */
  private static final class Op {
    final String name;
    final Edit edit;
    final CompletableFuture<Void> answer = new CompletableFuture<>();
    int tries;

    /** The last try's record; null while the edit waits for the stream's earlier ones. */
    Published published;

    /** Whether the stream's next edit may start. */
    boolean released;

    Op(String name, Edit edit) {
      this.name = name;
      this.edit = edit;
    }
  }

  /** Each written record that waits to come back, and its edit. */
  private final Map<Key, Op> waiting = new HashMap<>();

  /**
   * Per stream, the edit being made, then those that wait for it. One at a time, so that each is
   * made from a state of the stream that stands in the shared order: an edit made on top of this
   * node's own record still in flight would be accepted in the order even when that record lost,
   * and undo the change that beat it.
   */
  private final Map<String, ArrayDeque<Op>> queues = new HashMap<>();

  private final ScheduledExecutorService thread;
  private boolean stopped;

  /** Landings scheduled on the catalog's {@code thread}. */
  Landings(ScheduledExecutorService thread) {
    this.thread = thread;
  }

  /**
   * Makes {@code edit} of stream {@code name} and answers once its record stands; {@code shared}
   * says whether there is a shared order to wait for.
   */
  CompletableFuture<Void> make(String name, Edit edit, boolean shared) {
    if (!shared) {
      edit.publish().onFirst().run();
      return CompletableFuture.completedFuture(null);
    }
    Op op = new Op(name, edit);
    if (stopped) {
      op.answer.completeExceptionally(new StateException("The node is stopping"));
      return op.answer;
    }
    thread.schedule(() -> late(op), WAIT_MILLIS, TimeUnit.MILLISECONDS);
    ArrayDeque<Op> queue = queues.computeIfAbsent(name, k -> new ArrayDeque<>());
    queue.add(op);
    if (queue.size() == 1) {
      start(op);
    }
    return op.answer;
  }

  private void start(Op op) {
    try {
      op.tries++;
      op.published = op.edit.publish();
      waiting.put(Key.of(op.published.record()), op);
    } catch (RuntimeException | Error e) {
      finish(op, e);
    }
  }

  private void late(Op op) {
    if (op.answer.isDone()) {
      return;
    }
    if (op.published == null) {
      // still behind an earlier change of the stream: nothing of it was written
      queues.get(op.name).remove(op);
      op.released = true;
      op.answer.completeExceptionally(
          StreamException.inUse(
              "Stream " + op.name + " has another change under way; try again later."));
      return;
    }
    // the record stays awaited: should it come back first, its follow-up still runs
    finish(
        op,
        new StateException(
            "The change of stream "
                + op.name
                + " was written but not read back in time; DescribeStream shows whether it was"
                + " made"));
  }

  /** Answers {@code op} ({@code cause} null: made) and starts the stream's next edit. */
  private void finish(Op op, Throwable cause) {
    if (cause == null) {
      op.answer.complete(null);
    } else {
      op.answer.completeExceptionally(cause);
    }
    release(op);
  }

  private void release(Op op) {
    if (op.released) {
      return;
    }
    op.released = true;
    ArrayDeque<Op> queue = queues.get(op.name);
    queue.remove(op);
    if (queue.isEmpty()) {
      queues.remove(op.name);
    } else if (!stopped) {
      start(queue.peek());
    }
  }

  /** Whether {@code meta}, a record this node wrote, is a change waiting to land. */
  boolean waitsFor(StreamMeta meta) {
    return waiting.containsKey(Key.of(meta));
  }

  /**
   * This node's record {@code meta} came back, {@code first} in the shared order or after a change
   * that won. Called once the catalog applied it (or failed to), so {@code shown} is the stream as
   * the catalog shows it now (null: gone). A change of a stream deleted meanwhile, or deleted and
   * created again, is not made on the new one; a creation that lost is made again, and then finds
   * the winner's stream.
   */
  void landed(StreamMeta meta, boolean first, StreamMeta shown) {
    Op op = waiting.remove(Key.of(meta));
    if (op == null) {
      return;
    }
    if (first) {
      op.published.onFirst().run();
      op.answer.complete(null);
      op.published.over().whenComplete((v, e) -> releaseLater(op));
      return;
    }
    op.published.onLost().run();
    if (op.released || stopped) {
      return; // its caller was told already
    }
    boolean creation = meta.status() == StreamStatus.CREATING;
    if (!creation && (shown == null || shown.createdMillis() != meta.createdMillis())) {
      finish(op, StreamException.notFound("Stream " + meta.name() + " not found."));
    } else if (op.tries >= TRIES) {
      finish(
          op,
          StreamException.inUse(
              "Stream " + meta.name() + " was changed by other requests at the same time."));
    } else {
      start(op);
    }
  }

  /** Releases {@code op} in a task of its own: its follow-up may be in the middle of a step. */
  private void releaseLater(Op op) {
    try {
      thread.execute(() -> release(op));
    } catch (RejectedExecutionException closing) {
      // the node stops: nothing more starts
    }
  }

  /** Answers every change not answered yet with {@code cause}, and starts none: the node stops. */
  void stop(RuntimeException cause) {
    stopped = true;
    queues.values().forEach(q -> q.forEach(op -> op.answer.completeExceptionally(cause)));
    waiting.values().forEach(op -> op.answer.completeExceptionally(cause));
  }
}
