package dev.sluice.cli.client;

/** No Sluice server answered at the endpoint. */
public final class ServerUnavailableException extends ClientException {

  /** No server answered at {@code endpoint}. */
  public ServerUnavailableException(String endpoint, Throwable cause) {
    super(
        "no Sluice server answers at "
            + endpoint
            + " (start one with './sluice up' or './sluice serve', or pass --endpoint)",
        cause);
  }
}
