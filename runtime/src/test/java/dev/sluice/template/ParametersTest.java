package dev.sluice.template;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParametersTest {

  private static final String STREAM =
      "Resources:\n"
          + "  S:\n"
          + "    Type: AWS::Kinesis::Stream\n"
          + "    Properties:\n"
          + "      Name: !Ref Name\n";

  private static String template(String parameter) {
    return "Parameters:\n  Name:\n" + parameter.indent(4) + STREAM;
  }

  private static String streamName(String parameter, Map<String, String> overrides) {
    return Inline.parse(template(parameter), overrides, Path.of(".")).streams().get(0).name();
  }

  @Test
  void override_givenForAParameterWithDefault_replacesTheDefault() {
    assertThat(streamName("Type: String\nDefault: orders", Map.of("Name", "payments")))
        .isEqualTo("payments");
  }

  @Test
  void awsSpecificTypes_readAsStringsAndParameterStoreNeedsAnOverride() {
    assertThat(streamName("Type: AWS::EC2::VPC::Id\nDefault: vpc-1234", Map.of()))
        .isEqualTo("vpc-1234");
    assertThat(
            streamName(
                "Type: AWS::SSM::Parameter::Value<String>\nDefault: /orders/stream",
                Map.of("Name", "orders-from-ssm")))
        .isEqualTo("orders-from-ssm");
    assertThat(
            Inline.errors(
                template("Type: AWS::SSM::Parameter::Value<String>\nDefault: /orders/stream")))
        .singleElement()
        .asString()
        .contains("Parameter Store, which Sluice has no access to");
  }

  @Test
  void stackId_resolvesTheSameForTheSameStack() {
    String yaml =
        "Resources:\n  S:\n    Type: AWS::Kinesis::Stream\n    Properties:\n"
            + "      Name: !Select [2, !Split ['/', !Ref AWS::StackId]]\n";
    String first = Inline.parse(yaml).streams().get(0).name();
    assertThat(first)
        .matches("[0-9a-f-]{36}")
        .isEqualTo(Inline.parse(yaml).streams().get(0).name());
  }

  @Test
  void default_withoutOverride_isUsed() {
    assertThat(streamName("Type: String\nDefault: orders", Map.of())).isEqualTo("orders");
  }

  @Test
  void override_withoutDefault_suppliesTheValue() {
    assertThat(streamName("Type: String", Map.of("Name", "audit"))).isEqualTo("audit");
  }

  @Test
  void override_violatingAllowedPattern_isAnErrorAtTheParameter() {
    assertThat(
            Inline.errors(
                template("Type: String\nAllowedPattern: '[a-z]+'\nDefault: orders"),
                Map.of("Name", "Orders1"),
                Path.of(".")))
        .containsExactly(
            "Parameters.Name: override Orders1 does not match the pattern [a-z]+"
                + " (template.yaml:2:3)");
  }

  @Test
  void noEcho_valueIsNeverShownInErrors() {
    assertThat(Inline.errors(template("Type: String\nNoEcho: true\nMinLength: 8\nDefault: short")))
        .containsExactly(
            "Parameters.Name.Default: **** is shorter than the minimum length 8"
                + " (template.yaml:6:14)");
    assertThat(
            Inline.errors(
                template("Type: Number\nNoEcho: 'true'\nDefault: 1"),
                Map.of("Name", "s3cret"),
                Path.of(".")))
        .containsExactly("Parameters.Name: override **** is not a number (template.yaml:2:3)");
  }

  @Test
  void constraintDescription_isTheMessageWhenAConstraintFails() {
    assertThat(
            Inline.errors(
                template(
                    "Type: String\nAllowedPattern: '[a-z]+'\n"
                        + "ConstraintDescription: lower-case letters only\nDefault: orders"),
                Map.of("Name", "Orders1"),
                Path.of(".")))
        .containsExactly(
            "Parameters.Name: override Orders1 fails its constraint: lower-case letters only"
                + " (template.yaml:2:3)");
  }

  @Test
  void default_violatingLengths_isAnErrorAtTheDefault() {
    assertThat(Inline.errors(template("Type: String\nMinLength: 3\nDefault: ab")))
        .containsExactly(
            "Parameters.Name.Default: ab is shorter than the minimum length 3 (template.yaml:5:14)");
    assertThat(Inline.errors(template("Type: String\nMaxLength: 3\nDefault: abcd")))
        .containsExactly(
            "Parameters.Name.Default: abcd is longer than the maximum length 3"
                + " (template.yaml:5:14)");
  }

  @Test
  void numberParameter_notANumber_isAnError() {
    String yaml =
        "Parameters:\n  Shards:\n    Type: Number\n    MaxValue: 8\n"
            + "Resources:\n  S:\n    Type: AWS::Kinesis::Stream\n"
            + "    Properties:\n      ShardCount: !Ref Shards\n";

    assertThat(Inline.errors(yaml, Map.of("Shards", "two"), Path.of(".")))
        .containsExactly("Parameters.Shards: override two is not a number (template.yaml:2:3)");
    assertThat(Inline.errors(yaml, Map.of("Shards", "9"), Path.of(".")))
        .containsExactly(
            "Parameters.Shards: override 9 is above the maximum 8 (template.yaml:2:3)");
    assertThat(
            Inline.parse(yaml, Map.of("Shards", "8"), Path.of(".")).streams().get(0).shardCount())
        .isEqualTo(8);
  }

  @Test
  void commaDelimitedList_itemsAreTrimmedAndCheckedAgainstAllowedValues() {
    String yaml =
        "Parameters:\n  Names:\n    Type: CommaDelimitedList\n    AllowedValues: [a, b]\n"
            + "    Default: 'a, b'\n"
            + "Resources:\n  S:\n    Type: AWS::Kinesis::Stream\n"
            + "    Properties:\n      Name: !Select [1, !Ref Names]\n";

    assertThat(Inline.parse(yaml).streams().get(0).name()).isEqualTo("b");
    assertThat(Inline.errors(yaml, Map.of("Names", "a,c"), Path.of(".")))
        .containsExactly("Parameters.Names: override c is not one of a, b (template.yaml:2:3)");
  }

  @Test
  void unsupportedType_isAnError() {
    assertThat(Inline.errors(template("Type: Text\nDefault: vpc-1")))
        .containsExactly(
            "Parameters.Name.Type: Text is not one of String, Number,"
                + " CommaDelimitedList, List<Number> or an AWS-specific type (template.yaml:3:11)");
  }

  @Test
  void unknownParameterKey_isAnError() {
    assertThat(Inline.errors(template("Type: String\nDefault: x\nDefualt: y")))
        .containsExactly("Parameters.Name.Defualt: unknown property (template.yaml:5:5)");
  }
}
