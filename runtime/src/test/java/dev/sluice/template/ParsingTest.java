package dev.sluice.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParsingTest {

  private static final String STREAM = "Resources:\n  S:\n    Type: AWS::Kinesis::Stream\n";

  @Test
  void deletionPolicy_retainOrDelete_readAndAnythingElseIsAnError() {
    assertThat(Inline.parse(STREAM + "    DeletionPolicy: Retain\n").streams().get(0).retain())
        .isTrue();
    assertThat(Inline.parse(STREAM + "    DeletionPolicy: Delete\n").streams().get(0).retain())
        .isFalse();
    assertThat(Inline.parse(STREAM).streams().get(0).retain()).isFalse();
    assertThat(Inline.errors(STREAM + "    DeletionPolicy: Snapshot\n"))
        .containsExactly(
            "Resources.S.DeletionPolicy: expected Delete, Retain or RetainExceptOnCreate (a Kinesis"
                + " stream has no Snapshot) (template.yaml:4:21)");
  }

  @Test
  void streamTags_overKinesisBounds_errorsAtTheTag() {
    String tags = STREAM + "    Properties:\n      Tags:\n";
    assertThat(Inline.errors(tags + "        - {Key: k, Value: " + "v".repeat(257) + "}\n"))
        .singleElement()
        .asString()
        .startsWith("Resources.S.Properties.Tags[0]: a tag value must be at most 256 characters")
        .contains("template.yaml:6:");
    assertThat(Inline.errors(tags + "        - {Key: 'sluice:stack', Value: x}\n"))
        .singleElement()
        .asString()
        .contains("sluice: are Sluice's own");
    StringBuilder many = new StringBuilder(tags);
    for (int i = 0; i < 51; i++) {
      many.append("        - {Key: k").append(i).append(", Value: v}\n");
    }
    assertThat(Inline.errors(many.toString()))
        .singleElement()
        .asString()
        .contains("51 tags is above a stream's maximum of 50");
  }

  @Test
  void deletionPolicy_onAFunction_readAndSnapshotIsAnError() {
    String fn =
        Inline.SAM
            + "Resources:\n  F:\n    Type: AWS::Serverless::Function\n"
            + "    Properties: {CodeUri: app.jar, Runtime: java17, Handler: a.B::handle}\n";
    assertThat(Inline.parse(fn + "    DeletionPolicy: Retain\n").functions().get(0).retain())
        .isTrue();
    assertThat(Inline.parse(fn).functions().get(0).retain()).isFalse();
    assertThat(Inline.errors(fn + "    DeletionPolicy: Snapshot\n"))
        .containsExactly(
            "Resources.F.DeletionPolicy: expected Delete, Retain or RetainExceptOnCreate (a"
                + " function has no Snapshot) (template.yaml:6:21)");
  }

  @Test
  void templateError_toString_namesPathMessageAndPosition() {
    TemplateError e = new TemplateError("Resources.S", "unknown property", "dir/t.yaml", 3, 7);

    assertThat(e).hasToString("Resources.S: unknown property (dir/t.yaml:3:7)");
    assertThat(new TemplateError("", "oops", "t.yaml", 1, 1)).hasToString("oops (t.yaml:1:1)");
  }

  @Test
  void templateException_message_isEveryErrorOnItsOwnLine() {
    TemplateException e =
        new TemplateException(
            List.of(
                new TemplateError("A", "one", "t.yaml", 1, 1),
                new TemplateError("B", "two", "t.yaml", 2, 1)));

    assertThat(e.getMessage()).isEqualTo("A: one (t.yaml:1:1)\nB: two (t.yaml:2:1)");
    assertThat(e.errors()).hasSize(2);
  }

  @Test
  void jsonSyntaxError_isReportedWithItsPosition() {
    String json = "{\n\t\"Resources\": {\n\t\t\"S\": {\"Type\": \"AWS::Kinesis::Stream\",}\n\t}\n}";

    List<String> errors = Inline.errors(json);

    assertThat(errors).hasSize(1);
    assertThat(errors.get(0)).startsWith("JSON syntax error: ").endsWith("(template.yaml:3:40)");
  }

  @Test
  void jsonDuplicateKey_isAnError() {
    String json = "{\"Resources\": {\"S\": {\"Type\": \"AWS::Kinesis::Stream\"},\n \"S\": {}}}";

    assertThat(Inline.errors(json))
        .containsExactly("Resources.S: duplicate key (template.yaml:2:2)");
  }

  @Test
  void emptyOrNonMappingDocument_isAnError() {
    assertThat(Inline.errors("# nothing\n"))
        .containsExactly("the template is empty (template.yaml:1:1)");
    assertThat(Inline.errors("- a\n- b\n"))
        .containsExactly("expected a mapping at the top of the template (template.yaml:1:1)");
  }

  @Test
  void topLevelKeys_unknownIsAnErrorAndRulesAWarning() {
    assertThat(Inline.errors("Resorces: {}\n" + STREAM))
        .containsExactly("Resorces: unknown property (template.yaml:1:1)");
    assertThat(Inline.parse("Rules: {}\n" + STREAM).warnings())
        .containsExactly("Rules: not used by Sluice (ignored) (template.yaml:1:1)");
  }

  @Test
  void formatVersionAndTransform_otherValues_areErrors() {
    assertThat(
            Inline.errors(
                "AWSTemplateFormatVersion: 2012-01-01\nTransform: [AWS::LanguageExtensions]\n"
                    + STREAM))
        .containsExactly(
            "AWSTemplateFormatVersion: 2012-01-01 is not 2010-09-09 (template.yaml:1:27)",
            "Transform[0]: AWS::LanguageExtensions is not supported by Sluice"
                + " (AWS::Serverless-2016-10-31) (template.yaml:2:13)");
  }

  @Test
  void missingResources_isAnError() {
    assertThat(Inline.errors("Description: nothing\n"))
        .containsExactly("Resources: is required (template.yaml:1:1)");
  }

  @Test
  void updateReplacePolicySnapshot_onAStream_aWarningAndDeletedAsWithDelete() {
    Template t =
        Inline.parse(
            "Resources:\n  S:\n    Type: AWS::Kinesis::Stream\n    UpdateReplacePolicy: Snapshot\n"
                + "    Properties: {ShardCount: 1}\n");

    assertThat(t.streams().get(0).retainOnReplace()).isFalse();
    assertThat(t.warnings())
        .singleElement()
        .asString()
        .contains("UpdateReplacePolicy: a Kinesis stream has no Snapshot");
  }

  @Test
  void emptyResources_isAnError() {
    assertThat(Inline.errors("Description: nothing\nResources: {}\n"))
        .containsExactly("Resources: must define at least one resource (template.yaml:2:12)");
  }

  @Test
  void unknownTypeNotDeployed_isAWarningAndTheTemplateStillLoads() {
    Template t =
        Inline.parse(STREAM + "  Q:\n    Type: AWS::SQS::Queue\n    Properties: {Foo: 1}\n");

    assertThat(t.streams()).hasSize(1);
    assertThat(t.warnings())
        .containsExactly(
            "Resources.Q: AWS::SQS::Queue is not deployed by Sluice (template.yaml:4:3)");
  }

  @Test
  void anchorsAndAliases_areExpanded() {
    Template t =
        Inline.parse(
            "Resources:\n  A:\n    Type: AWS::Kinesis::Stream\n    Properties: &p\n"
                + "      ShardCount: 3\n  B:\n    Type: AWS::Kinesis::Stream\n    Properties: *p\n");

    assertThat(t.streams()).extracting(StreamResource::shardCount).containsExactly(3, 3);
  }

  @Test
  void mergeKeys_areFlattenedWithTheMappingsOwnKeysWinning() {
    Template t =
        Inline.parse(
            "Resources:\n"
                + "  A:\n    Type: AWS::Kinesis::Stream\n    Properties: &common\n"
                + "      ShardCount: 2\n      RetentionPeriodHours: 48\n"
                + "  B:\n    Type: AWS::Kinesis::Stream\n    Properties:\n"
                + "      <<: *common\n      ShardCount: 3\n"
                + "  C:\n    Type: AWS::Kinesis::Stream\n    Properties:\n"
                + "      Name: c\n      <<: [{ShardCount: 5}, *common]\n");

    assertThat(t.streams())
        .extracting(
            StreamResource::name, StreamResource::shardCount, StreamResource::retentionHours)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("A", 2, 48),
            org.assertj.core.groups.Tuple.tuple("B", 3, 48),
            org.assertj.core.groups.Tuple.tuple("c", 5, 48));
  }

  @Test
  void mergeKeys_errorsInAMergedValue_pointWhereItIsWritten() {
    String yaml =
        "Metadata:\n  Shared: &shared\n    ShardCount: 0\n"
            + "Resources:\n  S:\n    Type: AWS::Kinesis::Stream\n    Properties:\n"
            + "      <<: *shared\n      RetentionPeriodHours: 48\n"
            + "  T:\n    Type: AWS::Kinesis::Stream\n    Properties:\n      <<: 5\n";

    assertThat(Inline.errors(yaml))
        .containsExactly(
            "Resources.S.Properties.ShardCount: 0 is below the minimum 1 (template.yaml:3:17)",
            "Resources.T.Properties.<<: a merge key (<<) takes a mapping or a list of mappings"
                + " (template.yaml:13:11)");
  }

  @Test
  void load_missingFile_isAnErrorNamingIt() {
    Path file = Path.of("no/such/template.yaml");

    TemplateException e =
        catchThrowableOfType(
            TemplateException.class, () -> TemplateLoader.load(file, Fixtures.context()));

    assertThat(e.getMessage()).isEqualTo("the template does not exist (no/such/template.yaml:1:1)");
  }
}
