package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.sluice.cli.client.ClientException;
import dev.sluice.cli.client.SluiceClient;
import dev.sluice.cli.deploy.Builder;
import dev.sluice.cli.deploy.Deployer;
import dev.sluice.template.Template;
import dev.sluice.template.TemplateContext;
import dev.sluice.template.TemplateLoader;
import dev.sluice.testing.FreshDataDir;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(FreshDataDir.class)
class DeployCommandTest {

  static final String TEMPLATE =
      """
      AWSTemplateFormatVersion: "2010-09-09"
      Transform: AWS::Serverless-2016-10-31
      Parameters:
        Batch:
          Type: Number
          Default: 10
      Resources:
        Events:
          Type: AWS::Kinesis::Stream
          Properties:
            Name: %1$s-events
            ShardCount: 2
        Handler:
          Type: AWS::Serverless::Function
          Properties:
            FunctionName: %1$s-fn
            CodeUri: %2$s
            Runtime: java17
            MemorySize: 256
            Handler: dev.sluice.examples.hello.OrderEventsHandler::handleRequest
            Events:
              FromEvents:
                Type: Kinesis
                Properties:
                  Stream: !GetAtt Events.Arn
                  StartingPosition: TRIM_HORIZON
                  BatchSize: !Ref Batch
                  FunctionResponseTypes: [ReportBatchItemFailures]
      """;

  @TestHTTPResource("/")
  String root;

  private Cli.Result cli(String stdin, String... args) {
    return Cli.against(root, stdin, args);
  }

  private Path template(String prefix) throws Exception {
    Path dir = Files.createTempDirectory("tpl-");
    Path t = dir.resolve("template.yaml");
    Files.writeString(t, TEMPLATE.formatted(prefix, CliCommandsTest.HELLO));
    return t;
  }

  @Test
  void deploy_twice_secondRunChangesNothing() throws Exception {
    Path t = template("idem");

    Cli.Result first = cli("", "deploy", t.toString());
    Cli.Result second = cli("", "deploy", t.toString());

    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.out())
        .contains("+ stream idem-events: 2 shards")
        .contains("+ function idem-fn: java17, classloader")
        .contains("+ mapping idem-fn ← idem-events: uuid ")
        .contains(": 3 changes");
    assertThat(second.exit()).isZero();
    assertThat(second.out())
        .contains("= stream idem-events")
        .contains("= function idem-fn")
        .contains("= mapping idem-fn ← idem-events")
        .contains(": no changes");
  }

  @Test
  void deploy_functionTags_setThenMadeTheTemplatesOnRedeploy() throws Exception {
    Path t = Files.createTempDirectory("tpl-").resolve("template.yaml");
    String yaml =
        """
        Transform: AWS::Serverless-2016-10-31
        Globals:
          Function:
            Tags:
              team: orders
        Resources:
          Echo:
            Type: AWS::Serverless::Function
            Properties:
              FunctionName: tagged-fn
              CodeUri: %s
              Runtime: java17
              Handler: dev.sluice.examples.hello.EchoHandler::handleRequest
              Tags:
                stage: dev
        """;
    Files.writeString(t, yaml.formatted(CliCommandsTest.HELLO));
    assertThat(cli("", "deploy", t.toString()).exit()).isZero();
    assertThat(tags("tagged-fn"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "team", "orders",
                "stage", "dev",
                "lambda:createdBy", "SAM",
                "sluice:isolation", "classloader"));

    Files.writeString(t, yaml.formatted(CliCommandsTest.HELLO).replace("stage: dev", "owner: ana"));
    Cli.Result changed = cli("", "deploy", t.toString());
    Cli.Result again = cli("", "deploy", t.toString());

    assertThat(changed.out()).contains("~ function tagged-fn: Tags");
    assertThat(tags("tagged-fn"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "team", "orders",
                "owner", "ana",
                "lambda:createdBy", "SAM",
                "sluice:isolation", "classloader"));
    assertThat(again.out()).contains("= function tagged-fn");
  }

  static final String STACK =
      """
      Transform: AWS::Serverless-2016-10-31
      Resources:
        Keep:
          Type: AWS::Kinesis::Stream
          Properties: {Name: %1$s-keep, ShardCount: 1, Tags: [{Key: team, Value: orders}]}
        Drop:
          Type: AWS::Kinesis::Stream
          Properties: {Name: %1$s-drop, ShardCount: 1}
        Kept:
          Type: AWS::Kinesis::Stream
          DeletionPolicy: Retain
          Properties: {Name: %1$s-kept, ShardCount: 1}
        KeepFn:
          Type: AWS::Serverless::Function
          Properties:
            FunctionName: %1$s-keep-fn
            CodeUri: %2$s
            Runtime: java17
            Handler: dev.sluice.examples.hello.EchoHandler::handleRequest
        DropFn:
          Type: AWS::Serverless::Function
          Properties:
            FunctionName: %1$s-drop-fn
            CodeUri: %2$s
            Runtime: java17
            Handler: dev.sluice.examples.hello.OrderEventsHandler::handleRequest
            Events:
              FromKeep:
                Type: Kinesis
                Properties: {Stream: !GetAtt Keep.Arn, StartingPosition: LATEST}
        KeptFn:
          Type: AWS::Serverless::Function
          DeletionPolicy: Retain
          Properties:
            FunctionName: %1$s-kept-fn
            CodeUri: %2$s
            Runtime: java17
            Handler: dev.sluice.examples.hello.OrderEventsHandler::handleRequest
            Events:
              FromKeep:
                Type: Kinesis
                Properties: {Stream: !GetAtt Keep.Arn, StartingPosition: LATEST}
      """;

  @Test
  void deploy_resourcesDroppedFromTheStack_deletedUnlessRetainedOrAnotherStacks() throws Exception {
    Path t = Files.createTempDirectory("tpl-").resolve("template.yaml");
    Files.writeString(t, STACK.formatted("prune", CliCommandsTest.HELLO));
    assertThat(cli("", "deploy", "--stack-name", "shop", t.toString()).exit()).isZero();
    Path other = Files.createTempDirectory("tpl-").resolve("template.yaml");
    Files.writeString(other, STACK.formatted("other", CliCommandsTest.HELLO));
    assertThat(cli("", "deploy", "--stack-name", "other-shop", other.toString()).exit()).isZero();
    String kept = STACK.formatted("prune", CliCommandsTest.HELLO);
    kept =
        kept.substring(0, kept.indexOf("  Drop:\n"))
            + kept.substring(kept.indexOf("  KeepFn:\n"), kept.indexOf("  DropFn:\n"));
    Files.writeString(t, kept);

    Cli.Result r = cli("", "deploy", "--stack-name", "shop", t.toString());
    Cli.Result again = cli("", "deploy", "--stack-name", "shop", t.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("- mapping prune-drop-fn ← prune-keep: its function is no longer in the template")
        .contains("- function prune-drop-fn: no longer in the template")
        .contains("- stream prune-drop: no longer in the template")
        .contains("! stream prune-kept: no longer in the template; kept, as its DeletionPolicy is")
        .contains(
            "! function prune-kept-fn: no longer in the template; kept, as its DeletionPolicy is"
                + " Retain, with its event-source mappings")
        .doesNotContain("- mapping prune-kept-fn")
        .doesNotContain("other-");
    assertThat(again.out())
        .doesNotContain("- ")
        .doesNotContain("! stream")
        .doesNotContain("! function");
    SluiceClient client = new SluiceClient(URI.create(root));
    awaitStreams(
        client, List.of("prune-keep", "prune-kept", "other-drop", "other-kept"), "prune-drop");
    assertThat(
            client
                .kinesis("ListTagsForStream", SluiceClient.object().put("StreamName", "prune-kept"))
                .path("Tags")
                .toString())
        .doesNotContain("sluice:stack");
    assertThat(tags("other-drop-fn")).containsEntry("sluice:stack", "other-shop");
    assertThat(tags("prune-kept-fn"))
        .doesNotContainKeys("sluice:stack", "sluice:deletion-policy")
        .containsEntry("lambda:createdBy", "SAM");
    assertThat(
            client
                .rest("GET", "/2015-03-31/event-source-mappings/?FunctionName=prune-kept-fn", null)
                .path("EventSourceMappings"))
        .as("the retained function's mapping runs on")
        .hasSize(1);
  }

  static final String REPLACED =
      """
      Transform: AWS::Serverless-2016-10-31
      Resources:
        Held:
          Type: AWS::Kinesis::Stream
          UpdateReplacePolicy: Retain
          Properties: {Name: %1$s-held, ShardCount: 1}
        Plain:
          Type: AWS::Kinesis::Stream
          UpdateReplacePolicy: Delete
          Properties: {Name: %1$s-plain, ShardCount: 1}
        HeldFn:
          Type: AWS::Serverless::Function
          UpdateReplacePolicy: Retain
          Properties:
            FunctionName: %1$s-held-fn
            CodeUri: %2$s
            Runtime: java17
            Handler: dev.sluice.examples.hello.OrderEventsHandler::handleRequest
            Events:
              FromHeld:
                Type: Kinesis
                Properties: {Stream: !GetAtt Held.Arn, StartingPosition: LATEST}
      """;

  /**
   * Waits until ListStreams names every one of {@code present} and not {@code deleted}:
   * DeleteStream returns with the stream DELETING, which ListStreams still names for a moment.
   */
  private static void awaitStreams(SluiceClient client, List<String> present, String deleted) {
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              String names =
                  client
                      .kinesis("ListStreams", SluiceClient.object())
                      .path("StreamNames")
                      .toString();
              present.forEach(n -> assertThat(names).contains("\"" + n + "\""));
              assertThat(names).doesNotContain("\"" + deleted + "\"");
            });
  }

  @Test
  void deploy_renamedResourcesWhoseUpdateReplacePolicyIsRetain_keptOutOfTheStack()
      throws Exception {
    Path t = Files.createTempDirectory("tpl-").resolve("template.yaml");
    Files.writeString(t, REPLACED.formatted("rp", CliCommandsTest.HELLO));
    assertThat(cli("", "deploy", "--stack-name", "rp", t.toString()).exit()).isZero();
    Cli.Result unstacked = cli("", "deploy", t.toString()); // keeps the stack's marks as found
    assertThat(unstacked.exit()).as(unstacked.err()).isZero();
    assertThat(
            new SluiceClient(URI.create(root))
                .kinesis("ListTagsForStream", SluiceClient.object().put("StreamName", "rp-held"))
                .path("Tags")
                .toString())
        .contains("sluice:retain-on-replace");
    assertThat(tags("rp-held-fn")).containsEntry("sluice:retain-on-replace", "HeldFn");
    // the same logical ids under other names: CloudFormation replaces the resources
    Files.writeString(t, REPLACED.formatted("rp2", CliCommandsTest.HELLO));

    Cli.Result r = cli("", "deploy", "--stack-name", "rp", t.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("! stream rp-held: replaced (Held names another now); kept, as its")
        .contains("! function rp-held-fn: replaced (HeldFn names another now); kept")
        .contains("- stream rp-plain: no longer in the template");
    SluiceClient client = new SluiceClient(URI.create(root));
    awaitStreams(client, List.of("rp-held", "rp2-held", "rp2-plain"), "rp-plain");
    assertThat(
            client
                .kinesis("ListTagsForStream", SluiceClient.object().put("StreamName", "rp-held"))
                .path("Tags")
                .toString())
        .doesNotContain("sluice:");
    assertThat(tags("rp-held-fn")).doesNotContainKeys("sluice:stack", "sluice:retain-on-replace");
    assertThat(tags("rp2-held-fn")).containsEntry("sluice:retain-on-replace", "HeldFn");
    assertThat(
            client
                .rest("GET", "/2015-03-31/event-source-mappings/?FunctionName=rp-held-fn", null)
                .path("EventSourceMappings"))
        .as("the new function's mapping reads its stream now, not both")
        .isEmpty();
  }

  private Map<String, String> tags(String function) {
    Map<String, String> out = new java.util.TreeMap<>();
    new SluiceClient(URI.create(root))
        .rest("GET", "/2015-03-31/functions/" + function, null)
        .path("Tags")
        .fields()
        .forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  @Test
  void deploy_changedTemplate_updatesOnlyWhatDiffers() throws Exception {
    Path t = template("diff");
    assertThat(cli("", "deploy", t.toString()).exit()).isZero();
    Files.writeString(
        t,
        Files.readString(t)
            .replace("ShardCount: 2", "ShardCount: 3")
            .replace("MemorySize: 256", "MemorySize: 512"));

    // sam's form: pairs separated by spaces, the template named after them
    Cli.Result r = cli("", "deploy", "--parameter-overrides", "Batch=25", t.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("~ stream diff-events: shards 2 → 3")
        .contains("~ function diff-fn: MemorySize")
        .contains("~ mapping diff-fn ← diff-events: BatchSize 10 → 25")
        .contains(": 3 changes");
  }

  @Test
  void deploy_failureRecordFormatChanged_appliedToTheMapping() throws Exception {
    Path t = template("fmt");
    String plain = Files.readString(t);
    Files.writeString(
        t,
        plain.replace(
            "    Type: AWS::Serverless::Function\n",
            "    Type: AWS::Serverless::Function\n"
                + "    Metadata:\n"
                + "      Sluice:\n"
                + "        Events:\n"
                + "          FromEvents:\n"
                + "            FailureRecordFormat: Lambda\n"));
    Cli.Result first = cli("", "deploy", t.toString());
    assertThat(first.exit()).as(first.err()).isZero();

    Files.writeString(t, plain); // back to Sluice's records, with the batch
    Cli.Result second = cli("", "deploy", t.toString());

    assertThat(second.out())
        .contains(
            "~ mapping fmt-fn ← fmt-events: SluiceFailureRecordFormat \"Lambda\" → \"Sluice\"");
    assertThat(cli("", "deploy", t.toString()).out()).contains("= mapping fmt-fn ← fmt-events");
  }

  @Test
  void deploy_shardCountMoreThanDoubledOrHalved_reshardsInSteps() throws Exception {
    Path t = template("steps");
    assertThat(cli("", "deploy", t.toString()).exit()).isZero();
    String two = Files.readString(t);

    Files.writeString(t, two.replace("ShardCount: 2", "ShardCount: 9"));
    Cli.Result grown = cli("", "deploy", t.toString());
    assertThat(grown.exit()).as(grown.err()).isZero();
    assertThat(grown.out()).contains("~ stream steps-events: shards 2 → 9");
    assertThat(cli("", "deploy", t.toString()).out()).contains("= stream steps-events");

    Files.writeString(t, two);
    Cli.Result shrunk = cli("", "deploy", t.toString());
    assertThat(shrunk.exit()).as(shrunk.err()).isZero();
    assertThat(shrunk.out()).contains("~ stream steps-events: shards 9 → 2");
    assertThat(cli("", "deploy", t.toString()).out()).contains("= stream steps-events");
  }

  @Test
  void deploy_streamWithFiftyTagsInAStack_deployedAndThenUnchanged() throws Exception {
    Path t = template("tags50");
    StringBuilder tags = new StringBuilder("ShardCount: 2\n      Tags:\n");
    for (int i = 0; i < 50; i++) {
      tags.append("        - {Key: k").append(i).append(", Value: v").append(i).append("}\n");
    }
    Files.writeString(t, Files.readString(t).replace("ShardCount: 2\n", tags.toString()));

    Cli.Result first = cli("", "deploy", "--stack-name", "tags50", t.toString());
    Cli.Result second = cli("", "deploy", "--stack-name", "tags50", t.toString());

    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(second.exit()).as(second.err()).isZero();
    assertThat(second.out()).contains("= stream tags50-events").contains(": no changes");

    // the stack's mark sorts after the 50 tags: dropping the stream still finds it the stack's
    String text = Files.readString(t);
    Files.writeString(
        t,
        text.substring(0, text.indexOf("  Events:\n"))
            + text.substring(text.indexOf("  Handler:\n"), text.indexOf("      Events:\n")));
    Cli.Result third = cli("", "deploy", "--stack-name", "tags50", t.toString());
    assertThat(third.exit()).as(third.err()).isZero();
    assertThat(third.out()).contains("- stream tags50-events");
  }

  @Test
  void deploy_streamModeChanged_switchedInPlaceKeepingTheShards() throws Exception {
    Path t = template("modes");
    assertThat(cli("", "deploy", t.toString()).exit()).isZero();
    String provisioned = Files.readString(t);

    Files.writeString(
        t,
        provisioned.replace("ShardCount: 2", "StreamModeDetails:\n        StreamMode: ON_DEMAND"));
    Cli.Result onDemand = cli("", "deploy", t.toString());
    assertThat(onDemand.exit()).as(onDemand.err()).isZero();
    assertThat(onDemand.out()).contains("~ stream modes-events: mode PROVISIONED → ON_DEMAND");
    assertThat(cli("", "deploy", t.toString()).out()).contains("= stream modes-events");

    Files.writeString(t, provisioned.replace("ShardCount: 2", "ShardCount: 3"));
    Cli.Result back = cli("", "deploy", t.toString());
    assertThat(back.exit()).as(back.err()).isZero();
    assertThat(back.out())
        .contains("~ stream modes-events: mode ON_DEMAND → PROVISIONED, shards 2 → 3");
  }

  @Test
  void deploy_functionRenamed_theOldOneAndItsMappingAreDeleted() throws Exception {
    Path t = template("renamed");
    assertThat(cli("", "deploy", "--stack-name", "renamed", t.toString()).exit()).isZero();
    Files.writeString(
        t, Files.readString(t).replace("FunctionName: renamed-fn", "FunctionName: renamed-fn2"));

    Cli.Result r = cli("", "deploy", "--stack-name", "renamed", t.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("+ mapping renamed-fn2 ← renamed-events")
        .contains(
            "- mapping renamed-fn ← renamed-events: its function is no longer in the template")
        .contains("- function renamed-fn: no longer in the template");
  }

  @Test
  void deploy_renamedFunctionWhoseDeletionPolicyIsRetain_replacedSoTheOldOneAndItsMappingGo()
      throws Exception {
    Path t = template("keptname");
    Files.writeString(
        t,
        Files.readString(t)
            .replace(
                "    Type: AWS::Serverless::Function\n",
                "    Type: AWS::Serverless::Function\n    DeletionPolicy: Retain\n"));
    assertThat(cli("", "deploy", "--stack-name", "keptname", t.toString()).exit()).isZero();
    assertThat(tags("keptname-fn")).containsEntry("sluice:logical-id", "Handler");
    Files.writeString(
        t, Files.readString(t).replace("FunctionName: keptname-fn", "FunctionName: keptname-fn2"));

    Cli.Result r = cli("", "deploy", "--stack-name", "keptname", t.toString());

    // a DeletionPolicy applies when a resource leaves the template, not when it is replaced: kept,
    // the old function and its mapping read every record the new ones do
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("+ mapping keptname-fn2 ← keptname-events")
        .contains("- function keptname-fn:");
    assertThat(
            new SluiceClient(URI.create(root))
                .rest("GET", "/2015-03-31/event-source-mappings/?FunctionName=keptname-fn", null)
                .path("EventSourceMappings"))
        .isEmpty();
  }

  @Test
  void deploy_withoutAStackName_tracksAndDeletesNothing() throws Exception {
    Path t = template("nameless");
    assertThat(cli("", "deploy", t.toString()).exit()).isZero();
    Files.writeString(
        t, Files.readString(t).replace("FunctionName: nameless-fn", "FunctionName: nameless-fn2"));

    Cli.Result r = cli("", "deploy", t.toString());

    assertThat(r.out())
        .contains("! mapping nameless-fn ← nameless-events")
        .doesNotContain("- function");
    assertThat(tags("nameless-fn2")).doesNotContainKey("sluice:stack");
  }

  @Test
  void deploy_aFunctionOutsideTheStackReadsTheStream_reportedNotDeleted() throws Exception {
    Path t = template("foreign");
    assertThat(cli("", "deploy", t.toString()).exit()).isZero(); // no stack: nothing tracked
    Files.writeString(
        t, Files.readString(t).replace("FunctionName: foreign-fn", "FunctionName: foreign-fn2"));

    Cli.Result r = cli("", "deploy", "--stack-name", "second", t.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("+ mapping foreign-fn2 ← foreign-events")
        .contains("! mapping foreign-fn ← foreign-events: its function is not in this template")
        .doesNotContain("- function");
  }

  @Test
  void deploy_namesAnotherStacksResources_refusedBeforeChangingAnything() throws Exception {
    Path t = template("owned");
    assertThat(cli("", "deploy", "--stack-name", "first", t.toString()).exit()).isZero();
    Files.writeString(t, Files.readString(t).replace("Default: 10", "Default: 20"));

    Cli.Result r = cli("", "deploy", "--stack-name", "second", t.toString());

    assertThat(r.exit()).isNotZero();
    assertThat(r.err())
        .contains("stream owned-events belongs to stack first")
        .contains("Nothing was changed");
    Cli.Result again = cli("", "deploy", "--stack-name", "first", t.toString());
    assertThat(again.out())
        .as("still stack first's, with its mapping, which the refused deploy did not touch")
        .contains("= stream owned-events")
        .contains("= function owned-fn")
        .contains("~ mapping owned-fn ← owned-events");
  }

  @Test
  void deploy_withoutAStackName_keepsTheStacksMarks() throws Exception {
    Path t = template("kept");
    assertThat(cli("", "deploy", "--stack-name", "shop", t.toString()).exit()).isZero();

    assertThat(cli("", "deploy", t.toString()).exit()).isZero();
    Cli.Result r = cli("", "deploy", "--stack-name", "shop", t.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).as("the marks stayed: nothing to tag again").contains(": no changes");
  }

  @Test
  void deploy_serverRefusesAResource_namesItAndWhatWasApplied() throws Exception {
    Path t = template("half");
    Files.writeString(
        t,
        Files.readString(t)
            .replace(
                "Stream: !GetAtt Events.Arn",
                "Stream: arn:aws:kinesis:us-east-1:000000000000:stream/nowhere"));

    Cli.Result r = cli("", "deploy", t.toString());

    assertThat(r.exit()).isNotZero();
    assertThat(r.err())
        .contains("the mappings of function half-fn: InvalidParameterValueException")
        .contains("The deploy stopped there: 2 changes before it stay applied");
    assertThat(r.out()).contains("+ stream half-events").contains("+ function half-fn");
  }

  @Test
  void deploy_mappingMovedToAStreamThatIsRefused_reportsTheOldMappingsDeletion() throws Exception {
    Path t = template("moved");
    assertThat(cli("", "deploy", t.toString()).exit()).isZero();
    Files.writeString(
        t,
        Files.readString(t)
            .replace(
                "Stream: !GetAtt Events.Arn",
                "Stream: arn:aws:kinesis:us-east-1:000000000000:stream/nowhere"));

    Cli.Result r = cli("", "deploy", t.toString());

    // the stale mapping goes first, then the new one is refused: the deletion stays applied
    assertThat(r.exit()).isNotZero();
    assertThat(r.out()).contains("- mapping moved-fn");
    assertThat(r.err())
        .contains("the mappings of function moved-fn: InvalidParameterValueException")
        .contains("The deploy stopped there: 1 change before it stays applied");
  }

  @Test
  void deploy_newFunctionsConcurrencyRefused_theFunctionIsNotLeftWithoutIt() throws Exception {
    Path t = template("unreserved");
    Files.writeString(
        t,
        Files.readString(t)
            .replace(
                "MemorySize: 256\n", "MemorySize: 256\n      ReservedConcurrentExecutions: 500\n"));

    Cli.Result r = cli("", "deploy", t.toString());

    assertThat(r.exit()).isNotZero();
    assertThat(r.err())
        .contains("function unreserved-fn: ")
        .contains("The deploy stopped there: 1 change before it stays applied");
    assertThat(r.out()).contains("+ stream unreserved-events").doesNotContain("+ function");
    assertThat(
            catchThrowableOfType(
                ClientException.class,
                () ->
                    new SluiceClient(URI.create(root))
                        .rest("GET", "/2015-03-31/functions/unreserved-fn", null)))
        .as("the function was taken back")
        .isNotNull();
  }

  @Test
  void deploy_invalidTemplate_deploysNothing() throws Exception {
    Path t = template("bad");
    Files.writeString(t, Files.readString(t).replace("ShardCount: 2", "ShardCount: 0"));

    Cli.Result r = cli("", "deploy", t.toString());
    Cli.Result tail = cli("", "tail", "bad-events", "--no-follow");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .contains("nothing was deployed")
        .contains("Resources.Events.Properties.ShardCount: 0 is below the minimum 1")
        .contains("template.yaml:");
    assertThat(tail.err()).contains("ResourceNotFoundException");
  }

  @Test
  void deployedPipeline_deliversRecords_mappingsAndRewindShowIt() throws Exception {
    Path t = template("flow");
    assertThat(cli("", "deploy", t.toString()).exit()).isZero();
    String events =
        String.join(
            "\n",
            List.of(
                "{\"orderId\":\"o-1\",\"type\":\"OrderPlaced\"}",
                "{\"orderId\":\"o-2\",\"type\":\"OrderPlaced\"}",
                "{\"orderId\":\"o-1\",\"type\":\"OrderShipped\"}"));
    assertThat(cli(events, "put", "flow-events", "--key-field", "orderId").exit()).isZero();

    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(cli("", "mappings", "--function", "flow-fn").out())
                    .containsPattern("flow-fn\\s+flow-events\\s+Enabled\\s+3\\s"));
    String uuid =
        cli("", "mappings", "--function", "flow-fn")
            .out()
            .lines()
            .skip(1)
            .findFirst()
            .orElseThrow()
            .substring(0, 8);
    Cli.Result rewound = cli("", "rewind", uuid, "--to", "trim-horizon");

    assertThat(rewound.exit()).as(rewound.err()).isZero();
    assertThat(rewound.out()).startsWith("rewound ").contains(" to trim-horizon");
    // The runner restarts on rewind, so its record count restarts too; the handler's log shows
    // each record delivered a second time.
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(cli("", "logs", "flow-fn", "--lines", "500").out())
                    .containsPattern("(?s)(OrderShipped order=o-1 .*){2}"));
  }

  @Test
  void redeployCode_directoryChanged_sendsNewCodeOnlyOnce() throws Exception {
    Path code = Files.createTempDirectory("code-");
    Files.createDirectories(code.resolve("lib"));
    Files.copy(CliCommandsTest.HELLO, code.resolve("lib/hello-kinesis.jar"));
    Path t = Cli.echoTemplate("watched-fn", code);
    Template template =
        TemplateLoader.load(t, new TemplateContext("us-east-1", "000000000000", "s", Map.of()));
    SluiceClient client = new SluiceClient(URI.create(root));
    Deployer deployer = new Deployer(client, new Builder(m -> {}), c -> {});
    deployer.apply(template, deployer.build(template));
    String before = sha(client);

    boolean unchanged = deployer.redeployCode(template.functions().get(0));
    Files.writeString(code.resolve("config.properties"), "greeting=hello");
    boolean changed = deployer.redeployCode(template.functions().get(0));

    assertThat(unchanged).isFalse();
    assertThat(changed).isTrue();
    assertThat(sha(client)).isNotEqualTo(before);
    assertThat(cli("", "invoke", "watched-fn", "--event", "-").exit()).isZero();
  }

  private static String sha(SluiceClient client) {
    return client
        .rest("GET", "/2015-03-31/functions/watched-fn", null)
        .path("Configuration")
        .path("CodeSha256")
        .asText();
  }
}
