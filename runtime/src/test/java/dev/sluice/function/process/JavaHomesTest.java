package dev.sluice.function.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.function.DeployedCode;
import dev.sluice.function.RuntimeUnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JavaHomesTest {

  @TempDir Path jvm;
  @TempDir Path elsewhere;

  private Path fakeJdk(String name, String version) throws IOException {
    return fakeJdk(jvm, name, version);
  }

  private static Path fakeJdk(Path parent, String name, String version) throws IOException {
    Path home = parent.resolve(name);
    Files.createDirectories(home.resolve("bin"));
    Files.writeString(
        home.resolve("release"), "IMPLEMENTOR=\"x\"\nJAVA_VERSION=\"" + version + "\"\n");
    Path java = home.resolve("bin/java");
    Files.writeString(java, "#!/bin/sh\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    return home;
  }

  @Test
  void choose_java17_prefersTheRunningJdk() throws IOException {
    fakeJdk("jdk-21", "21.0.2");
    Path current = Path.of(System.getProperty("java.home"));
    int feature = Runtime.version().feature();

    assertThat(JavaHomes.of(jvm).choose("java17", 0))
        .isEqualTo(feature >= 21 ? jvm.resolve("jdk-21") : current);
  }

  @Test
  void choose_newerClassFiles_picksOldestJdkNewEnough() throws IOException {
    fakeJdk("jdk-21", "21.0.2");
    Path jdk25 = fakeJdk("jdk-25", "25.0.1");
    fakeJdk("jdk-26", "26");

    assertThat(JavaHomes.of(jvm).choose("java17", 22)).isEqualTo(jdk25);
    assertThat(JavaHomes.of(jvm).choose("java21", 25)).isEqualTo(jdk25);
  }

  @Test
  void choose_java21_takesAJdk21OrNewer() throws IOException {
    Path jdk25 = fakeJdk("jdk-25", "25.0.1");
    fakeJdk("broken", "not a version");

    assertThat(JavaHomes.of(jvm).choose("java21", 17)).isEqualTo(jdk25);
  }

  @Test
  void choose_java25_takesAJdk25OrNewerAndSaysWhenThereIsNone() throws IOException {
    fakeJdk("jdk-21", "21.0.2");
    Path jdk25 = fakeJdk("jdk-25", "25.0.1");

    assertThat(JavaHomes.of(jvm).choose("java25", 17)).isEqualTo(jdk25);
    java.nio.file.Files.delete(jdk25.resolve("release"));
    assertThatThrownBy(() -> JavaHomes.of(jvm).choose("java25", 0))
        .isInstanceOf(RuntimeUnavailableException.class)
        .hasMessageContaining("needs a JDK 25 or newer");
  }

  @Test
  void choose_javaHomeOutsideTheJvmDir_isACandidate() throws IOException {
    Path javaHome = fakeJdk(elsewhere, "jdk-99", "99.0.1");

    assertThat(JavaHomes.of(jvm, javaHome.toString()).choose("java21", 99)).isEqualTo(javaHome);
    assertThatThrownBy(() -> JavaHomes.of(jvm).choose("java21", 99))
        .isInstanceOf(RuntimeUnavailableException.class);
  }

  @Test
  void choose_javaHomeTiesWithAJdkInTheJvmDir_javaHomeWins() throws IOException {
    fakeJdk("jdk-99", "99");
    Path javaHome = fakeJdk(elsewhere, "jdk-99", "99");

    assertThat(JavaHomes.of(jvm, javaHome.toString()).choose("java17", 99)).isEqualTo(javaHome);
  }

  @Test
  void of_javaHomeUnsetBlankOrNotAJdk_ignored() throws IOException {
    Files.createDirectories(elsewhere.resolve("not-a-jdk/bin"));
    int plain = JavaHomes.of(jvm).jdks().size();

    assertThat(JavaHomes.of(jvm, null).jdks()).hasSize(plain);
    assertThat(JavaHomes.of(jvm, " ").jdks()).hasSize(plain);
    assertThat(JavaHomes.of(jvm, elsewhere.resolve("not-a-jdk").toString()).jdks()).hasSize(plain);
    assertThat(JavaHomes.of(jvm, elsewhere.resolve("missing").toString()).jdks()).hasSize(plain);
    assertThat(JavaHomes.of(jvm, System.getProperty("java.home")).jdks()).hasSize(plain);
  }

  @Test
  void choose_noJdkNewEnough_failsClearly() {
    assertThatThrownBy(() -> JavaHomes.of(jvm).choose("java21", 0))
        .isInstanceOf(RuntimeUnavailableException.class)
        .hasMessageContaining("java21")
        .hasMessageContaining("needs a JDK 21 or newer");
    assertThatThrownBy(() -> JavaHomes.of(jvm).choose("java8", 0))
        .isInstanceOf(RuntimeUnavailableException.class);
  }

  @Test
  void requiredFeature_readsTheHandlerClassHeader() {
    DeployedCode code = Fixtures.handlers();

    assertThat(
            ClassFiles.requiredFeature(
                code, ClassFiles.handlerClass("fixture.Actions::handleRequest")))
        .hasValue(17);
    assertThat(ClassFiles.requiredFeature(code, "fixture.Missing")).isEmpty();
  }

  @Test
  void requiredFeature_jarThatIsNoZipOrTruncatedClass_skippedAsLambdaStoresSuchPackages()
      throws IOException {
    Path root = elsewhere.resolve("package");
    Files.createDirectories(root.resolve("lib"));
    Files.writeString(root.resolve("lib/a-broken.jar"), "not a zip");
    Files.createDirectories(root.resolve("fixture"));
    Files.write(root.resolve("fixture/Cut.class"), new byte[] {(byte) 0xCA, (byte) 0xFE});
    Path real = Fixtures.handlers().root();
    Files.createDirectories(root.resolve("fixture"));
    Files.copy(real.resolve("fixture/Actions.class"), root.resolve("fixture/Actions.class"));
    DeployedCode code = new DeployedCode(root);

    assertThat(ClassFiles.requiredFeature(code, "fixture.Cut")).isEmpty();
    assertThat(ClassFiles.requiredFeature(code, "fixture.InTheBrokenJar")).isEmpty();
    assertThat(ClassFiles.requiredFeature(code, "fixture.Actions")).hasValue(17);
  }
}
