package dev.sluice.cli.client;

/**
 * A request the server refused, or a server that could not be reached. The CLI prints the message
 * and exits; nothing here is retried automatically.
 */
public class ClientException extends RuntimeException {

  private final String type;
  private final int status;

  /** An error the server answered with, in its protocol's shape. */
  public ClientException(String type, String message, int status) {
    super(type + ": " + message);
    this.type = type;
    this.status = status;
  }

  ClientException(String message, Throwable cause) {
    super(message, cause);
    this.type = "ClientError";
    this.status = 0;
  }

  /** The error's name, such as {@code ResourceNotFoundException}. */
  public String type() {
    return type;
  }

  /** The HTTP status, or 0 when the server was not reached. */
  public int status() {
    return status;
  }

  /** Whether the server said the named resource does not exist. */
  public boolean notFound() {
    return "ResourceNotFoundException".equals(type);
  }
}
