package dev.sluice.log.file;

import dev.sluice.log.LogException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;

/** A non-append operation for a writer or reader thread, completing its future with the outcome. */
final class ControlTask<T> implements Runnable {

  /** The operation; may do I/O. */
  @FunctionalInterface
  interface Action<T> {
    T run() throws IOException;
  }

  final CompletableFuture<T> future = new CompletableFuture<>();
  private final Action<T> action;

  ControlTask(Action<T> action) {
    this.action = action;
  }

  @Override
  public void run() {
    try {
      future.complete(action.run());
    } catch (IOException | RuntimeException e) {
      future.completeExceptionally(asLogException(e));
    } catch (Error e) {
      // an OutOfMemoryError decoding a large read, say: the caller must still get an answer, not
      // wait for ever on a future whose thread died
      future.completeExceptionally(new LogException(String.valueOf(e), e));
      throw e;
    }
  }

  void fail(LogException e) {
    future.completeExceptionally(e);
  }

  static LogException asLogException(Exception e) {
    if (e instanceof LogException le) {
      return le;
    }
    Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
    return new LogException(String.valueOf(cause.getMessage()), cause);
  }
}
