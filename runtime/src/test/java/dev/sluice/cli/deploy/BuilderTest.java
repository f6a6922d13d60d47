package dev.sluice.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.template.CodeUri;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuilderTest {

  @TempDir Path dir;
  final List<String> progress = new ArrayList<>();
  final Builder builder = new Builder(progress::add);

  private static final String POM =
      """
      <project xmlns="http://maven.apache.org/POM/4.0.0">
        <modelVersion>4.0.0</modelVersion>
        <groupId>test</groupId>
        <artifactId>tiny</artifactId>
        <version>1</version>
        <properties>
          <maven.compiler.release>17</maven.compiler.release>
          <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
        </properties>
        <build>
          <plugins>
            <plugin>
              <groupId>org.apache.maven.plugins</groupId>
              <artifactId>maven-compiler-plugin</artifactId>
              <version>3.13.0</version>
            </plugin>
          </plugins>
        </build>
      </project>
      """;

  private Path module(String source) throws Exception {
    Path m = dir.resolve("tiny");
    Files.createDirectories(m.resolve("src/main/java/t"));
    Files.writeString(m.resolve("pom.xml"), POM);
    Files.writeString(m.resolve("src/main/java/t/H.java"), source);
    return m;
  }

  private static void age(Path f, long millisAgo) throws Exception {
    Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis() - millisAgo));
  }

  @Test
  void reactorRoot_moduleUnderParentPoms_isTheTopmost() throws Exception {
    Path module = dir.resolve("a/b/c");
    Files.createDirectories(module);
    Files.writeString(dir.resolve("a/pom.xml"), "<project/>");
    Files.writeString(dir.resolve("a/b/pom.xml"), "<project/>");
    Files.writeString(module.resolve("pom.xml"), "<project/>");

    assertThat(Builder.reactorRoot(module)).isEqualTo(dir.resolve("a").toAbsolutePath());
  }

  @Test
  void artifact_packageNewerThanSources_returnedWithoutBuilding() throws Exception {
    Path m = module("this does not compile");
    age(m.resolve("pom.xml"), 60_000);
    age(m.resolve("src/main/java/t/H.java"), 60_000);
    Files.createDirectories(m.resolve("target"));
    Files.write(m.resolve("target/tiny-1.jar"), new byte[300]);
    Files.write(m.resolve("target/original-tiny-1.jar"), new byte[900]);
    Files.write(m.resolve("target/tiny-1-sources.jar"), new byte[900]);

    Path artifact = builder.artifact(new CodeUri(m, CodeUri.Kind.MAVEN_MODULE));

    assertThat(artifact).isEqualTo(m.resolve("target/tiny-1.jar"));
    assertThat(progress).isEmpty();
  }

  @Test
  void artifact_functionZipBesideJars_zipPreferred() throws Exception {
    Path m = module("package t; class H {}");
    Files.createDirectories(m.resolve("target"));
    Files.write(m.resolve("target/big.jar"), new byte[5000]);
    Files.write(m.resolve("target/function.zip"), new byte[10]);

    assertThat(Builder.packageOf(m)).contains(m.resolve("target/function.zip"));
  }

  @Test
  void artifact_staleModule_builtWithMavenThenReusedUntilASourceChanges() throws Exception {
    Path m = module("package t; public class H { public String handle(String s) { return s; } }");
    CodeUri code = new CodeUri(m, CodeUri.Kind.MAVEN_MODULE);

    Path built = builder.artifact(code);
    long firstBuild = Files.getLastModifiedTime(built).toMillis();
    Path again = builder.artifact(code);
    Files.writeString(
        m.resolve("src/main/java/t/H.java"),
        "package t; public class H { public String handle(String s) { return s + s; } }");
    Files.setLastModifiedTime(
        m.resolve("src/main/java/t/H.java"), FileTime.fromMillis(firstBuild + 5_000));
    builder.artifact(code);

    assertThat(built).isEqualTo(m.resolve("target/tiny-1.jar")).isRegularFile();
    assertThat(again).isEqualTo(built);
    assertThat(progress).hasSize(2).allMatch(p -> p.startsWith("building " + m));
  }

  @Test
  void fingerprint_siblingModuleItDependsOnEdited_changes() throws Exception {
    Files.writeString(
        dir.resolve("pom.xml"),
        "<project><groupId>test</groupId><artifactId>root</artifactId><version>1</version>"
            + "<packaging>pom</packaging><modules><module>tiny</module><module>shared</module>"
            + "</modules></project>");
    Path shared = Files.createDirectories(dir.resolve("shared/src/main/java/s"));
    Files.writeString(
        dir.resolve("shared/pom.xml"),
        "<project><groupId>test</groupId><artifactId>shared</artifactId><version>1</version>"
            + "</project>");
    Path m = module("package t; class H {}");
    Files.writeString(
        m.resolve("pom.xml"),
        POM.replace(
            "<properties>",
            "<dependencies><dependency><groupId>test</groupId><artifactId>shared</artifactId>"
                + "</dependency></dependencies><properties>"));
    for (Path f : List.of(dir.resolve("pom.xml"), dir.resolve("shared/pom.xml"))) {
      age(f, 60_000);
    }
    age(m.resolve("pom.xml"), 60_000);
    age(m.resolve("src/main/java/t/H.java"), 60_000);
    CodeUri code = new CodeUri(m, CodeUri.Kind.MAVEN_MODULE);
    long before = builder.fingerprint(code);

    Files.writeString(shared.resolve("S.java"), "package s; public class S {}");

    assertThat(builder.fingerprint(code)).isGreaterThan(before);
  }

  @Test
  void artifact_moduleThatDoesNotCompile_failsWithTheCompilerOutput() throws Exception {
    Path m = module("package t; public class H { broken }");

    assertThatThrownBy(() -> builder.artifact(new CodeUri(m, CodeUri.Kind.MAVEN_MODULE)))
        .isInstanceOf(DeployException.class)
        .hasMessageContaining("the build of " + m + " failed")
        .hasMessageContaining("H.java");
  }

  @Test
  void artifact_missingJar_saysToBuildIt() {
    Path jar = dir.resolve("nope.jar");

    assertThatThrownBy(() -> builder.artifact(new CodeUri(jar, CodeUri.Kind.JAR)))
        .isInstanceOf(DeployException.class)
        .hasMessage("CodeUri " + jar + " does not exist; build it first");
  }

  @Test
  void fingerprint_directoryFileTouched_changes() throws Exception {
    Path d = Files.createDirectories(dir.resolve("code"));
    Files.writeString(d.resolve("a.txt"), "a");
    age(d.resolve("a.txt"), 10_000);
    CodeUri code = new CodeUri(d, CodeUri.Kind.DIRECTORY);
    long before = builder.fingerprint(code);

    Files.writeString(d.resolve("a.txt"), "b");

    assertThat(builder.fingerprint(code)).isGreaterThan(before);
  }

  @Test
  void fingerprint_moduleSourceDeletedOrOlderFileMovedIn_changes() throws Exception {
    Path m = module("package t; public class H {}");
    Path pkg = m.resolve("src/main/java/t");
    Files.writeString(pkg.resolve("G.java"), "package t; public class G {}");
    for (Path p :
        List.of(pkg.resolve("H.java"), pkg.resolve("G.java"), pkg, m.resolve("pom.xml"))) {
      age(p, 60_000);
    }
    CodeUri code = new CodeUri(m, CodeUri.Kind.MAVEN_MODULE);
    long before = builder.fingerprint(code);

    Files.delete(pkg.resolve("G.java"));
    long afterDelete = builder.fingerprint(code);
    assertThat(afterDelete).as("a deleted source").isGreaterThan(before);

    Path old = Files.writeString(dir.resolve("F.java"), "package t; public class F {}");
    age(old, 120_000);
    age(pkg, 60_000);
    long beforeMove = builder.fingerprint(code);
    Files.move(old, pkg.resolve("F.java")); // keeps its older time, as mv does
    assertThat(builder.fingerprint(code)).as("an older file moved in").isGreaterThan(beforeMove);
  }
}
