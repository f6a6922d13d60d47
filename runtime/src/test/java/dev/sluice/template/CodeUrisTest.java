package dev.sluice.template;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodeUrisTest {

  @TempDir Path dir;

  private String template(String codeUri) {
    return Inline.SAM
        + "Resources:\n"
        + "  Fn:\n"
        + "    Type: AWS::Serverless::Function\n"
        + "    Properties:\n"
        + "      CodeUri: "
        + codeUri
        + "\n      Handler: example.Handler\n      Runtime: java17\n";
  }

  private CodeUri code(String codeUri) {
    return Inline.parse(template(codeUri), Map.of(), dir).functions().get(0).code();
  }

  @Test
  void directoryWithPom_isAMavenModule() throws IOException {
    Files.createDirectories(dir.resolve("app"));
    Files.writeString(dir.resolve("app/pom.xml"), "<project/>");

    assertThat(code("app")).isEqualTo(new CodeUri(dir.resolve("app"), CodeUri.Kind.MAVEN_MODULE));
  }

  @Test
  void directoryWithoutPom_isADirectory() throws IOException {
    Files.createDirectories(dir.resolve("build/classes"));

    assertThat(code("./build/../build/classes"))
        .isEqualTo(new CodeUri(dir.resolve("build/classes"), CodeUri.Kind.DIRECTORY));
  }

  @Test
  void missingJarOrZip_isAcceptedBecauseItMayBeBuiltLater() {
    assertThat(code("target/app.jar"))
        .isEqualTo(new CodeUri(dir.resolve("target/app.jar"), CodeUri.Kind.JAR));
    assertThat(code("dist/app.ZIP").kind()).isEqualTo(CodeUri.Kind.ZIP);
  }

  @Test
  void absolutePath_isKeptAsIs(@TempDir Path other) {
    assertThat(code(other.toString()))
        .isEqualTo(new CodeUri(other.toAbsolutePath(), CodeUri.Kind.DIRECTORY));
  }

  @Test
  void existingFileOfAnotherKind_isAnError() throws IOException {
    Files.writeString(dir.resolve("app.txt"), "x");

    assertThat(Inline.errors(template("app.txt"), Map.of(), dir))
        .containsExactly(
            "Resources.Fn.Properties.CodeUri: app.txt is not a .jar, a .zip or a directory"
                + " (template.yaml:6:16)");
  }

  @Test
  void s3Location_isAnError() {
    assertThat(Inline.errors(template("s3://bucket/app.jar"), Map.of(), dir))
        .containsExactly(
            "Resources.Fn.Properties.CodeUri: S3 locations are not supported; use a local path"
                + " (template.yaml:6:16)");
    assertThat(Inline.errors(template("{Bucket: b, Key: k}"), Map.of(), dir))
        .containsExactly(
            "Resources.Fn.Properties.CodeUri: S3 locations are not supported; use a local path"
                + " (template.yaml:6:16)");
  }

  @Test
  void load_relativeCodeUri_startsFromTheTemplatesDirectory() throws IOException {
    Path file = dir.resolve("stack/template.yaml");
    Files.createDirectories(file.getParent());
    Files.writeString(file, template("fn.jar"));

    Template t = TemplateLoader.load(file, Fixtures.context());

    assertThat(t.file()).isEqualTo(file.toString());
    assertThat(t.baseDir()).isEqualTo(dir.resolve("stack"));
    assertThat(t.functions().get(0).code().path()).isEqualTo(dir.resolve("stack/fn.jar"));
  }
}
