package dev.sluice.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.sluice.mapper.MappingRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class GoodTemplatesTest {

  private static final String ARN_PREFIX = "arn:aws:kinesis:eu-west-1:123456789012:stream/";

  static Stream<Path> goodFixtures() {
    return Fixtures.files("good");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goodFixtures")
  void load_goodFixture_resolvesEveryResource(Path file) {
    Template t = Fixtures.load(file);

    assertThat(t.file()).isEqualTo(file.getFileName().toString());
    assertThat(t.baseDir()).isEqualTo(file.getParent().toAbsolutePath());
    assertThat(t.streams().size() + t.functions().size()).isPositive();
    assertThat(t.streams()).allSatisfy(s -> assertThat(s.name()).isNotBlank());
    assertThat(t.functions())
        .allSatisfy(
            f -> {
              assertThat(f.name()).isNotBlank();
              assertThat(f.code().path().startsWith(t.baseDir())).isTrue();
              assertThat(f.kinesisEvents())
                  .allSatisfy(e -> assertThat(e.request().functionName()).isEqualTo(f.name()));
            });
  }

  @Test
  void load_ordersFixture_resolvesStreamsFunctionAndMapping() {
    Template t = load("orders.yaml");

    assertThat(t.streams())
        .containsExactly(
            new StreamResource(
                "Orders",
                "orders",
                4,
                48,
                "PROVISIONED",
                java.util.Map.of("team", "checkout", "cost-centre", "4711")),
            new StreamResource(
                "OrderFailures", "order-failures", null, 24, "ON_DEMAND", java.util.Map.of()));
    FunctionResource f = t.functions().get(0);
    assertThat(f.name()).isEqualTo("order-processor");
    assertThat(f.code())
        .isEqualTo(
            new CodeUri(t.baseDir().resolve("processor/target/processor.jar"), CodeUri.Kind.JAR));
    assertThat(f.handler()).isEqualTo("com.example.orders.Processor::handleRequest");
    assertThat(f.runtime()).isEqualTo("java21");
    assertThat(f.memorySize()).isEqualTo(512);
    assertThat(f.timeoutSeconds()).isEqualTo(60);
    assertThat(f.reservedConcurrency()).isEqualTo(10);
    assertThat(f.isolation()).isEqualTo("process");
    assertThat(f.environment())
        .containsExactly(
            entry("TABLE", "orders"), entry("MAX_ITEMS", "25"), entry("DRY_RUN", "false"));
    assertThat(f.kafkaEvents()).isEmpty();
    KinesisEventSource e = f.kinesisEvents().get(0);
    assertThat(e.logicalId()).isEqualTo("Orders");
    assertThat(e.streamArn()).isEqualTo(ARN_PREFIX + "orders");
    assertThat(e.request())
        .isEqualTo(
            new MappingRequest(
                "order-processor",
                ARN_PREFIX + "orders",
                true,
                500,
                5,
                "TRIM_HORIZON",
                null,
                2,
                true,
                3,
                3600,
                ARN_PREFIX + "order-failures",
                List.of("ReportBatchItemFailures"),
                List.of(
                    "{\"data\": {\"type\": [\"order\"]}}",
                    "{\"data\": {\"total\": [{\"numeric\": [\">\", 100]}]}}"),
                0,
                true,
                null));
  }

  @Test
  void load_ordersFixture_warnsAboutWhatSluiceIgnores() {
    Template t = load("orders.yaml");

    assertThat(t.warnings())
        .containsExactly(
            "Resources.DeadLetters: AWS::SQS::Queue is not deployed by Sluice (orders.yaml:25:3)",
            "Resources.OrderProcessor.Properties.Role: not used by Sluice (ignored) (orders.yaml:45:7)",
            "Resources.OrderProcessor.Properties.Policies: not used by Sluice (ignored) (orders.yaml:46:7)",
            "Resources.OrderProcessor.Properties.Events.Orders.Properties.KmsKeyArn: not used by Sluice"
                + " (ignored) (orders.yaml:78:13)");
  }

  @Test
  void load_intrinsicsFixture_appliesEveryIntrinsicWithOverrides() {
    Template t = load("intrinsics.yaml");

    assertThat(t.streams())
        .extracting(StreamResource::logicalId, StreamResource::name, StreamResource::shardCount)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("Clicks", "shop-clicks-prod", 2),
            org.assertj.core.groups.Tuple.tuple("Sessions", "shop-sessions", 3));
    StreamResource clicks = t.streams().get(0);
    assertThat(clicks.retentionHours()).as("NoValue leaves the default").isEqualTo(24);
    assertThat(clicks.tags())
        .containsExactly(
            entry("region", "eu-west-1"),
            entry("partition", "aws"),
            entry("account", "123456789012"));
    FunctionResource f = t.functions().get(0);
    assertThat(f.name()).isEqualTo("shop-counter");
    assertThat(f.code().kind()).isEqualTo(CodeUri.Kind.ZIP);
    assertThat(f.description())
        .isEqualTo(
            "Counts shop-clicks-prod into " + ARN_PREFIX + "shop-sessions; literal ${NotAVar}");
    assertThat(f.environment())
        .containsExactly(
            entry("CLICKS_ARN", ARN_PREFIX + "shop-clicks-prod"),
            entry("SESSIONS", "shop-sessions"),
            entry("SESSIONS_ARN", ARN_PREFIX + "shop-sessions"),
            entry("BROKER", "b2:9092"),
            entry("FIRST_PORT", "9092"),
            entry("BROKERS", "b1:9092,b2:9092"),
            entry("MODE", "eu-prod"),
            entry("ANY", "any"),
            entry("LONG", "not-dev"),
            entry("ZONE", "eu-west-1/shop/shop"),
            entry("JOINED", "ab"),
            entry("CONFIG", "eyJhIjoxfQ=="),
            entry(
                "ENCODED",
                java.util.Base64.getEncoder()
                    .encodeToString("shop-é".getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    MappingRequest r = f.kinesisEvents().get(0).request();
    assertThat(r.eventSourceArn()).isEqualTo(ARN_PREFIX + "shop-clicks-prod");
    assertThat(r.startingPosition()).isEqualTo("AT_TIMESTAMP");
    assertThat(r.startingTimestampMillis()).isEqualTo(1_700_000_000_500L);
    assertThat(r.batchSize()).isEqualTo(2);
    assertThat(r.enabled()).isTrue();
  }

  @Test
  void load_globalsFixture_mergesGlobalsIntoEachFunction() {
    Template t = load("globals.yaml");

    FunctionResource ingest = t.functions().get(0);
    assertThat(ingest.runtime()).isEqualTo("java21");
    assertThat(ingest.memorySize()).as("function wins").isEqualTo(2048);
    assertThat(ingest.timeoutSeconds()).isEqualTo(30);
    assertThat(ingest.description()).isEqualTo("shared settings");
    assertThat(ingest.code().path()).isEqualTo(t.baseDir().resolve("build/shared.jar"));
    assertThat(ingest.environment())
        .containsExactly(
            entry("LOG_LEVEL", "DEBUG"), entry("REGION", "eu-west-1"), entry("BATCH", "50"));
    FunctionResource nativeFn = t.functions().get(1);
    assertThat(nativeFn.runtime()).isEqualTo("provided.al2023");
    assertThat(nativeFn.handler()).isNull();
    assertThat(nativeFn.code().kind()).isEqualTo(CodeUri.Kind.ZIP);
    assertThat(nativeFn.description()).isEqualTo("built with GraalVM");
    assertThat(nativeFn.environment())
        .containsExactly(entry("LOG_LEVEL", "INFO"), entry("REGION", "eu-west-1"));
    assertThat(t.warnings())
        .containsExactly(
            "Globals.Function.Tracing: not used by Sluice (ignored) (globals.yaml:10:5)",
            "Globals.Api: not used by Sluice (ignored) (globals.yaml:15:3)");
  }

  @Test
  void load_kafkaAtTimestamp_readsTheTimestampInMilliseconds() {
    KafkaEventSource e = load("kafka-at-timestamp.yaml").functions().get(0).kafkaEvents().get(0);
    assertThat(e.startingPosition()).isEqualTo("AT_TIMESTAMP");
    assertThat(e.startingTimestampMillis()).isEqualTo(1_764_000_000_250L);
  }

  @Test
  void load_kafkaFixture_readsBothEventTypes() {
    Template t = load("kafka-and-kinesis.yaml");

    assertThat(t.warnings())
        .contains(
            "Resources.Enricher.Properties.Events.Payments.Properties.LoggingConfig: not used by"
                + " Sluice (ignored) (kafka-and-kinesis.yaml:51:13)");
    FunctionResource f = t.functions().get(0);
    assertThat(f.runtime()).isEqualTo("java25");
    assertThat(f.kafkaEvents())
        .containsExactly(
            new KafkaEventSource(
                "Payments",
                List.of("broker-1.internal:9092", "broker-2.internal:9092"),
                List.of("payments"),
                "enricher",
                "LATEST",
                null,
                200,
                1,
                List.of("{\"value\": {\"currency\": [\"EUR\"]}}"),
                false,
                -1,
                -1,
                List.of("ReportBatchItemFailures"),
                "file:///var/sluice/failures",
                List.of(
                    new KafkaEventSource.SourceAccess(
                        "SASL_SCRAM_512_AUTH", "file:///etc/sluice/kafka-login.json"),
                    new KafkaEventSource.SourceAccess(
                        "SERVER_ROOT_CA_CERTIFICATE", "file:///etc/sluice/kafka-ca.json")),
                4,
                true,
                false));
    MappingRequest r = f.kinesisEvents().get(0).request();
    assertThat(r.eventSourceArn()).isEqualTo(ARN_PREFIX + "refunds");
    assertThat(r.batchSize()).as("default").isEqualTo(100);
    assertThat(r.enabled()).as("default").isTrue();
    assertThat(r.maxRetryAttempts()).isNull();
    assertThat(r.metadataOnlyFailures()).isNull();
  }

  @Test
  void load_streamsOnlyFixture_appliesStreamDefaults() {
    Template t = load("streams-only.yaml");

    assertThat(t.functions()).isEmpty();
    assertThat(t.streams())
        .containsExactly(
            new StreamResource("Audit", "Audit", 1, 24, "PROVISIONED", java.util.Map.of()),
            new StreamResource("Metrics", "Metrics", 500, 8760, "PROVISIONED", java.util.Map.of()));
    assertThat(t.warnings())
        .containsExactly(
            "Resources.Metrics.Properties.StreamEncryption: not used by Sluice (ignored)"
                + " (streams-only.yaml:10:7)");
  }

  @Test
  void load_jsonFixture_readsJsonWithTabs() {
    Template t = load("json-template.json");

    assertThat(t.streams()).extracting(StreamResource::name).containsExactly("events-v1");
    FunctionResource f = t.functions().get(0);
    assertThat(f.timeoutSeconds()).isEqualTo(900);
    assertThat(f.memorySize()).as("default").isEqualTo(128);
    assertThat(f.kinesisEvents().get(0).request().batchSize()).isEqualTo(10_000);
    assertThat(f.kinesisEvents().get(0).streamArn()).isEqualTo(ARN_PREFIX + "events-v1");
  }

  private static Template load(String name) {
    return Fixtures.load(Fixtures.dir("good").resolve(name));
  }
}
