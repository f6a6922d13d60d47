package dev.sluice.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.sluice.mapper.MappingRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

class FunctionsTest {

  private static final String STREAM_ARN = "arn:aws:kinesis:eu-west-1:123456789012:stream/s";

  private static String function(String more) {
    return Inline.SAM + "Resources:\n" + Inline.function("Fn", more);
  }

  /** A function with Kinesis event E and {@code setting} in its Metadata.Sluice.Events.E. */
  private static String kinesisEventWithMetadata(String setting) {
    return function(
            "Events:\n  E:\n    Type: Kinesis\n    Properties:\n      Stream: "
                + STREAM_ARN
                + "\n      StartingPosition: LATEST\n")
        + "    Metadata:\n      Sluice:\n        Events:\n          E:\n"
        + "            "
        + setting
        + "\n";
  }

  @Test
  void function_withOnlyRequiredProperties_getsLambdaDefaults() {
    FunctionResource f = Inline.parse(function("")).functions().get(0);

    assertThat(f.name()).isEqualTo("Fn");
    assertThat(f.memorySize()).isEqualTo(128);
    assertThat(f.timeoutSeconds()).isEqualTo(3);
    assertThat(f.isolation()).isEqualTo("classloader");
    assertThat(f.environment()).isEmpty();
    assertThat(f.reservedConcurrency()).isNull();
    assertThat(f.description()).isNull();
    assertThat(f.kinesisEvents()).isEmpty();
    assertThat(f.kafkaEvents()).isEmpty();
  }

  @Test
  void twoKinesisEvents_onTheSameStream_anErrorAtTheSecond() {
    String events =
        "Events:\n"
            + "  A:\n    Type: Kinesis\n    Properties:\n      Stream: "
            + STREAM_ARN
            + "\n      StartingPosition: LATEST\n"
            + "  B:\n    Type: Kinesis\n    Properties:\n      Stream: "
            + STREAM_ARN
            + "\n      StartingPosition: LATEST\n";

    assertThat(Inline.errors(function(events)))
        .singleElement()
        .asString()
        .startsWith("Resources.Fn.Properties.Events.B.Properties.Stream:")
        .contains("event A of this function reads this stream already");
  }

  @Test
  void onFailureToSqs_withoutASluiceDestination_anErrorSayingWhereToGiveOne() {
    String events =
        "Events:\n  E:\n    Type: Kinesis\n    Properties:\n      Stream: "
            + STREAM_ARN
            + "\n      StartingPosition: LATEST\n      DestinationConfig:\n        OnFailure:\n"
            + "          Type: SQS\n"
            + "          Destination: arn:aws:sqs:eu-west-1:123456789012:dlq\n";

    assertThat(Inline.errors(function(events)))
        .singleElement()
        .asString()
        .contains("Sluice cannot send failure records to arn:aws:sqs:eu-west-1:123456789012:dlq")
        .contains("Metadata.Sluice.Events.E.OnFailure");
  }

  @Test
  void onFailureType_notOneSamTakes_anError() {
    String events =
        "Events:\n  E:\n    Type: Kinesis\n    Properties:\n      Stream: "
            + STREAM_ARN
            + "\n      StartingPosition: LATEST\n      DestinationConfig:\n        OnFailure:\n"
            + "          Type: Kinesis\n          Destination: "
            + STREAM_ARN
            + "-dlq\n";

    assertThat(Inline.errors(function(events)))
        .singleElement()
        .asString()
        .contains("OnFailure.Type: Kinesis is not one of SQS, SNS, S3");
  }

  /** A function with SelfManagedKafka event K and {@code more} in its Properties. */
  private static String kafkaEvent(String more) {
    return function(
        "Events:\n  K:\n    Type: SelfManagedKafka\n    Properties:\n"
            + "      KafkaBootstrapServers: [localhost:9092]\n      Topics: [orders]\n"
            + "      SourceAccessConfigurations: [{Type: BASIC_AUTH, URI: 'file:///run/k.json'}]\n"
            + more);
  }

  @Test
  void onFailureTypeKafka_ofAKafkaEvent_isTheSluiceDestinationToo() {
    String yaml =
        kafkaEvent(
            "      DestinationConfig:\n        OnFailure:\n"
                + "          Type: Kafka\n          Destination: kafka://orders-dlt\n");

    assertThat(Inline.parse(yaml).functions().get(0).kafkaEvents().get(0).onFailure())
        .isEqualTo("kafka://orders-dlt");
  }

  @Test
  void onFailureKafkaTopicWithoutType_ofAKafkaEvent_noWarning() {
    String yaml =
        kafkaEvent(
            "      DestinationConfig:\n        OnFailure:\n"
                + "          Destination: kafka://orders-dlt\n");

    Template t = Inline.parse(yaml);

    assertThat(t.functions().get(0).kafkaEvents().get(0).onFailure())
        .isEqualTo("kafka://orders-dlt");
    assertThat(t.warnings()).noneMatch(w -> w.toString().contains("AWS takes only"));
  }

  @Test
  void onFailureSluiceDestination_inTheAwsProperty_takenWithAWarningToMoveIt() {
    for (String destination : List.of("file:///tmp/failures", STREAM_ARN + "-dlq")) {
      String events =
          "Events:\n  E:\n    Type: Kinesis\n    Properties:\n      Stream: "
              + STREAM_ARN
              + "\n      StartingPosition: LATEST\n      DestinationConfig:\n        OnFailure:\n"
              + "          Destination: "
              + destination
              + "\n";

      Template t = Inline.parse(function(events));

      assertThat(t.functions().get(0).kinesisEvents().get(0).request().onFailure())
          .isEqualTo(destination);
      // AWS refuses it there: the same file would not deploy to both
      assertThat(t.warnings())
          .singleElement()
          .asString()
          .contains("OnFailure.Destination: AWS takes only an SQS, SNS or S3 ARN here")
          .contains("Metadata.Sluice.Events.E.OnFailure");
    }
  }

  @Test
  void onFailureTypeKafka_ofAKinesisEvent_anError() {
    String events =
        "Events:\n  E:\n    Type: Kinesis\n    Properties:\n      Stream: "
            + STREAM_ARN
            + "\n      StartingPosition: LATEST\n      DestinationConfig:\n        OnFailure:\n"
            + "          Type: Kafka\n          Destination: kafka://orders-dlt\n";

    assertThat(Inline.errors(function(events)))
        .anySatisfy(
            e -> assertThat(e).contains("OnFailure.Type: Kafka is not one of SQS, SNS, S3"));
  }

  @Test
  void schemaRegistryConfig_ofAKafkaEvent_anErrorAtTheKey() {
    String yaml =
        kafkaEvent(
            "      SchemaRegistryConfig:\n        SchemaRegistryURI: https://registry:8081\n"
                + "        EventRecordFormat: JSON\n");

    assertThat(Inline.errors(yaml))
        .singleElement()
        .asString()
        .startsWith("Resources.Fn.Properties.Events.K.Properties.SchemaRegistryConfig:")
        .contains("decoded by the schema registry");
  }

  @Test
  void eventLogicalId_notAlphanumeric_anErrorAtTheKey() {
    String events =
        "Events:\n  order-stream:\n    Type: Kinesis\n    Properties:\n      Stream: "
            + STREAM_ARN
            + "\n      StartingPosition: LATEST\n";

    assertThat(Inline.errors(function(events)))
        .singleElement()
        .asString()
        .startsWith(
            "Resources.Fn.Properties.Events.order-stream: logical ids must be alphanumeric");
  }

  @Test
  void tags_keysSamReserves_anErrorAtEach() {
    String yaml =
        function("Tags:\n  lambda:createdBy: me\n  serverlessrepo:applicationId: x\n  ok: y\n");

    assertThat(Inline.errors(yaml))
        .hasSize(2)
        .allSatisfy(e -> assertThat(e).contains("is a tag key SAM reserves"));
  }

  @Test
  void providedRuntime_withoutIsolation_runsAsAProcess() {
    String yaml =
        Inline.SAM
            + "Resources:\n  Os:\n    Type: AWS::Serverless::Function\n    Properties:\n"
            + "      CodeUri: app.zip\n      Handler: bootstrap\n      Runtime: provided.al2023\n";
    assertThat(Inline.parse(yaml).functions().get(0).isolation()).isEqualTo("process");
  }

  @Test
  void providedRuntime_classloaderIsolation_anErrorAtTheIsolation() {
    String yaml =
        Inline.SAM
            + "Resources:\n  Os:\n    Type: AWS::Serverless::Function\n    Properties:\n"
            + "      CodeUri: app.zip\n      Handler: bootstrap\n      Runtime: provided.al2023\n"
            + "    Metadata:\n      Sluice:\n        Isolation: classloader\n";

    assertThat(Inline.errors(yaml))
        .containsExactly(
            "Resources.Os.Metadata.Sluice.Isolation: runtime provided.al2023 runs its bootstrap as"
                + " a process: it needs Isolation process (template.yaml:11:20)");
  }

  @Test
  void sluiceMetadata_kafkaOnFailureForAKinesisEvent_anError() {
    String yaml = kinesisEventWithMetadata("OnFailure: kafka://failures");

    assertThat(Inline.errors(yaml))
        .singleElement()
        .asString()
        .startsWith("Resources.Fn.Metadata.Sluice.Events.E.OnFailure: a Kinesis event sends")
        .contains("kafka:// topics are for Kafka events");
  }

  @Test
  void kinesisEvent_withOnlyRequiredProperties_getsMappingDefaults() {
    String events =
        "Events:\n  E:\n    Type: Kinesis\n    Properties:\n"
            + "      Stream: "
            + STREAM_ARN
            + "\n      StartingPosition: LATEST\n";

    MappingRequest r =
        Inline.parse(function(events)).functions().get(0).kinesisEvents().get(0).request();

    assertThat(r)
        .isEqualTo(
            new MappingRequest(
                "Fn",
                STREAM_ARN,
                true,
                100,
                null,
                "LATEST",
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null));
  }

  @Test
  void event_ofATypeSluiceDoesNotRun_isSkippedWithAWarning() {
    String events =
        "Events:\n"
            + "  Api:\n    Type: Api\n    Properties:\n      Path: /x\n      Method: get\n"
            + "  E:\n    Type: Kinesis\n    Properties:\n      Stream: "
            + STREAM_ARN
            + "\n      StartingPosition: LATEST\n";

    Template t = Inline.parse(function(events));

    assertThat(t.functions().get(0).kinesisEvents())
        .extracting(KinesisEventSource::logicalId)
        .containsExactly("E");
    assertThat(t.warnings())
        .containsExactly(
            "Resources.Fn.Properties.Events.Api.Type: event type Api is not supported by Sluice"
                + " (skipped; it runs Kinesis and SelfManagedKafka) (template.yaml:11:17)");
  }

  @Test
  void sluiceMetadata_failureRecordFormatSluice_meansFullRecords() {
    String yaml = kinesisEventWithMetadata("FailureRecordFormat: Sluice");

    MappingRequest r = Inline.parse(yaml).functions().get(0).kinesisEvents().get(0).request();

    assertThat(r.metadataOnlyFailures()).isFalse();
  }

  @Test
  void sluiceMetadata_parallelizationFactorOfAKafkaEvent_isTheEvents() {
    String yaml =
        function(
                "Events:\n  K:\n    Type: SelfManagedKafka\n    Properties:\n"
                    + "      KafkaBootstrapServers: [localhost:9092]\n      Topics: [orders]\n"
                    + "      SourceAccessConfigurations: [{Type: BASIC_AUTH, URI: 'file:///run/kafka.json'}]\n")
            + "    Metadata:\n      Sluice:\n        Events:\n          K:\n"
            + "            ParallelizationFactor: 3\n";

    KafkaEventSource kafka = Inline.parse(yaml).functions().get(0).kafkaEvents().get(0);

    assertThat(kafka.parallelizationFactor()).isEqualTo(3);
  }

  @Test
  void sluiceMetadata_parallelizationFactorOfAKinesisEvent_isAnError() {
    String yaml =
        function(
                "Events:\n  E:\n    Type: Kinesis\n    Properties:\n      Stream: "
                    + STREAM_ARN
                    + "\n      StartingPosition: LATEST\n")
            + "    Metadata:\n      Sluice:\n        Events:\n          E:\n"
            + "            ParallelizationFactor: 2\n";

    assertThat(Inline.errors(yaml))
        .containsExactly(
            "Resources.Fn.Metadata.Sluice.Events.E: a Kinesis event takes ParallelizationFactor"
                + " in its Properties, as Lambda does (template.yaml:18:11)");
  }

  @Test
  void sluiceMetadata_forAnEventTheFunctionLacks_isAnError() {
    String yaml =
        function("")
            + "    Metadata:\n      Sluice:\n        Isolation: thread\n        Events:\n"
            + "          Missing:\n            FailureRecordFormat: Lambda\n";

    assertThat(Inline.errors(yaml))
        .containsExactly(
            "Resources.Fn.Metadata.Sluice.Isolation: thread is not one of classloader, process"
                + " (template.yaml:11:20)",
            "Resources.Fn.Metadata.Sluice.Events.Missing: the function has no event Missing"
                + " (template.yaml:13:11)");
  }

  @Test
  void environment_reservedName_isAnErrorAtItsKey() {
    String yaml = function("Environment:\n  Variables:\n    AWS_REGION: eu-west-1\n    XY: 1\n");

    assertThat(Inline.errors(yaml))
        .containsExactly(
            "Resources.Fn.Properties.Environment.Variables.AWS_REGION: is reserved by Lambda and"
                + " cannot be set (template.yaml:11:11)");
  }

  @Test
  void environment_nameNotMatchingLambdasPattern_isAnErrorAtItsKey() {
    String yaml =
        function("Environment:\n  Variables:\n    MY-VAR: a\n    X: b\n    _X: c\n    OK_1: d\n");

    assertThat(Inline.errors(yaml))
        .containsExactly(
            "Resources.Fn.Properties.Environment.Variables.MY-VAR: is not a valid Lambda environment"
                + " variable name: it must be a letter followed by one or more letters, digits or"
                + " underscores (template.yaml:11:11)",
            "Resources.Fn.Properties.Environment.Variables.X: is not a valid Lambda environment"
                + " variable name: it must be a letter followed by one or more letters, digits or"
                + " underscores (template.yaml:12:11)",
            "Resources.Fn.Properties.Environment.Variables._X: is not a valid Lambda environment"
                + " variable name: it must be a letter followed by one or more letters, digits or"
                + " underscores (template.yaml:13:11)");
  }

  @Test
  void tags_givenAndMerged_withSamsCreatedByTag() {
    FunctionResource f =
        Inline.parse(function("Tags:\n  team: orders\n  cost: 12\n")).functions().get(0);

    assertThat(f.tags())
        .containsExactly(
            entry("team", "orders"), entry("cost", "12"), entry("lambda:createdBy", "SAM"));
  }

  @Test
  void tags_reservedOrTooLongKey_isAnErrorAtItsKey() {
    String yaml = function("Tags:\n  aws:owner: x\n  ok: y\n");

    assertThat(Inline.errors(yaml))
        .containsExactly(
            "Resources.Fn.Properties.Tags.aws:owner: is not a tag key Lambda takes: 1 to 128"
                + " characters, not starting with aws: (template.yaml:10:9)");
  }

  @Test
  void connectorsAttribute_isIgnoredWithAWarning() {
    String yaml =
        function("")
            + "    Connectors:\n      Write:\n        Properties:\n"
            + "          Destination: {Id: Table}\n          Permissions: [Write]\n";

    Template t = Inline.parse(yaml);

    assertThat(t.functions()).hasSize(1);
    assertThat(t.warnings())
        .containsExactly(
            "Resources.Fn.Connectors: ignored: Sluice grants every function every access"
                + " (template.yaml:9:5)");
  }

  @Test
  void sluiceOnFailure_aStreamNameOrTheSourceStream_isAnErrorAtItsValue() {
    String name = kinesisEventWithMetadata("OnFailure: failures\n");
    String source = kinesisEventWithMetadata("OnFailure: " + STREAM_ARN + "\n");

    assertThat(Inline.errors(name))
        .containsExactly(
            "Resources.Fn.Metadata.Sluice.Events.E.OnFailure: failures is not a Sluice failure"
                + " destination: a stream ARN, an absolute file:// directory (template.yaml:19:24)");
    assertThat(Inline.errors(source))
        .containsExactly(
            "Resources.Fn.Metadata.Sluice.Events.E.OnFailure: is the event's own source: its"
                + " failure records would be read back and fail again for ever"
                + " (template.yaml:19:24)");
  }

  @Test
  void destinationConfig_notASluiceDestination_isAnErrorNamingIt() {
    String yaml =
        function(
            "Events:\n  E:\n    Type: Kinesis\n    Properties:\n      Stream: "
                + STREAM_ARN
                + "\n      StartingPosition: LATEST\n      DestinationConfig:\n"
                + "        OnFailure:\n          Destination: /tmp/failures\n");

    assertThat(Inline.errors(yaml))
        .containsExactly(
            "Resources.Fn.Properties.Events.E.Properties.DestinationConfig.OnFailure.Destination:"
                + " /tmp/failures is not a Sluice failure destination: a stream ARN, an absolute"
                + " file:// directory (template.yaml:16:15)");
  }

  @Test
  void environment_overLambdasFourKilobytesAsJson_isAnError() {
    // 4,087 characters of names and values, but {"BLOB":"x...","OK":"y"} is 4,100 bytes, and that
    // is what Lambda measures
    String yaml =
        function("Environment:\n  Variables:\n    BLOB: " + "x".repeat(4080) + "\n    OK: y\n");

    assertThat(Inline.errors(yaml))
        .containsExactly(
            "Resources.Fn.Properties.Environment: variables exceed Lambda's 4 KB (4100 bytes"
                + " written as a JSON object) (template.yaml:10:9)");
  }

  @Test
  void handlerWithSpaceOrDescriptionOver256_errorsAtTheirValues() {
    String yaml =
        (Inline.SAM + "Resources:\n" + Inline.function("Fn", "Description: " + "d".repeat(257)))
            .replace("Handler: example.Handler", "Handler: example.Handler handleRequest");

    assertThat(Inline.errors(yaml))
        .containsExactly(
            "Resources.Fn.Properties.Handler: Handler must be 1-128 characters without white"
                + " space (template.yaml:7:16)",
            "Resources.Fn.Properties.Description: Description must be at most 256 characters,"
                + " not 257 (template.yaml:9:20)");
  }

  @Test
  void tags_sluicePrefix_isAnErrorAtItsKey() {
    String yaml = function("Tags:\n  sluice:isolation: process\n  ok: y\n");

    assertThat(Inline.errors(yaml))
        .containsExactly(
            "Resources.Fn.Properties.Tags.sluice:isolation: is Sluice's own: tag keys starting"
                + " with sluice: are not tags (template.yaml:10:9)");
  }

  @Test
  void tags_moreThanLambdaTakesWithSamsOwn_isAnErrorAtTheTagsKey() {
    StringBuilder tags = new StringBuilder("Tags:\n");
    for (int i = 0; i < 50; i++) {
      tags.append("  t").append(i).append(": v\n");
    }

    assertThat(Inline.errors(function(tags.toString())))
        .containsExactly(
            "Resources.Fn.Properties.Tags: gives the function 50 tags; Lambda takes 50, and SAM"
                + " adds lambda:createdBy, so at most 49 (Globals' included) (template.yaml:9:7)");
    String fewer = tags.toString().replace("  t49: v\n", "");
    assertThat(Inline.parse(function(fewer)).functions().get(0).tags()).hasSize(50);
  }

  @Test
  void environment_numbersAndBooleans_areStringified() {
    FunctionResource f =
        Inline.parse(
                function("Environment:\n  Variables:\n    NN: 1.50\n    BB: yes\n    SS: 'x'\n"))
            .functions()
            .get(0);

    assertThat(f.environment())
        .containsExactly(entry("NN", "1.50"), entry("BB", "true"), entry("SS", "x"));
  }

  @Test
  void providedRuntime_needsNoHandler() {
    String yaml =
        Inline.SAM
            + "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
            + "      CodeUri: fn.zip\n      Runtime: provided.al2\n";

    assertThat(Inline.parse(yaml).functions().get(0).handler()).isNull();
  }

  @Test
  void missingCodeUriAndRuntime_areBothReported() {
    String yaml =
        Inline.SAM
            + "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
            + "      Handler: example.Handler\n";

    assertThat(Inline.errors(yaml))
        .containsExactly(
            "Resources.Fn.Properties.CodeUri: is required (template.yaml:5:5)",
            "Resources.Fn.Properties.Runtime: is required (template.yaml:5:5)");
  }

  @Test
  void logicalIdOver64CharactersWithoutFunctionName_anErrorAtTheResource() {
    String id = "F".repeat(65);
    String yaml =
        Inline.SAM
            + "Resources:\n"
            + Inline.function(id, "")
            + "  "
            + "S".repeat(129)
            + ":\n    Type: AWS::Kinesis::Stream\n    Properties:\n      ShardCount: 1\n";

    assertThat(Inline.errors(yaml))
        .containsExactly(
            "Resources."
                + id
                + ": "
                + id
                + " is too long to be the function's name (at most 64 characters): give it a"
                + " FunctionName (template.yaml:4:5)",
            "Resources."
                + "S".repeat(129)
                + ": "
                + "S".repeat(129)
                + " is too long to be the stream's name (at most 128 characters): give it a Name"
                + " (template.yaml:10:5)");
  }

  @Test
  void streamShardCountOver500_loadsForTheServerToJudge() {
    String yaml =
        Inline.SAM
            + "Resources:\n  Big:\n    Type: AWS::Kinesis::Stream\n    Properties:\n"
            + "      ShardCount: 1000\n";

    assertThat(Inline.parse(yaml).streams().get(0).shardCount()).isEqualTo(1000);
  }

  @Test
  void duplicateFunctionName_isAnError() {
    String yaml =
        Inline.SAM
            + "Resources:\n"
            + Inline.function("A", "FunctionName: same\n")
            + Inline.function("B", "FunctionName: same\n");

    assertThat(Inline.errors(yaml))
        .containsExactly(
            "Resources.B: function name same is already used by A (template.yaml:10:3)");
  }

  @Test
  void kafkaEvent_withoutSourceAccessConfigurations_loadsWithAWarningThatSamRefusesIt() {
    String yaml =
        function(
            "Events:\n  K:\n    Type: SelfManagedKafka\n    Properties:\n"
                + "      KafkaBootstrapServers: [localhost:9092]\n      Topics: [orders]\n");

    Template t = Inline.parse(yaml);

    assertThat(t.functions().get(0).kafkaEvents().get(0).sourceAccess()).isEmpty();
    assertThat(t.warnings())
        .containsExactly(
            "Resources.Fn.Properties.Events.K.Properties.SourceAccessConfigurations: none given:"
                + " sam deploy refuses a SelfManagedKafka event without one (\"No"
                + " SourceAccessConfigurations for self managed kafka event provided.\")"
                + " (template.yaml:12:11)");
  }

  @Test
  void inlineCode_isAnErrorSayingSluiceDoesNotSupportIt() {
    String yaml =
        Inline.SAM
            + "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
            + "      InlineCode: 'print(1)'\n      Handler: index.handler\n      Runtime: java21\n";

    assertThat(Inline.errors(yaml))
        .containsExactly(
            "Resources.Fn.Properties.InlineCode: InlineCode is not supported by Sluice; give the"
                + " code as CodeUri (a jar, a zip or a directory) (template.yaml:6:7)");
  }

  @Test
  void kafkaEvent_parallelizationFactor_isAnErrorSinceLambdaRefusesIt() {
    String yaml =
        function(
            "Events:\n  K:\n    Type: SelfManagedKafka\n    Properties:\n"
                + "      KafkaBootstrapServers: [localhost:9092]\n      Topics: [orders]\n"
                + "      SourceAccessConfigurations: [{Type: BASIC_AUTH, URI: 'file:///run/kafka.json'}]\n"
                + "      ParallelizationFactor: 2\n");

    assertThat(Inline.errors(yaml))
        .containsExactly(
            "Resources.Fn.Properties.Events.K.Properties.ParallelizationFactor: Lambda takes it"
                + " for Kinesis and DynamoDB streams only, so AWS would refuse this event; give it"
                + " as the function's Metadata.Sluice.Events.K.ParallelizationFactor, which AWS"
                + " ignores (template.yaml:16:13)");
  }

  @Test
  void kafkaEvents_sameConsumerGroupIdInTwoFunctions_anErrorAtTheSecond() {
    String event =
        "Events:\n  K:\n    Type: SelfManagedKafka\n    Properties:\n"
            + "      KafkaBootstrapServers: [localhost:9092]\n      Topics: [%s]\n"
            + "      SourceAccessConfigurations: [{Type: BASIC_AUTH, URI: 'file:///run/kafka.json'}]\n"
            + "      ConsumerGroupId: shared\n";
    String yaml =
        Inline.SAM
            + "Resources:\n"
            + Inline.function("A", event.formatted("orders"))
            + Inline.function("B", event.formatted("payments"));

    assertThat(Inline.errors(yaml))
        .singleElement()
        .asString()
        .startsWith(
            "Resources.B.Properties.Events.K.Properties.ConsumerGroupId: is already the consumer"
                + " group of Resources.A.Properties.Events.K.Properties.ConsumerGroupId: one"
                + " mapping a group (template.yaml:");
  }

  @Test
  void kafkaEvent_onFailureTopicKafkaRefusesAsAName_anError() {
    String yaml =
        function(
            "Events:\n  K:\n    Type: SelfManagedKafka\n    Properties:\n"
                + "      KafkaBootstrapServers: [localhost:9092]\n      Topics: [orders]\n"
                + "      SourceAccessConfigurations: [{Type: BASIC_AUTH, URI: 'file:///run/kafka.json'}]\n"
                + "      DestinationConfig:\n        OnFailure:\n"
                + "          Destination: kafka://bad topic\n");

    assertThat(Inline.errors(yaml))
        .singleElement()
        .asString()
        .contains("kafka://bad topic is not a Sluice failure destination");
  }

  @Test
  void kafkaEvent_secretsManagerAccessWithoutSluicesOwn_anErrorNamingWhereToGiveThem() {
    String yaml =
        function(
            "Events:\n  K:\n    Type: SelfManagedKafka\n    Properties:\n"
                + "      KafkaBootstrapServers: [localhost:9092]\n      Topics: [orders]\n"
                + "      SourceAccessConfigurations:\n"
                + "        - {Type: SASL_SCRAM_512_AUTH, URI: 'arn:aws:secretsmanager:r:1:secret:k'}\n");

    assertThat(Inline.errors(yaml))
        .singleElement()
        .asString()
        .startsWith(
            "Resources.Fn.Properties.Events.K.Properties.SourceAccessConfigurations:"
                + " SourceAccessConfigurations.URI of SASL_SCRAM_512_AUTH must be a file:// URI")
        .contains("give Sluice's own as Resources.Fn.Metadata.Sluice.Events.K");
  }

  @Test
  void kafkaEvent_twoSaslInSluicesOwnAccess_anErrorThere() {
    String yaml =
        function(
                "Events:\n  K:\n    Type: SelfManagedKafka\n    Properties:\n"
                    + "      KafkaBootstrapServers: [localhost:9092]\n      Topics: [orders]\n")
            + "    Metadata:\n      Sluice:\n        Events:\n          K:\n"
            + "            SourceAccessConfigurations:\n"
            + "              - {Type: BASIC_AUTH, URI: 'file:///a.json'}\n"
            + "              - {Type: SASL_SCRAM_256_AUTH, URI: 'file:///b.json'}\n";

    assertThat(Inline.errors(yaml))
        .singleElement()
        .asString()
        .startsWith(
            "Resources.Fn.Metadata.Sluice.Events.K.SourceAccessConfigurations:"
                + " SourceAccessConfigurations may name one SASL authentication only.");
  }

  @Test
  void kinesisEvent_sluiceSourceAccess_anError() {
    String yaml =
        kinesisEventWithMetadata(
            "SourceAccessConfigurations: [{Type: BASIC_AUTH, URI: 'file:///a'}]");

    assertThat(Inline.errors(yaml))
        .singleElement()
        .asString()
        .startsWith(
            "Resources.Fn.Metadata.Sluice.Events.E.SourceAccessConfigurations: only Kafka events"
                + " take it");
  }

  @Test
  void kafkaEvent_missingRequiredLists_areReported() {
    String yaml =
        function(
            "Events:\n  K:\n    Type: SelfManagedKafka\n    Properties:\n      BatchSize: 5\n");

    assertThat(Inline.errors(yaml))
        .containsExactly(
            "Resources.Fn.Properties.Events.K.Properties.KafkaBootstrapServers: is required"
                + " (template.yaml:12:11)",
            "Resources.Fn.Properties.Events.K.Properties.Topics: is required (template.yaml:12:11)");
  }

  @Test
  void kafkaEvent_serversTopicOrGroupTheServerWouldRefuse_errorsAtTheirLines() {
    String yaml =
        function(
            "Events:\n  K:\n    Type: SelfManagedKafka\n    Properties:\n"
                + "      KafkaBootstrapServers: [localhost:9092, 'broker two']\n"
                + "      Topics: [.hidden]\n"
                + "      ConsumerGroupId: 'has space'\n"
                + "      SourceAccessConfigurations: [{Type: BASIC_AUTH, URI: 'file:///run/kafka.json'}]\n");

    assertThat(Inline.errors(yaml))
        .containsExactly(
            "Resources.Fn.Properties.Events.K.Properties.KafkaBootstrapServers: entry broker two is"
                + " not host:port. (template.yaml:13:36)",
            "Resources.Fn.Properties.Events.K.Properties.Topics: must name exactly one topic of"
                + " 2–249 characters [a-zA-Z0-9._-], not starting with '.', not .hidden."
                + " (template.yaml:14:21)",
            "Resources.Fn.Properties.Events.K.Properties.ConsumerGroupId: must be 1–200"
                + " characters of [a-zA-Z0-9-/*:_+=.@], not has space. (template.yaml:15:30)");
  }
}
