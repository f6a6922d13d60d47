package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code sluice tail} refuses option values it does not know before reaching any server. */
class TailCommandTest {

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
  void formatAndFrom_anyCase_accepted() {
    assertThat(new TailCommand.FormatConverter().convert("JSON"))
        .isEqualTo(TailCommand.Format.JSON);
    assertThat(new TailCommand.FromConverter().convert("Trim-Horizon"))
        .isEqualTo(TailCommand.From.TRIM_HORIZON);
    assertThat(new TailCommand.FromConverter().convert("TRIM_HORIZON"))
        .isEqualTo(TailCommand.From.TRIM_HORIZON);
  }
}
