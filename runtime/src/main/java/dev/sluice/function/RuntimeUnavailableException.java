package dev.sluice.function;

/**
 * A function cannot run in process mode on this machine: its runtime is unknown, or no installed
 * JDK can run its handler's class files.
 */
public final class RuntimeUnavailableException extends RuntimeException {

  /** An exception with the message shown to whoever deployed the function. */
  public RuntimeUnavailableException(String message) {
    super(message);
  }
}
