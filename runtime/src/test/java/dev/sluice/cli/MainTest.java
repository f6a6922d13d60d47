package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

  @TempDir Path dir;

  @Test
  void ioFailure_fileErrorWrappedOnTheWay_oneLineNamingTheFile() {
    Path missing = dir.resolve("module/target");
    IOException cause = catchIo(() -> Files.list(missing).close());

    IOException found = Main.ioFailure(new UncheckedIOException(cause));

    assertThat(found).isSameAs(cause);
    assertThat(Main.describe(found)).isEqualTo("no such file or directory: " + missing);
  }

  @Test
  void ioFailure_notAFileError_leftToPicocli() {
    assertThat(Main.ioFailure(new IllegalStateException("bug"))).isNull();
  }

  @Test
  void describe_otherFileErrors_keepTheirMessage() throws IOException {
    Path file = Files.writeString(dir.resolve("plain"), "x");
    IOException notADir = catchIo(() -> Files.list(file).close());

    assertThat(Main.describe(notADir)).startsWith("I/O error: ").contains(file.toString());
  }

  @Test
  void run_outputCannotBeWritten_exitOneNamingTheError() {
    Cli.Result r = Cli.run(Cli.full(), "");

    // usage printed to a full disk: a script must not take the command for done
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("sluice: cannot write the output: No space left on device");
  }

  @Test
  void run_outputReaderGone_exitZero() {
    Cli.Result r = Cli.run(Cli.closingAfter(10), "");

    assertThat(r.exit()).as("| head ended the output").isZero();
    assertThat(r.err()).isEmpty();
  }

  private interface IoAction {
    void run() throws IOException;
  }

  private static IOException catchIo(IoAction action) {
    try {
      action.run();
    } catch (IOException e) {
      return e;
    }
    throw new AssertionError("the action should have failed");
  }
}
