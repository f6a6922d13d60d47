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
  void locate_nativeLibraryOfAnEarlierRicInTheDirectory_extractsThisOnesInstead() throws Exception {
    ClassLoader loader = getClass().getClassLoader();
    // what an earlier Sluice with another RIC left in the data directory's jni folder
    Files.write(jni.resolve(RicClasspath.jniName()), new byte[] {1, 2, 3});

    Path library = RicClasspath.locate(loader, jni).jni();

    byte[] shipped;
    try (InputStream in = loader.getResourceAsStream("jni/" + RicClasspath.jniName())) {
      shipped = in.readAllBytes();
    }
    assertThat(Files.readAllBytes(library)).isEqualTo(shipped);
    assertThat(RicClasspath.locate(loader, jni).jni()).as("extracted once").isEqualTo(library);
  }
}
