package dev.sluice.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import org.junit.jupiter.api.Test;

class IntrinsicsTest {

  private static String env(String variables) {
    return Inline.SAM
        + "Resources:\n"
        + "  Clicks:\n"
        + "    Type: AWS::Kinesis::Stream\n"
        + "  Queue:\n"
        + "    Type: AWS::SQS::Queue\n"
        + Inline.function("Fn", "Environment:\n  Variables:\n" + variables.indent(4));
  }

  @Test
  void ref_pseudoParameters_resolveFromTheContext() {
    Template t =
        Inline.parse(
            env(
                "RR: !Ref AWS::Region\nAA: !Ref AWS::AccountId\nSS: !Ref AWS::StackName\n"
                    + "PP: !Ref AWS::Partition\nUU: !Ref AWS::URLSuffix\n"));

    assertThat(t.functions().get(0).environment())
        .containsExactly(
            entry("RR", "eu-west-1"),
            entry("AA", "123456789012"),
            entry("SS", "shop"),
            entry("PP", "aws"),
            entry("UU", "amazonaws.com"));
  }

  @Test
  void sub_listFormWithVariables_prefersVariablesOverResources() {
    Template t =
        Inline.parse(
            env("XX: !Sub ['${Clicks}/${Clicks.Arn}', {Clicks: mine}]\nYY: !Sub '${!Clicks}'\n"));

    assertThat(t.functions().get(0).environment())
        .containsExactly(
            entry("XX", "mine/arn:aws:kinesis:eu-west-1:123456789012:stream/Clicks"),
            entry("YY", "${Clicks}"));
  }

  @Test
  void ref_functionsOwnArnInItsEnvironment_circularDependencyAsCloudFormationSays() {
    assertThat(Inline.errors(env("SELF: !GetAtt Fn.Arn\n")))
        .containsExactly(
            "Resources.Fn.Properties.Environment.Variables.SELF: circular dependency between"
                + " resources Fn -> Fn, which CloudFormation refuses (template.yaml:15:17)");
  }

  @Test
  void ref_streamNamingTheFunctionThatHasAnEventOnIt_noCycleAsSamMakesTheEventAResource() {
    Template t =
        Inline.parse(
            Inline.SAM
                + "Resources:\n"
                + "  Clicks:\n"
                + "    Type: AWS::Kinesis::Stream\n"
                + "    Properties:\n"
                + "      Tags:\n"
                + "        - Key: consumer\n"
                + "          Value: !Ref Fn\n"
                + Inline.function(
                    "Fn",
                    "Events:\n"
                        + "  Clicks:\n"
                        + "    Type: Kinesis\n"
                        + "    Properties:\n"
                        + "      Stream: !GetAtt Clicks.Arn\n"
                        + "      StartingPosition: LATEST\n"));

    assertThat(t.streams()).hasSize(1);
    assertThat(t.functions()).hasSize(1);
  }

  @Test
  void sub_unclosedVariable_isAnError() {
    assertThat(Inline.errors(env("XX: !Sub 'a-${Clicks'\n")))
        .containsExactly(
            "Resources.Fn.Properties.Environment.Variables.XX: unclosed ${ in Fn::Sub"
                + " (template.yaml:15:15)");
  }

  private static String awsOnly(String variables) {
    return Inline.SAM
        + "Resources:\n"
        + "  Table:\n"
        + "    Type: AWS::DynamoDB::Table\n"
        + "    Properties:\n"
        + "      TableName: !Sub '${AWS::StackName}-orders'\n"
        + "  Queue:\n"
        + "    Type: AWS::SQS::Queue\n"
        + "  Key:\n"
        + "    Type: AWS::KMS::Key\n"
        + Inline.function("Fn", "Environment:\n  Variables:\n" + variables.indent(4));
  }

  @Test
  void refAndGetAtt_ofResourcesSluiceDoesNotDeploy_standInAndWarnOncePerResource() {
    Template t =
        Inline.parse(
            awsOnly(
                "TABLE: !Ref Table\nTABLE_ARN: !GetAtt Table.Arn\nQUEUE: !Ref Queue\n"
                    + "QUEUE_ARN: !Sub '${Queue.Arn}'\nQUEUE_NAME: !GetAtt [Queue, QueueName]\n"
                    + "KEY: !Sub '${Key}=${Key.Arn}'\nAGAIN: !Ref Table\n"));

    assertThat(t.functions().get(0).environment())
        .containsExactly(
            entry("TABLE", "shop-orders"),
            entry("TABLE_ARN", "arn:aws:dynamodb:eu-west-1:123456789012:table/shop-orders"),
            entry("QUEUE", "https://sqs.eu-west-1.amazonaws.com/123456789012/Queue"),
            entry("QUEUE_ARN", "arn:aws:sqs:eu-west-1:123456789012:Queue"),
            entry("QUEUE_NAME", "Queue"),
            entry("KEY", "Key=arn:aws:kms:eu-west-1:123456789012:key/Key"),
            entry("AGAIN", "shop-orders"));
    assertThat(t.warnings())
        .containsExactly(
            "Resources.Table: AWS::DynamoDB::Table is not deployed by Sluice; references to it"
                + " stand for shop-orders, arn:aws:dynamodb:eu-west-1:123456789012:table/shop-orders"
                + " (template.yaml:3:3)",
            "Resources.Queue: AWS::SQS::Queue is not deployed by Sluice; references to it stand"
                + " for https://sqs.eu-west-1.amazonaws.com/123456789012/Queue,"
                + " arn:aws:sqs:eu-west-1:123456789012:Queue, Queue (template.yaml:7:3)",
            "Resources.Key: AWS::KMS::Key is not deployed by Sluice; references to it stand for"
                + " Key, arn:aws:kms:eu-west-1:123456789012:key/Key (template.yaml:9:3)");
  }

  @Test
  void getAtt_ofResourceSluiceDoesNotDeploy_unknownAttributeIsAnErrorListingTheKnownOnes() {
    assertThat(Inline.errors(awsOnly("SS: !GetAtt Table.LatestStreamLabel\n")))
        .containsExactly(
            "Resources.Fn.Properties.Environment.Variables.SS: Sluice does not deploy Table"
                + " (AWS::DynamoDB::Table) and has no stand-in for its attribute LatestStreamLabel"
                + " (it has: Arn, StreamArn) (template.yaml:19:15)");
  }

  @Test
  void ref_ofResourceSluiceDoesNotDeployWithAListForName_isAnErrorAtTheName() {
    String yaml =
        Inline.SAM
            + "Resources:\n  Table:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
            + "      TableName: [a, b]\n"
            + Inline.function("Fn", "Environment:\n  Variables:\n    TT: !Ref Table\n");

    assertThat(Inline.errors(yaml))
        .containsExactly(
            "Resources.Table.Properties.TableName: expected a string (template.yaml:6:18)");
  }

  @Test
  void getAtt_longFormWithDottedString_resolvesTheArn() {
    Template t = Inline.parse(env("CC: {\"Fn::GetAtt\": \"Clicks.Arn\"}\n"));

    assertThat(t.functions().get(0).environment())
        .containsEntry("CC", "arn:aws:kinesis:eu-west-1:123456789012:stream/Clicks");
  }

  @Test
  void ref_noValue_leavesThePropertyOut() {
    Template t =
        Inline.parse(
            Inline.SAM
                + "Resources:\n"
                + Inline.function("Fn", "MemorySize: !Ref AWS::NoValue\nTimeout: 10\n"));

    assertThat(t.functions().get(0).memorySize()).isEqualTo(128);
    assertThat(t.functions().get(0).timeoutSeconds()).isEqualTo(10);
  }

  @Test
  void select_indexOutOfRange_isAnError() {
    assertThat(Inline.errors(env("XX: !Select [2, [a, b]]\n")))
        .containsExactly(
            "Resources.Fn.Properties.Environment.Variables.XX: index 2 is out of range (2 items)"
                + " (template.yaml:15:24)");
  }

  @Test
  void join_ofAMapping_isAnError() {
    assertThat(Inline.errors(env("XX: !Join ['-', [a, {b: c}]]\n")))
        .containsExactly(
            "Resources.Fn.Properties.Environment.Variables.XX: Fn::Join values must be strings"
                + " (template.yaml:15:31)");
  }

  @Test
  void conditionFunctionOutsideConditions_isAnError() {
    assertThat(Inline.errors(env("XX: !Equals [a, a]\n")))
        .containsExactly(
            "Resources.Fn.Properties.Environment.Variables.XX: Fn::Equals can only be used in"
                + " Conditions (template.yaml:15:15)");
  }

  @Test
  void unsupportedFunction_isAnErrorNamingIt() {
    assertThat(Inline.errors(env("XX: !ImportValue other-stack-export\n")))
        .containsExactly(
            "Resources.Fn.Properties.Environment.Variables.XX: Fn::ImportValue is not supported by"
                + " Sluice (template.yaml:15:15)");
  }

  private static final String MAPPINGS =
      "Mappings:\n"
          + "  Stages:\n"
          + "    dev:\n      Shards: 1\n      Brokers: [b1:9092, b2:9092]\n"
          + "    prod:\n      Shards: 4\n      Brokers: [p1:9092]\n"
          + "  Regions:\n"
          + "    eu-west-1:\n      Stage: prod\n";

  private static String mapped(String variables) {
    return Inline.SAM
        + MAPPINGS
        + "Resources:\n"
        + Inline.function("Fn", "Environment:\n  Variables:\n" + variables.indent(4));
  }

  @Test
  void findInMap_withRefAndFindInMapKeys_readsTheMapping() {
    String yaml =
        Inline.SAM
            + MAPPINGS
            + "Parameters:\n  Stage:\n    Type: String\n    Default: dev\n"
            + "Conditions:\n  ProdRegion: !Equals [!FindInMap [Regions, !Ref AWS::Region, Stage],"
            + " prod]\n"
            + "Resources:\n  S:\n    Type: AWS::Kinesis::Stream\n    Properties:\n"
            + "      ShardCount: !FindInMap [Stages, !Ref Stage, Shards]\n"
            + Inline.function(
                "Fn",
                "Environment:\n  Variables:\n"
                    + "    BROKER: !Select [1, !FindInMap [Stages, dev, Brokers]]\n"
                    + "    SHARDS: !FindInMap [Stages, !FindInMap [Regions, !Ref AWS::Region, Stage],"
                    + " Shards]\n"
                    + "    PROD: !If [ProdRegion, 'yes', 'no']\n"
                    + "    LONG: {'Fn::FindInMap': [Regions, eu-west-1, Stage]}\n");

    Template t = Inline.parse(yaml);

    assertThat(t.streams().get(0).shardCount()).isEqualTo(1);
    assertThat(t.functions().get(0).environment())
        .containsExactly(
            entry("BROKER", "b2:9092"),
            entry("SHARDS", "4"),
            entry("PROD", "yes"),
            entry("LONG", "prod"));
  }

  @Test
  void findInMap_missingMapOrKey_isAnErrorAtTheArgumentNamingIt() {
    assertThat(
            Inline.errors(
                mapped(
                    "XX: !FindInMap [Stages, test, Shards]\nYY: !FindInMap [Stages, dev, Size]\n"
                        + "ZZ: !FindInMap [Nope, a, b]\n")))
        .containsExactly(
            "Resources.Fn.Properties.Environment.Variables.XX: Fn::FindInMap: mapping Stages has no"
                + " key test (template.yaml:22:35)",
            "Resources.Fn.Properties.Environment.Variables.YY: Fn::FindInMap: mapping Stages has no"
                + " key Size under dev (template.yaml:23:40)",
            "Resources.Fn.Properties.Environment.Variables.ZZ: Fn::FindInMap: there is no mapping"
                + " Nope (template.yaml:24:27)");
  }

  @Test
  void findInMap_wrongArgumentCount_isAnError() {
    assertThat(Inline.errors(mapped("XX: !FindInMap [Stages, dev]\n")))
        .containsExactly(
            "Resources.Fn.Properties.Environment.Variables.XX: Fn::FindInMap needs [map name,"
                + " top-level key, second-level key] (template.yaml:22:15)");
  }

  @Test
  void mappings_holdingAnIntrinsicOrMissingALevel_areErrors() {
    String yaml =
        "Mappings:\n  M:\n    a:\n      b: !Ref AWS::Region\n  N:\n    flat: 1\n"
            + "Resources:\n  S:\n    Type: AWS::Kinesis::Stream\n";

    assertThat(Inline.errors(yaml))
        .containsExactly(
            "Mappings.M.a.b: Mappings hold literal values; Ref is not allowed"
                + " (template.yaml:4:10)",
            "Mappings.N.flat: expected a mapping of keys to values (template.yaml:6:11)");
  }

  @Test
  void ref_functionNameThroughItself_reportsTheCycle() {
    String yaml =
        Inline.SAM + "Resources:\n" + Inline.function("Fn", "FunctionName: !Sub '${Fn}-x'\n");

    assertThat(Inline.errors(yaml))
        .containsExactly(
            "Resources.Fn.Properties.FunctionName: reference cycle Fn -> Fn (template.yaml:9:21)");
  }

  @Test
  void ignoredProperty_mayHoldIntrinsicsSluiceCannotResolve() {
    Template t =
        Inline.parse(env("AA: b\n") + "      Policies:\n        - !GetAtt Queue.QueueName\n");

    assertThat(t.functions()).hasSize(1);
    assertThat(t.warnings()).anyMatch(w -> w.startsWith("Resources.Fn.Properties.Policies:"));
  }
}
