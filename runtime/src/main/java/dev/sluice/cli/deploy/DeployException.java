package dev.sluice.cli.deploy;

/** A deploy that could not finish: a build failed, or the server never reached a state. */
public final class DeployException extends RuntimeException {

  /** A failure with a message for the user. */
  public DeployException(String message) {
    super(message);
  }
}
