package dev.sluice.function.classloader.bridge;

/** Builds a handler's events-library event from a batch laid out as objects, without JSON. */
interface EventFactory {

  /** The events-library class the factory builds, which names the batch layout it reads. */
  String eventType();

  /** The event for {@code batch}. */
  Object build(Object[] batch) throws Throwable;

  /** Whether events are made by plain bytecode rather than method handles. */
  boolean direct();
}
