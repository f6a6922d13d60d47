package dev.sluice.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Atomic, durable replacement of small files, on a real file system. */
class AtomicFilesTest {

  @TempDir Path dir;

  @Test
  void write_intoDirectoriesThatDoNotExist_createsThemAndLeavesNoTemporaryFile() {
    Path file = dir.resolve("mappings/abc/checkpoints.json");

    AtomicFiles.write(file, "{}".getBytes(StandardCharsets.UTF_8));
    AtomicFiles.write(file, "{\"v\":2}".getBytes(StandardCharsets.UTF_8));

    assertThat(file).hasContent("{\"v\":2}");
    assertThat(file.resolveSibling("checkpoints.json.tmp")).doesNotExist();
  }

  @Test
  void createDirectories_existingOrUnderAFile_noOpOrAnError() throws IOException {
    AtomicFiles.createDirectories(dir);
    Path file = Files.writeString(dir.resolve("plain"), "x");

    assertThatThrownBy(() -> AtomicFiles.createDirectories(file.resolve("sub")))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() -> AtomicFiles.createDirectories(file)).isInstanceOf(IOException.class);
  }

  @Test
  void syncTree_moreFilesThanItSyncsAtOnceAndALink_syncsThemLeavingTheLinkAlone()
      throws IOException {
    Path root = Files.createDirectories(dir.resolve("pkg/lib"));
    for (int i = 0; i < 40; i++) {
      Files.writeString(root.resolve("f" + i + ".class"), "x" + i);
    }
    Files.createSymbolicLink(root.resolve("link"), dir.resolve("nowhere"));

    AtomicFiles.syncTree(dir.resolve("pkg"));

    assertThat(Files.readString(root.resolve("f39.class"))).isEqualTo("x39");
    assertThat(dir.resolve("nowhere")).doesNotExist();
  }

  @Test
  void syncTree_rootMissing_anError() {
    assertThatThrownBy(() -> AtomicFiles.syncTree(dir.resolve("gone")))
        .isInstanceOf(IOException.class);
  }
}
