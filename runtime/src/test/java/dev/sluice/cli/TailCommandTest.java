package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.cli.client.SluiceClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** {@code sluice tail}'s lines, and option values it refuses before reaching any server. */
class TailCommandTest {

  @Test
  void line_textFormatWithNewlinesTabsAndEscapes_oneLineWithEscapes() {
    ObjectNode r = SluiceClient.object();
    r.put("SequenceNumber", "49");
    r.put("PartitionKey", "k\tey");
    r.put(
        "Data",
        Base64.getEncoder()
            .encodeToString("{\n  \"a\": 1\r\n}\u001b[2J\\".getBytes(StandardCharsets.UTF_8)));

    String line = TailCommand.line(TailCommand.Format.TEXT, "shardId-0", r);

    assertThat(line).isEqualTo("shardId-0\t49\tk\\tey\t{\\n  \"a\": 1\\r\\n}\\u001b[2J\\\\");
    assertThat(TailCommand.line(TailCommand.Format.DATA, "shardId-0", r))
        .as("the data format stays byte for byte")
        .contains("\n");
  }

  @Test
  void format_unknownValue_usageErrorNamingTheAllowedValues() {
    Cli.Result r =
        Cli.run("", "tail", "orders", "--format", "xml", "--endpoint", "http://127.0.0.1:1");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .contains("Invalid value for option '--format'")
        .contains("expected one of text, data, json but was 'xml'")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
  }

  @Test
  void from_unknownValue_usageErrorNamingTheAllowedValues() {
    Cli.Result r =
        Cli.run("", "tail", "orders", "--from", "oldest", "--endpoint", "http://127.0.0.1:1");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .contains("Invalid value for option '--from'")
        .contains("expected one of trim-horizon, latest but was 'oldest'")
        .doesNotContain("Exception");
  }

  @Test
  void limit_zeroNegativeOrNotANumber_usageErrorNamingTheRange() {
    for (String bad : new String[] {"0", "-1"}) {
      Cli.Result r =
          Cli.run("", "tail", "orders", "--limit", bad, "--endpoint", "http://127.0.0.1:1");

      assertThat(r.exit()).isEqualTo(2);
      assertThat(r.err())
          .contains("Invalid value for option '--limit': must be at least 1, not " + bad)
          .doesNotContain("\tat ");
    }
    Cli.Result r =
        Cli.run("", "tail", "orders", "--limit", "ten", "--endpoint", "http://127.0.0.1:1");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("'ten' is not a whole number");
  }

  @Test
  void logsLines_zero_usageError() {
    Cli.Result r = Cli.run("", "logs", "fn", "--lines", "0", "--endpoint", "http://127.0.0.1:1");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("Invalid value for option '--lines': must be at least 1, not 0");
  }

  @Test
  void upPort_outOfRangeOrZero_usageErrorBeforeReadingTheTemplate() {
    Cli.Result r = Cli.run("", "up", "/nonexistent.yaml", "--port", "65536");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .contains("Invalid value for option '--port': must be between 1 and 65535, not 65536");
    // any free port: up would not learn which one its server took, and wait on port 0
    Cli.Result zero = Cli.run("", "up", "/nonexistent.yaml", "--port", "0");
    assertThat(zero.exit()).isEqualTo(2);
    assertThat(zero.err()).contains("must be between 1 and 65535, not 0");
  }

  @Test
  void formatAndFrom_anyCase_accepted() {
    assertThat(new TailCommand.FormatConverter().convert("JSON"))
        .isEqualTo(TailCommand.Format.JSON);
    assertThat(new TailCommand.FromConverter().convert("Trim-Horizon"))
        .isEqualTo(TailCommand.From.TRIM_HORIZON);
    assertThat(new TailCommand.FromConverter().convert("TRIM_HORIZON"))
        .isEqualTo(TailCommand.From.TRIM_HORIZON);
  }
}
