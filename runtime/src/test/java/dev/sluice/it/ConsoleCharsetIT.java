package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What the packaged CLI prints where Java's own choice of charset is ASCII. */
class ConsoleCharsetIT {

  @Test
  void main_asciiDefaultCharset_printsUtf8() throws Exception {
    String jar = SluiceProcess.runnerJar();
    String java = SluiceProcess.java();
    // file.encoding ASCII: what Java 17 takes from a locale that is unset (C/POSIX); from Java 19
    // the standard streams have properties of their own, set alike. The arguments themselves are
    // decoded by the process locale, UTF-8 here
    ProcessBuilder pb =
        new ProcessBuilder(
            List.of(
                java,
                "-Dfile.encoding=ANSI_X3.4-1968",
                "-Dstdout.encoding=US-ASCII",
                "-Dstderr.encoding=US-ASCII",
                "-jar",
                jar,
                "tail",
                "--format=größe",
                "orders"));
    pb.environment().put("LC_ALL", "C.UTF-8");
    Process p = pb.start();
    p.getOutputStream().close();
    byte[] err = p.getErrorStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(p.exitValue()).as("a usage error").isEqualTo(2);
    assertThat(new String(err, StandardCharsets.UTF_8)).contains("größe");
  }
}
