package dev.sluice.template;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConditionsTest {

  private static final String PARAMS =
      "Parameters:\n"
          + "  Stage: {Type: String, Default: dev}\n"
          + "  Region2: {Type: String, Default: eu-west-1}\n";

  private static String template(String conditions) {
    return PARAMS
        + "Conditions:\n"
        + conditions.indent(2)
        + "Resources:\n"
        + "  Always:\n"
        + "    Type: AWS::Kinesis::Stream\n"
        + "  Maybe:\n"
        + "    Type: AWS::Kinesis::Stream\n"
        + "    Condition: C\n";
  }

  private static boolean created(String conditions, Map<String, String> overrides) {
    Template t = Inline.parse(template(conditions), overrides, Path.of("."));
    return t.streams().stream().anyMatch(s -> s.logicalId().equals("Maybe"));
  }

  @Test
  void resourceCondition_false_dropsTheResource() {
    String c = "C: !Equals [!Ref Stage, prod]";

    assertThat(created(c, Map.of())).isFalse();
    assertThat(created(c, Map.of("Stage", "prod"))).isTrue();
  }

  @Test
  void notAndOr_combineNamedConditions() {
    String c =
        "Prod: !Equals [!Ref Stage, prod]\n"
            + "Eu: !Equals [!Ref Region2, !Ref AWS::Region]\n"
            + "C: !And [!Not [!Condition Prod], !Or [!Condition Eu, !Condition Prod]]";

    assertThat(created(c, Map.of())).isTrue();
    assertThat(created(c, Map.of("Stage", "prod"))).isFalse();
    assertThat(created(c, Map.of("Region2", "us-east-1"))).isFalse();
  }

  @Test
  void longForm_isEvaluatedLikeShortForm() {
    String c = "C: {\"Fn::Not\": [{\"Fn::Equals\": [{\"Ref\": \"Stage\"}, \"dev\"]}]}";

    assertThat(created(c, Map.of())).isFalse();
    assertThat(created(c, Map.of("Stage", "qa"))).isTrue();
  }

  @Test
  void conditionReferringToAResource_isAnErrorAtTheReference() {
    assertThat(Inline.errors(template("C: !Equals [!Ref Always, orders]")))
        .singleElement()
        .asString()
        .contains("(template.yaml:5:15)")
        .contains("a condition cannot refer to resource Always");
    assertThat(Inline.errors(template("C: !Equals [!GetAtt Always.Arn, x]")))
        .singleElement()
        .asString()
        .contains("a condition cannot refer to resource Always");
  }

  @Test
  void cycle_isAnError() {
    assertThat(Inline.errors(template("C: !Condition D\nD: !Not [!Condition C]")))
        .containsExactly("Conditions.D: condition cycle C -> D -> C (template.yaml:6:12)");
  }

  @Test
  void notACondition_isAnError() {
    assertThat(Inline.errors(template("C: !Ref Stage")))
        .containsExactly(
            "Conditions.C: expected a condition (Fn::Equals, Fn::Not, Fn::And, Fn::Or or"
                + " Condition) (template.yaml:5:6)");
  }

  @Test
  void ifNamingAnUnknownCondition_isAnError() {
    String yaml =
        "Resources:\n  S:\n    Type: AWS::Kinesis::Stream\n"
            + "    Properties:\n      ShardCount: !If [Big, 4, 1]\n";

    assertThat(Inline.errors(yaml))
        .containsExactly(
            "Resources.S.Properties.ShardCount: unknown condition Big (template.yaml:5:24)");
  }

  @Test
  void streamModeDetailsNoValueInTheUntakenBranch_aProvisionedStream() {
    String yaml =
        PARAMS
            + "Conditions:\n  Prod: !Equals [!Ref Stage, prod]\n"
            + "Resources:\n  S:\n    Type: AWS::Kinesis::Stream\n    Properties:\n"
            + "      StreamModeDetails: !If [Prod, {StreamMode: ON_DEMAND}, !Ref AWS::NoValue]\n"
            + "      ShardCount: !If [Prod, !Ref AWS::NoValue, 2]\n";

    StreamResource dev = Inline.parse(yaml).streams().get(0);
    StreamResource prod =
        Inline.parse(yaml, Map.of("Stage", "prod"), Path.of(".")).streams().get(0);

    assertThat(dev.mode()).isEqualTo("PROVISIONED");
    assertThat(dev.shardCount()).isEqualTo(2);
    assertThat(prod.mode()).isEqualTo("ON_DEMAND");
    assertThat(prod.shardCount()).isNull();
  }

  @Test
  void destinationConfigNoValueInTheUntakenBranch_noOnFailure() {
    String yaml =
        Inline.SAM
            + PARAMS
            + "Conditions:\n  Prod: !Equals [!Ref Stage, prod]\n"
            + "Resources:\n"
            + Inline.function(
                "Fn",
                "Events:\n  E:\n    Type: Kinesis\n    Properties:\n"
                    + "      Stream: arn:aws:kinesis:eu-west-1:123456789012:stream/s\n"
                    + "      StartingPosition: LATEST\n"
                    + "      DestinationConfig: !If\n"
                    + "        - Prod\n"
                    + "        - OnFailure: {Destination: 'file:///tmp/failures'}\n"
                    + "        - !Ref AWS::NoValue\n");

    assertThat(onFailure(Inline.parse(yaml))).isNull();
    assertThat(onFailure(Inline.parse(yaml, Map.of("Stage", "prod"), Path.of("."))))
        .isEqualTo("file:///tmp/failures");
  }

  private static String onFailure(Template t) {
    return t.functions().get(0).kinesisEvents().get(0).request().onFailure();
  }
}
