package dev.sluice.function.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RicClasspathTest {

  @TempDir Path jni;

  @Test
  void locate_nativeLibrariesOfEarlierRicsInTheDirectory_extractsThisOnesAndDeletesThem()
      throws Exception {
    ClassLoader loader = getClass().getClassLoader();
    // what an earlier Sluice with another RIC left in the data directory's jni folder
    Path earlier = jni.resolve(RicClasspath.jniName());
    Files.write(earlier, new byte[] {1, 2, 3});
    Path digestNamed = jni.resolve("0123456789abcdef-" + RicClasspath.jniName());
    Files.write(digestNamed, new byte[] {4, 5, 6});
    Path halfWritten = jni.resolve(RicClasspath.jniName() + "123.tmp");
    Files.write(halfWritten, new byte[] {7});

    Path library = RicClasspath.locate(loader, jni).jni();

    byte[] shipped;
    try (InputStream in = loader.getResourceAsStream("jni/" + RicClasspath.jniName())) {
      shipped = in.readAllBytes();
    }
    assertThat(Files.readAllBytes(library)).isEqualTo(shipped);
    assertThat(RicClasspath.locate(loader, jni).jni()).as("extracted once").isEqualTo(library);
    assertThat(earlier).as("an earlier RIC's library").doesNotExist();
    assertThat(digestNamed).as("an earlier RIC's library under its digest").doesNotExist();
    assertThat(halfWritten).as("a crashed extraction's file").doesNotExist();
  }
}
