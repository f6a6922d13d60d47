package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** What `sluice rewind --to` sends the server, and what it refuses before sending anything. */
class RewindCommandTest {

  @Test
  void body_isoTimeOrEpochSeconds_atTimestampInSeconds() {
    assertThat(RewindCommand.body("2026-11-25T10:00:00Z").toString())
        .isEqualTo("{\"To\":\"AT_TIMESTAMP\",\"Timestamp\":1.7956008E9}");
    assertThat(RewindCommand.body("1764064800.5").toString())
        .isEqualTo("{\"To\":\"AT_TIMESTAMP\",\"Timestamp\":1.7640648005E9}");
  }

  @Test
  void body_epochMilliseconds_refusedAsSuch() {
    assertThatThrownBy(() -> RewindCommand.body("1764064800000"))
        .isInstanceOf(CliException.class)
        .hasMessageContaining("looks like epoch milliseconds");
  }

  @Test
  void body_namedPositionsAndSequenceNumbers_keepTheirFields() {
    assertThat(RewindCommand.body("trim-horizon").toString())
        .isEqualTo("{\"To\":\"TRIM_HORIZON\"}");
    String seq = "4".repeat(56);
    assertThat(RewindCommand.body(seq).toString())
        .isEqualTo("{\"SequenceNumber\":\"" + seq + "\"}");
  }

  @Test
  void rewind_toNoKnownPosition_usageErrorBeforeAskingAnyServer() {
    Cli.Result r =
        Cli.run("", "rewind", "abcd", "--to", "yesterday", "--endpoint", "http://127.0.0.1:9");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--to must be").doesNotContain("no Sluice server answers");
  }
}
