package dev.sluice.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which files make a module's package stale, on real poms. */
class ModuleInputsTest {

  @TempDir Path dir;

  private Path pom(String path, String body) throws Exception {
    Path pom = dir.resolve(path).resolve("pom.xml");
    Files.createDirectories(pom.getParent().resolve("src"));
    Files.writeString(
        pom,
        "<project xmlns=\"http://maven.apache.org/POM/4.0.0\"><modelVersion>4.0.0</modelVersion>"
            + body
            + "</project>");
    return pom.getParent().toAbsolutePath().normalize();
  }

  private static String parent() {
    return "<parent><groupId>org.demo</groupId><artifactId>demo</artifactId>"
        + "<version>1</version></parent>";
  }

  @Test
  void of_moduleDependingOnASiblingThatDependsOnAnother_includesBothAndTheParentPoms()
      throws Exception {
    Path root =
        pom(
            ".",
            "<groupId>org.demo</groupId><artifactId>demo</artifactId><version>1</version>"
                + "<modules><module>model</module><module>util</module><module>fns/orders"
                + "</module><module>other</module></modules>");
    Path util = pom("util", parent() + "<artifactId>util</artifactId>");
    Path model =
        pom(
            "model",
            parent()
                + "<artifactId>model</artifactId><dependencies><dependency>"
                + "<groupId>${project.groupId}</groupId><artifactId>util</artifactId>"
                + "</dependency></dependencies>");
    Path other = pom("other", parent() + "<artifactId>other</artifactId>");
    Path orders =
        pom(
            "fns/orders",
            parent()
                + "<artifactId>orders</artifactId><dependencies>"
                + "<dependency><groupId>org.demo</groupId><artifactId>model</artifactId>"
                + "</dependency><dependency><groupId>com.amazonaws</groupId>"
                + "<artifactId>aws-lambda-java-core</artifactId></dependency>"
                + "</dependencies>");

    List<Path> inputs = ModuleInputs.of(orders, root);

    assertThat(inputs)
        .contains(orders.resolve("src"), orders.resolve("pom.xml"))
        .contains(model.resolve("src"), util.resolve("src"), util.resolve("pom.xml"))
        .contains(root.resolve("pom.xml"))
        .doesNotContain(other.resolve("src"));
  }

  @Test
  void of_parentReachedThroughRelativePath_includesItsPomAndItsParents() throws Exception {
    Path root =
        pom(
            ".",
            "<groupId>org.demo</groupId><artifactId>demo</artifactId><version>1</version>"
                + "<modules><module>build-parent</module><module>fns/orders</module></modules>");
    Path buildParent =
        pom(
            "build-parent",
            parent() + "<artifactId>build-parent</artifactId><packaging>pom</packaging>");
    Path orders =
        pom(
            "fns/orders",
            "<parent><groupId>org.demo</groupId><artifactId>build-parent</artifactId>"
                + "<version>1</version><relativePath>../../build-parent/pom.xml</relativePath>"
                + "</parent>"
                + "<artifactId>orders</artifactId>");

    List<Path> inputs = ModuleInputs.of(orders, root);

    assertThat(inputs)
        .contains(buildParent.resolve("pom.xml"), root.resolve("pom.xml"))
        .doesNotHaveDuplicates();
  }

  @Test
  void of_standaloneModuleOrUnreadablePom_isItsOwnSourcesAndPom() throws Exception {
    Path alone = pom("alone", "<artifactId>alone</artifactId><dependencies>");

    assertThat(ModuleInputs.of(alone, alone))
        .containsExactly(alone.resolve("pom.xml"), alone.resolve("src"));
  }

  @Test
  void of_anExampleOfThisRepository_includesTheFunctionsSdk() {
    Path repo = Path.of("..").toAbsolutePath().normalize();
    Path example = repo.resolve("examples/order-pipeline");

    assertThat(ModuleInputs.of(example, Builder.reactorRoot(example)))
        .contains(repo.resolve("functions-sdk/src"), repo.resolve("pom.xml"))
        .doesNotContain(repo.resolve("runtime/src"));
  }
}
