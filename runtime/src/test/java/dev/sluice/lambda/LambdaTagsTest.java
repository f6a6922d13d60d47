package dev.sluice.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.sluice.testing.AwsClients;
import dev.sluice.testing.FreshDataDir;
import dev.sluice.testing.HandlerJars;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/**
 * ListTags, TagResource, UntagResource and CreateFunction's Tags through the SDK's LambdaClient.
 */
@QuarkusTest
@QuarkusTestResource(FreshDataDir.class)
class LambdaTagsTest {

  @TestHTTPResource("/")
  String root;

  LambdaClient lambda;
  String name;
  String arn;

  @BeforeEach
  void deploy() {
    lambda = AwsClients.lambda(root);
    name = "tags-" + UUID.randomUUID().toString().substring(0, 8);
    arn =
        lambda
            .createFunction(
                b ->
                    b.functionName(name)
                        .runtime(software.amazon.awssdk.services.lambda.model.Runtime.JAVA17)
                        .role("arn:aws:iam::000000000000:role/any")
                        .handler("fixture.Echo")
                        .tags(Map.of("team", "orders", "stage", "dev"))
                        .code(
                            c ->
                                c.zipFile(
                                    SdkBytes.fromByteArray(HandlerJars.lambdaZip(Handlers.ECHO)))))
            .functionArn();
  }

  @AfterEach
  void delete() {
    try {
      lambda.deleteFunction(b -> b.functionName(name));
    } catch (ResourceNotFoundException gone) {
      // deleted by the test
    }
    lambda.close();
  }

  @Test
  void createFunction_withTags_getFunctionAndListTagsReportThemWithTheIsolation() {
    assertThat(lambda.getFunction(b -> b.functionName(name)).tags())
        .containsOnly(
            entry("team", "orders"),
            entry("stage", "dev"),
            entry("sluice:isolation", "classloader"));
    assertThat(lambda.listTags(b -> b.resource(arn)).tags())
        .containsOnly(
            entry("team", "orders"),
            entry("stage", "dev"),
            entry("sluice:isolation", "classloader"));
  }

  @Test
  void tagAndUntagResource_changeTheTagsButNotTheRevision() {
    String revision = lambda.getFunctionConfiguration(b -> b.functionName(name)).revisionId();

    lambda.tagResource(b -> b.resource(arn).tags(Map.of("stage", "prod", "owner", "ana")));
    lambda.untagResource(b -> b.resource(arn).tagKeys("team"));

    assertThat(lambda.listTags(b -> b.resource(arn)).tags())
        .containsOnly(
            entry("stage", "prod"),
            entry("owner", "ana"),
            entry("sluice:isolation", "classloader"));
    assertThat(lambda.getFunctionConfiguration(b -> b.functionName(name)).revisionId())
        .isEqualTo(revision);
  }

  @Test
  void tagCalls_versionOrAliasArn_resourceNotFoundAndTheFunctionsTagsUnchanged() {
    String alias = arn + ":prod";
    assertThatThrownBy(() -> lambda.tagResource(b -> b.resource(alias).tags(Map.of("k", "v"))))
        .isInstanceOf(ResourceNotFoundException.class);
    assertThatThrownBy(() -> lambda.untagResource(b -> b.resource(arn + ":1").tagKeys("team")))
        .isInstanceOf(ResourceNotFoundException.class);
    assertThatThrownBy(() -> lambda.listTags(b -> b.resource(alias)))
        .isInstanceOf(ResourceNotFoundException.class);

    assertThat(lambda.listTags(b -> b.resource(arn)).tags())
        .doesNotContainKey("k")
        .containsKey("team");
    assertThat(lambda.listTags(b -> b.resource(arn + ":$LATEST")).tags()).containsKey("team");
  }

  @Test
  void tagResource_reservedOrTooLongKeyOrTooManyTags_invalidParameterValue() {
    assertThatThrownBy(() -> lambda.tagResource(b -> b.resource(arn).tags(Map.of("aws:x", "1"))))
        .isInstanceOf(InvalidParameterValueException.class)
        .hasMessageContaining("reserved for AWS use");
    assertThatThrownBy(
            () -> lambda.tagResource(b -> b.resource(arn).tags(Map.of("k".repeat(129), "1"))))
        .isInstanceOf(InvalidParameterValueException.class)
        .hasMessageContaining("1 to 128 characters");
    Map<String, String> many = new HashMap<>();
    for (int i = 0; i < 49; i++) {
      many.put("t" + i, "v");
    }
    assertThatThrownBy(() -> lambda.tagResource(b -> b.resource(arn).tags(many)))
        .isInstanceOf(InvalidParameterValueException.class)
        .hasMessageContaining(
            "at most 50 tags (Sluice's own sluice: tags aside); this change would" + " give it 51");
    assertThatThrownBy(
            () ->
                lambda.tagResource(
                    b -> b.resource(arn).tags(Map.of("sluice:isolation", "process"))))
        .isInstanceOf(InvalidParameterValueException.class)
        .hasMessageContaining("UpdateFunctionConfiguration");
    assertThat(lambda.listTags(b -> b.resource(arn)).tags()).hasSize(3); // nothing changed
    // what ListTags reported, sent back whole (a read-modify-write): the setting as it is passes
    Map<String, String> read =
        new java.util.HashMap<>(lambda.listTags(b -> b.resource(arn)).tags());
    read.put("added", "1");
    lambda.tagResource(b -> b.resource(arn).tags(read));
    assertThat(lambda.listTags(b -> b.resource(arn)).tags())
        .containsEntry("added", "1")
        .containsEntry("sluice:isolation", "classloader");
    lambda.untagResource(b -> b.resource(arn).tagKeys("added"));
    // tools that sync tags remove the reported setting: that is no error, and it stays
    lambda.untagResource(b -> b.resource(arn).tagKeys("sluice:isolation"));
    assertThat(lambda.listTags(b -> b.resource(arn)).tags())
        .containsEntry("sluice:isolation", "classloader");

    many.remove("t0");
    many.put("sluice:stack", "orders"); // a deploy's mark, which AWS never sees
    lambda.tagResource(b -> b.resource(arn).tags(many));
    // 50 counted tags, the stack mark and the reported sluice:isolation
    assertThat(lambda.listTags(b -> b.resource(arn)).tags()).hasSize(52);
  }

  @Test
  void listTags_unknownFunctionOrNotAFunctionArn_clearErrors() {
    assertThatThrownBy(() -> lambda.listTags(b -> b.resource(arn.replace(name, name + "-gone"))))
        .isInstanceOf(ResourceNotFoundException.class);
    RestAssured.given()
        .baseUri(root)
        .get("/2017-03-31/tags/" + name)
        .then()
        .statusCode(400)
        .header("x-amzn-ErrorType", "InvalidParameterValueException");
  }
}
