package dev.sluice.function;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Packages' Unix modes through real zips: uploads, and packages shared between nodes. */
class ZipPackagesTest {

  @TempDir Path dir;

  @Test
  void store_uploadedZipWithAnExecutableTool_keepsItsExecuteBit() throws Exception {
    Path zip = dir.resolve("upload.zip");
    try (FileSystem fs = FileSystems.newFileSystem(zip, Map.of("create", "true"))) {
      Files.createDirectories(fs.getPath("bin"));
      write(fs.getPath("bin/tool"), "#!/bin/sh\necho hi\n", "rwxr-xr-x");
      write(fs.getPath("data.txt"), "plain", "rw-r--r--");
    }
    CodeStore store = new CodeStore(dir.resolve("functions"));

    Path root = store.store("f", new CodeSource.Upload(Files.readAllBytes(zip))).code().root();

    assertThat(Files.isExecutable(root.resolve("bin/tool"))).isTrue();
    assertThat(Files.isExecutable(root.resolve("data.txt"))).isFalse();
    assertThat(Files.readString(root.resolve("data.txt"))).isEqualTo("plain");
  }

  @Test
  void zip_thenUnpackOnAnotherNode_keepsTheExecuteBits() throws Exception {
    Path source = Files.createDirectories(dir.resolve("package").resolve("bin"));
    Path tool = Files.writeString(source.resolve("tool"), "#!/bin/sh\necho hi\n");
    Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-x---"));
    Files.writeString(source.getParent().resolve("data.txt"), "plain");
    CodeStore node1 = new CodeStore(dir.resolve("node1"));
    CodeStore.Stored stored = node1.store("f", new CodeSource.Local(source.getParent()));

    byte[] shared = ZipPackages.zip(stored.code().root());
    CodeStore node2 = new CodeStore(dir.resolve("node2"));
    Path root = node2.unpack("f", stored.sha256(), shared).root();

    assertThat(Files.isExecutable(root.resolve("bin/tool"))).isTrue();
    assertThat(Files.isExecutable(root.resolve("data.txt"))).isFalse();
    assertThat(Files.readString(root.resolve("bin/tool"))).isEqualTo("#!/bin/sh\necho hi\n");
  }

  private static void write(Path entry, String text, String mode) throws Exception {
    Files.writeString(entry, text);
    Files.setAttribute(entry, "zip:permissions", PosixFilePermissions.fromString(mode));
  }
}
