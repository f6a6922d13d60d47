package dev.sluice.function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
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

  @Test
  void store_uploadedZipWithASymlink_unpacksItAsALink() throws Exception {
    byte[] zip =
        linkZip(Map.of("lib/libfoo.so.1", "ELF", "lib/libfoo.so", "libfoo.so.1"), "lib/libfoo.so");
    CodeStore store = new CodeStore(dir.resolve("functions"));

    Path root = store.store("f", new CodeSource.Upload(zip)).code().root();

    Path link = root.resolve("lib/libfoo.so");
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(Files.readSymbolicLink(link)).isEqualTo(Path.of("libfoo.so.1"));
    assertThat(Files.readString(link)).isEqualTo("ELF");
  }

  @Test
  void store_uploadedZipWithALinkLeavingThePackage_refused() throws Exception {
    byte[] zip = linkZip(Map.of("handler.jar", "PK", "escape", "../../../etc/passwd"), "escape");
    CodeStore store = new CodeStore(dir.resolve("functions"));

    assertThatThrownBy(() -> store.store("f", new CodeSource.Upload(zip)))
        .hasMessageContaining("escape is a link to ../../../etc/passwd,");
  }

  @Test
  void store_linkWhoseTargetHasANul_invalidParameter() throws Exception {
    byte[] zip = linkZip(Map.of("handler.jar", "PK", "bad", "a\u0000b"), "bad");
    CodeStore store = new CodeStore(dir.resolve("functions"));

    assertThatThrownBy(() -> store.store("f", new CodeSource.Upload(zip)))
        .isInstanceOfSatisfying(
            FunctionException.class,
            e -> assertThat(e.kind()).isEqualTo(FunctionException.Kind.INVALID_PARAMETER))
        .hasMessageContaining("the link bad has a target that is no path");
  }

  @Test
  void store_linkWhoseTargetIsLongerThanAPath_refusedWithoutReadingItWhole() throws Exception {
    // a "link" entry was read whole, whatever its size: a zip bomb's ran the heap out
    String huge = "a".repeat(10 << 20);
    byte[] zip = linkZip(Map.of("handler.jar", "PK", "bomb", huge), "bomb");
    CodeStore store = new CodeStore(dir.resolve("functions"));

    assertThatThrownBy(() -> store.store("f", new CodeSource.Upload(zip)))
        .hasMessageContaining("bomb is a link whose target is over 4096 bytes");
  }

  @Test
  void store_linkLeavingThePackageThroughAnotherLink_refused() throws Exception {
    byte[] zip = linkZip(Map.of("a/keep.txt", "x", "a/up", "..", "b", "a/up/.."), "a/up", "b");
    CodeStore store = new CodeStore(dir.resolve("functions"));

    // "a/up/.." reads as the package's "a", but a/up is the package root: b is its parent
    assertThatThrownBy(() -> store.store("f", new CodeSource.Upload(zip)))
        .hasMessageContaining("b is a link to a/up/.., outside the package");
  }

  @Test
  void store_linkUnderAnotherLink_refusedBeforeAnythingIsMadeThroughIt() throws Exception {
    Path outside = Files.createDirectories(dir.resolve("outside"));
    // entries "a" and "a/b" side by side: java.util.zip writes any names, as a hostile zip may
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(bytes)) {
      for (String[] e : new String[][] {{"a", outside.toString()}, {"a/b", "x"}, {"h.jar", "PK"}}) {
        out.putNextEntry(new java.util.zip.ZipEntry(e[0]));
        out.write(e[1].getBytes(java.nio.charset.StandardCharsets.UTF_8));
        out.closeEntry();
      }
    }
    byte[] zip = bytes.toByteArray();
    ZipSymlinks.mark(zip, Set.of("a", "a/b"));
    CodeStore store = new CodeStore(dir.resolve("functions"));

    assertThatThrownBy(() -> store.store("f", new CodeSource.Upload(zip)))
        .isInstanceOf(FunctionException.class);
    try (var made = Files.list(outside)) {
      assertThat(made).as("nothing made through the link").isEmpty();
    }
  }

  @Test
  void names_centralDirectoryOffsetPastTheEnd_noLinksAndNoException() throws Exception {
    byte[] zip =
        linkZip(Map.of("lib/libfoo.so", "libfoo.so.1", "lib/libfoo.so.1", "ELF"), "lib/libfoo.so");
    // the end record's central directory offset, 16 bytes into the last 22 (no comment)
    int end = zip.length - 22;
    java.nio.ByteBuffer.wrap(zip)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN)
        .putInt(end + 16, 0x7fff_fff0);

    assertThat(ZipSymlinks.names(zip)).isEmpty();
    assertThat(ZipSymlinks.names(new byte[] {1, 2, 3})).isEmpty();
  }

  @Test
  void zip_packageWithASymlink_unpacksOnAnotherNodeWithTheLink() throws Exception {
    byte[] upload =
        linkZip(Map.of("lib/libfoo.so.1", "ELF", "lib/libfoo.so", "libfoo.so.1"), "lib/libfoo.so");
    CodeStore node1 = new CodeStore(dir.resolve("node1"));
    CodeStore.Stored stored = node1.store("f", new CodeSource.Upload(upload));

    byte[] shared = ZipPackages.zip(stored.code().root());
    Path root = new CodeStore(dir.resolve("node2")).unpack("f", stored.sha256(), shared).root();

    assertThat(Files.readSymbolicLink(root.resolve("lib/libfoo.so")))
        .isEqualTo(Path.of("libfoo.so.1"));
    assertThat(Files.readString(root.resolve("lib/libfoo.so"))).isEqualTo("ELF");
  }

  /** A zip of {@code files} (name → content) whose entries {@code links} are symbolic links. */
  private byte[] linkZip(Map<String, String> files, String... links) throws Exception {
    Path zip = dir.resolve("links-" + files.hashCode() + ".zip");
    try (FileSystem fs = FileSystems.newFileSystem(zip, Map.of("create", "true"))) {
      for (Map.Entry<String, String> f : files.entrySet()) {
        Path entry = fs.getPath(f.getKey());
        if (entry.getParent() != null) {
          Files.createDirectories(entry.getParent());
        }
        write(entry, f.getValue(), "rw-r--r--");
      }
    }
    byte[] bytes = Files.readAllBytes(zip);
    assertThat(ZipSymlinks.names(bytes)).isEmpty();
    ZipSymlinks.mark(bytes, Set.of(links)); // what zip -y writes for a link
    assertThat(ZipSymlinks.names(bytes)).containsExactlyInAnyOrder(links);
    return bytes;
  }

  private static void write(Path entry, String text, String mode) throws Exception {
    Files.writeString(entry, text);
    Files.setAttribute(entry, "zip:permissions", PosixFilePermissions.fromString(mode));
  }
}
