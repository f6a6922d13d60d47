package dev.sluice.log.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.log.LogException;
import org.junit.jupiter.api.Test;

class ControlTaskTest {

  @Test
  void run_actionFailsWithAnError_theCallerIsAnsweredAndTheErrorGoesOn() {
    OutOfMemoryError oom = new OutOfMemoryError("decoding a 10 MB read");
    ControlTask<String> task =
        new ControlTask<>(
            () -> {
              throw oom;
            });

    assertThatThrownBy(task::run).isSameAs(oom);

    assertThat(task.future).isCompletedExceptionally();
    assertThatThrownBy(task.future::join).cause().isInstanceOf(LogException.class).hasCause(oom);
  }

  @Test
  void run_actionFailsWithAnIoException_futureFailsAsALogException() {
    ControlTask<String> task =
        new ControlTask<>(
            () -> {
              throw new java.io.IOException("disk gone");
            });

    task.run();

    assertThatThrownBy(task.future::join)
        .cause()
        .isInstanceOf(LogException.class)
        .hasMessageContaining("disk gone");
  }
}
