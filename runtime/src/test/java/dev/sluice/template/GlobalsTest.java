package dev.sluice.template;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GlobalsTest {

  private static final String TWO_FUNCTIONS =
      "Resources:\n"
          + "  A:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: a.A\n"
          + "  B:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: b.B\n";

  private static String template(String globals) {
    return Inline.SAM + "Globals:\n  Function:\n" + globals.indent(4) + TWO_FUNCTIONS;
  }

  @Test
  void globals_supplyRequiredProperties_toEveryFunction() {
    Template t =
        Inline.parse(
            template("CodeUri: app.jar\nRuntime: java17\nReservedConcurrentExecutions: 2"));

    assertThat(t.functions())
        .allSatisfy(
            f -> {
              assertThat(f.runtime()).isEqualTo("java17");
              assertThat(f.code().kind()).isEqualTo(CodeUri.Kind.JAR);
              assertThat(f.reservedConcurrency()).isEqualTo(2);
            });
    assertThat(t.functions()).extracting(FunctionResource::handler).containsExactly("a.A", "b.B");
  }

  @Test
  void functionVariableSetToNoValue_removesTheGlobalOne() {
    String yaml =
        Inline.SAM
            + "Globals:\n  Function:\n    CodeUri: app.jar\n    Runtime: java17\n"
            + "    Environment:\n      Variables:\n        LOG_LEVEL: INFO\n        STAGE: dev\n"
            + "Resources:\n  A:\n    Type: AWS::Serverless::Function\n    Properties:\n"
            + "      Handler: a.A\n      Environment:\n        Variables:\n"
            + "          LOG_LEVEL: !Ref AWS::NoValue\n";

    assertThat(Inline.parse(yaml).functions().get(0).environment())
        .containsExactly(java.util.Map.entry("STAGE", "dev"));
  }

  @Test
  void badGlobalValue_isReportedOnceAtTheGlobal() {
    assertThat(Inline.errors(template("CodeUri: app.jar\nRuntime: java17\nTimeout: 0")))
        .containsExactly("Globals.Function.Timeout: 0 is below the minimum 1 (template.yaml:6:14)");
  }

  @Test
  void unknownGlobalProperty_isAnError() {
    assertThat(Inline.errors(template("CodeUri: app.jar\nRuntime: java17\nEvents: {}")))
        .containsExactly("Globals.Function.Events: unknown property (template.yaml:6:5)");
  }
}
