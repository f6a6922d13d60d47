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
  void globalVariableNamingAFunction_isACircularDependencyOfThatFunction() {
    String yaml =
        Inline.SAM
            + "Globals:\n  Function:\n    CodeUri: app.jar\n    Runtime: java17\n"
            + "    Environment:\n      Variables:\n        NOTIFIER: !GetAtt Notifier.Arn\n"
            + "Resources:\n"
            + "  Notifier:\n    Type: AWS::Serverless::Function\n    Properties:\n"
            + "      Handler: n.N\n";

    assertThat(Inline.errors(yaml))
        .singleElement()
        .asString()
        .startsWith("Globals.Function.Environment.Variables.NOTIFIER: circular dependency");
  }

  @Test
  void globalVariableNamingAFunction_notACycleWhereTheFunctionOverridesOrIgnoresIt() {
    String yaml =
        Inline.SAM
            + "Globals:\n  Function:\n    CodeUri: app.jar\n    Runtime: java17\n"
            + "    Environment:\n      Variables:\n        NOTIFIER: !GetAtt Notifier.Arn\n"
            + "        QUIET: !Ref Quiet\n"
            + "Resources:\n"
            + "  Notifier:\n    Type: AWS::Serverless::Function\n    Properties:\n"
            + "      Handler: n.N\n      Environment:\n        Variables:\n          NOTIFIER: none\n"
            + "  Quiet:\n    Type: AWS::Serverless::Function\n    IgnoreGlobals: [Environment]\n"
            + "    Properties:\n      Handler: q.Q\n";

    Template t = Inline.parse(yaml);

    assertThat(t.functions()).hasSize(2);
    assertThat(t.functions().get(0).environment()).containsEntry("NOTIFIER", "none");
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
  void functionEnvironmentAsAnIntrinsic_replacesTheGlobalOneWhole() {
    String yaml =
        Inline.SAM
            + "Conditions:\n  IsProd: !Equals [a, b]\n"
            + "Globals:\n  Function:\n    CodeUri: app.jar\n    Runtime: java17\n"
            + "    Environment:\n      Variables:\n        LOG_LEVEL: INFO\n        STAGE: dev\n"
            + "Resources:\n"
            + "  A:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: a.A\n"
            + "      Environment: !If [IsProd, {Variables: {XX: prod}}, {Variables: {XX: dev}}]\n"
            + "  B:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: b.B\n"
            + "      Environment:\n        Variables: !If [IsProd, {YY: prod}, {YY: dev}]\n"
            + "  C:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: c.C\n"
            + "      Environment:\n        Variables:\n          ZZ: z\n";

    Template t = Inline.parse(yaml);

    assertThat(t.functions().get(0).environment())
        .containsExactly(java.util.Map.entry("XX", "dev"));
    assertThat(t.functions().get(1).environment())
        .containsExactly(java.util.Map.entry("YY", "dev"));
    assertThat(t.functions().get(2).environment())
        .containsExactly(
            java.util.Map.entry("LOG_LEVEL", "INFO"),
            java.util.Map.entry("STAGE", "dev"),
            java.util.Map.entry("ZZ", "z"));
  }

  @Test
  void badGlobalValue_isReportedOnceAtTheGlobal() {
    assertThat(Inline.errors(template("CodeUri: app.jar\nRuntime: java17\nTimeout: 0")))
        .containsExactly("Globals.Function.Timeout: 0 is below the minimum 1 (template.yaml:6:14)");
  }

  @Test
  void unknownGlobalProperty_isAnError() {
    assertThat(Inline.errors(template("CodeUri: app.jar\nRuntime: java17\nRuntim: java21")))
        .containsExactly("Globals.Function.Runtim: unknown property (template.yaml:6:5)");
  }

  @Test
  void globals_functionPropertiesSamRefusesThere_areErrorsAndTheOthersWarnings() {
    String globals =
        "CodeUri: app.jar\nRuntime: java17\nEvents: {}\nRole: arn:aws:iam::1:role/r\n"
            + "Policies: [AWSLambdaBasicExecutionRole]\nFunctionName: shared\nPackageType: Zip\n"
            + "Layers: [arn:aws:lambda:eu-west-1:1:layer:l:1]";

    assertThat(Inline.errors(template(globals)))
        .containsExactly(
            "Globals.Function.Events: SAM does not take Events in Globals; set it on each function"
                + " (template.yaml:6:5)",
            "Globals.Function.Role: SAM does not take Role in Globals; set it on each function"
                + " (template.yaml:7:5)",
            "Globals.Function.Policies: SAM does not take Policies in Globals; set it on each"
                + " function (template.yaml:8:5)",
            "Globals.Function.FunctionName: SAM does not take FunctionName in Globals; set it on"
                + " each function (template.yaml:9:5)",
            "Globals.Function.PackageType: SAM does not take PackageType in Globals; set it on each"
                + " function (template.yaml:10:5)");
    assertThat(
            Inline.parse(template("CodeUri: app.jar\nRuntime: java17\nDurableConfig: {}"))
                .warnings())
        .containsExactly(
            "Globals.Function.DurableConfig: not used by Sluice (ignored) (template.yaml:6:5)");
  }

  @Test
  void ignoreGlobals_starOrAList_keepsThoseGlobalsFromTheFunction() {
    String yaml =
        Inline.SAM
            + "Globals:\n  Function:\n    CodeUri: app.jar\n    Runtime: java17\n"
            + "    MemorySize: 256\n    Environment:\n      Variables:\n        STAGE: dev\n"
            + "Resources:\n"
            + "  A:\n    Type: AWS::Serverless::Function\n"
            + "    IgnoreGlobals: [MemorySize, Environment]\n    Properties:\n      Handler: a.A\n"
            + "  B:\n    Type: AWS::Serverless::Function\n    IgnoreGlobals: '*'\n"
            + "    Properties:\n      Handler: b.B\n      CodeUri: b.jar\n      Runtime: java21\n"
            + "  C:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: c.C\n";

    Template t = Inline.parse(yaml);

    assertThat(t.functions())
        .extracting(FunctionResource::runtime, FunctionResource::memorySize)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("java17", 128),
            org.assertj.core.groups.Tuple.tuple("java21", 128),
            org.assertj.core.groups.Tuple.tuple("java17", 256));
    assertThat(t.functions().get(0).environment()).isEmpty();
    assertThat(t.functions().get(1).environment()).isEmpty();
    assertThat(t.functions().get(2).environment()).containsEntry("STAGE", "dev");
  }

  @Test
  void ignoreGlobals_namingAPropertyGlobalsDoNotSet_isAnError() {
    String yaml =
        Inline.SAM
            + "Globals:\n  Function:\n    CodeUri: app.jar\n    Runtime: java17\n"
            + "Resources:\n  A:\n    Type: AWS::Serverless::Function\n"
            + "    IgnoreGlobals: [Runtime, Timeout]\n    Properties:\n      Handler: a.A\n";

    assertThat(Inline.errors(yaml))
        .containsExactly(
            "Resources.A.IgnoreGlobals[1]: Globals.Function does not set Timeout"
                + " (template.yaml:9:30)",
            "Resources.A.Properties.Runtime: is required (template.yaml:10:5)");
  }
}
