package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code --parameter-overrides} in the forms {@code sam deploy} takes. */
class ParameterOverridesTest {

  @Test
  void parse_spaceSeparatedPairs_eachOverride() {
    assertThat(ParameterOverrides.parse(List.of("Stage=prod", "OrderShards=8")))
        .containsExactly(Map.entry("Stage", "prod"), Map.entry("OrderShards", "8"));
    assertThat(ParameterOverrides.parse(List.of("Stage=prod OrderShards=8")))
        .containsExactly(Map.entry("Stage", "prod"), Map.entry("OrderShards", "8"));
  }

  @Test
  void parse_commaInAValue_keptForListParameters() {
    assertThat(ParameterOverrides.parse(List.of("Subnets=a,b,c", "Url=http://x/?a=1")))
        .containsExactly(Map.entry("Subnets", "a,b,c"), Map.entry("Url", "http://x/?a=1"));
  }

  @Test
  void parse_awsCliFormAndQuotedValues_read() {
    assertThat(
            ParameterOverrides.parse(
                List.of(
                    "ParameterKey=Stage,ParameterValue=prod"
                        + " ParameterKey=Title,ParameterValue=\"Order \\\"pipeline\\\"\""
                        + " Note=\"two words\"")))
        .containsExactly(
            Map.entry("Stage", "prod"),
            Map.entry("Title", "Order \"pipeline\""),
            Map.entry("Note", "two words"));
  }

  @Test
  void parse_notAPair_failsNamingIt() {
    assertThatThrownBy(() -> ParameterOverrides.parse(List.of("Stage=prod", "oops")))
        .isInstanceOf(CliException.class)
        .hasMessageContaining("cannot read 'oops'");
  }
}
