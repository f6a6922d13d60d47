package dev.sluice.function;

import java.util.function.Consumer;

/**
 * Where a node on shared state keeps the asynchronous events it accepted until they are done, so
 * that the 202 of an Event invoke survives the node: any node may run an event, and a node that
 * dies leaves its unfinished events to the others. Delivery is at least once, as Lambda's own queue
 * is: an event may run again after a node died or the events moved between nodes.
 */
public interface EventQueue extends AutoCloseable {

  /**
   * Stores {@code event} durably, returning once the store acknowledged it.
   *
   * @throws FunctionException of kind SERVICE when it could not be stored
   */
  void offer(QueuedEvent event);

  /** Starts handing the events this node is to run to {@code sink}, on the queue's own thread. */
  void start(Consumer<Delivery> sink);

  /** Stops delivering; events not done are run again by whichever node takes them next. */
  @Override
  void close();

  /** One event handed to this node, to be reported done once it ends one way or the other. */
  interface Delivery {

    /** The event. */
    QueuedEvent event();

    /**
     * Whether the event is still this node's to run: false once it moved to another node, which
     * runs it from the start. A waiting retry checks this before it runs.
     */
    boolean current();

    /**
     * Reports the event finished (succeeded, out of retries, or dropped); callable from any thread.
     */
    void done();
  }
}
