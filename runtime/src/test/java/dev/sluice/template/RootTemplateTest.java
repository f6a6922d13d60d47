package dev.sluice.template;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The repository's own template.yaml, the one the README runs, resolves as documented. */
class RootTemplateTest {

  static final Path ROOT_TEMPLATE = Path.of("..", "template.yaml");

  @Test
  void load_orderPipeline_threeStreamsTwoProcessFunctionsTwoMappings() {
    Template t =
        TemplateLoader.load(
            ROOT_TEMPLATE, new TemplateContext("eu-west-1", "123456789012", "main", Map.of()));

    assertThat(t.streams())
        .extracting(
            StreamResource::name, StreamResource::shardCount, StreamResource::retentionHours)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("orders", 4, 24),
            org.assertj.core.groups.Tuple.tuple("notifications", 2, 24),
            org.assertj.core.groups.Tuple.tuple("order-failures", 1, 24));
    assertThat(t.functions())
        .extracting(FunctionResource::name, FunctionResource::isolation, FunctionResource::runtime)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("OrderProcessor", "process", "java17"),
            org.assertj.core.groups.Tuple.tuple("NotificationSender", "process", "java17"));
    FunctionResource processor = t.functions().get(0);
    assertThat(processor.code().kind()).isEqualTo(CodeUri.Kind.MAVEN_MODULE);
    assertThat(processor.code().path()).endsWith(Path.of("examples", "order-pipeline"));
    assertThat(processor.environment())
        .containsEntry("ORDER_STATE_DIR", "/tmp/sluice-order-state")
        .containsEntry("STAGE", "local");
    KinesisEventSource orders = processor.kinesisEvents().get(0);
    assertThat(orders.streamArn())
        .isEqualTo("arn:aws:kinesis:eu-west-1:123456789012:stream/orders");
    assertThat(orders.request().onFailure())
        .isEqualTo("arn:aws:kinesis:eu-west-1:123456789012:stream/order-failures");
    assertThat(orders.request().functionResponseTypes()).containsExactly("ReportBatchItemFailures");
    assertThat(t.functions().get(1).kinesisEvents().get(0).streamArn())
        .isEqualTo(orders.streamArn());
    assertThat(t.functions().get(1).environment())
        .containsEntry("NOTIFICATIONS_STREAM", "notifications");
  }

  @Test
  void load_prodStageOverride_retentionFromTheCondition() {
    Template t =
        TemplateLoader.load(
            ROOT_TEMPLATE,
            new TemplateContext(
                "us-east-1", "000000000000", "main", Map.of("Stage", "prod", "OrderShards", "8")));

    assertThat(t.streams().get(0).retentionHours()).isEqualTo(168);
    assertThat(t.streams().get(0).shardCount()).isEqualTo(8);
  }
}
