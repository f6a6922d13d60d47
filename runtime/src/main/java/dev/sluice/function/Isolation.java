package dev.sluice.function;

/** How a function's instances are run. */
public enum Isolation {
  /** In the Sluice JVM, each function in its own child-first classloader (the default). */
  CLASSLOADER,
  /** Each instance a separate process speaking the Lambda Runtime API to Sluice. */
  PROCESS
}
