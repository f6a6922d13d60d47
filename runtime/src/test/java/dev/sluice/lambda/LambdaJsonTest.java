package dev.sluice.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.function.FunctionConfig;
import dev.sluice.function.FunctionService;
import dev.sluice.function.Isolation;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.lambda.model.LastUpdateStatus;
import software.amazon.awssdk.services.lambda.model.LastUpdateStatusReasonCode;
import software.amazon.awssdk.services.lambda.model.State;
import software.amazon.awssdk.services.lambda.model.StateReasonCode;

class LambdaJsonTest {

  static final FunctionConfig ECHO =
      new FunctionConfig(
          "echo",
          "fixture.Echo::go",
          "java17",
          256,
          10,
          Map.of(),
          null,
          "",
          Isolation.PROCESS,
          "abc=",
          10,
          0,
          "r1",
          null,
          Map.of());

  @Test
  void configuration_functionThatCannotRunHere_failedStateInTheSdksTerms() {
    ObjectNode n =
        LambdaJson.configuration(
            ECHO,
            "arn:aws:lambda:us-east-1:000000000000:function:echo",
            new FunctionService.Unrunnable(
                "InvalidConfiguration", "PROCESS isolation is not available on this node."));

    assertThat(State.fromValue(n.path("State").asText())).isEqualTo(State.FAILED);
    assertThat(StateReasonCode.fromValue(n.path("StateReasonCode").asText()))
        .isEqualTo(StateReasonCode.INVALID_CONFIGURATION);
    assertThat(n.path("StateReason").asText()).contains("PROCESS isolation");
    assertThat(LastUpdateStatus.fromValue(n.path("LastUpdateStatus").asText()))
        .isEqualTo(LastUpdateStatus.FAILED);
    assertThat(LastUpdateStatusReasonCode.fromValue(n.path("LastUpdateStatusReasonCode").asText()))
        .isEqualTo(LastUpdateStatusReasonCode.INVALID_CONFIGURATION);
    assertThat(StateReasonCode.fromValue("InvalidRuntime"))
        .isEqualTo(StateReasonCode.INVALID_RUNTIME);
  }

  @Test
  void configuration_functionThatRunsHere_activeWithNoReason() {
    ObjectNode n = LambdaJson.configuration(ECHO, "arn", null);

    assertThat(State.fromValue(n.path("State").asText())).isEqualTo(State.ACTIVE);
    assertThat(n.has("StateReasonCode")).isFalse();
    assertThat(LastUpdateStatus.fromValue(n.path("LastUpdateStatus").asText()))
        .isEqualTo(LastUpdateStatus.SUCCESSFUL);
  }
}
