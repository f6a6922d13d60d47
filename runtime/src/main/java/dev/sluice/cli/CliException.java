package dev.sluice.cli;

/** A failure the CLI reports as one line and an exit code, without a stack trace. */
final class CliException extends RuntimeException {

  private final int exitCode;

  CliException(String message) {
    this(message, 1);
  }

  CliException(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
