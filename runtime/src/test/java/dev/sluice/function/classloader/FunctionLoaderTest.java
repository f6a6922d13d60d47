package dev.sluice.function.classloader;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KafkaEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import dev.sluice.function.classloader.bridge.KafkaLayout;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class FunctionLoaderTest {

  static final String DIRECT = PlatformLoader.EVENTS_PACKAGE + "DirectKafkaBeans";

  static Path eventsJar() throws Exception {
    return Path.of(KafkaEvent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  /** The bridge's KafkaEventFactory as a function sees it: defined by the platform loader. */
  static Object factory(PlatformLoader platform, Class<?> event) throws Exception {
    Class<?> type = platform.loadClass(PlatformLoader.BRIDGE_PACKAGE + "KafkaEventFactory");
    Method forType = type.getDeclaredMethod("forType", Type.class);
    forType.setAccessible(true);
    return forType.invoke(null, event);
  }

  static Object call(Object factory, String method, Class<?>[] types, Object... args)
      throws Exception {
    Method m = factory.getClass().getDeclaredMethod(method, types);
    m.setAccessible(true);
    return m.invoke(factory, args);
  }

  static Object[] oneRecord() {
    Object[] batch = new Object[KafkaLayout.SIZE];
    batch[KafkaLayout.BOOTSTRAP_SERVERS] = "b:9092";
    batch[KafkaLayout.TOPICS] = new String[] {"t"};
    batch[KafkaLayout.PARTITIONS] = new int[] {1};
    batch[KafkaLayout.OFFSETS] = new long[] {7};
    batch[KafkaLayout.TIMESTAMPS] = new long[] {3};
    batch[KafkaLayout.TIMESTAMP_TYPES] = new String[] {"CREATE_TIME"};
    batch[KafkaLayout.KEYS] = new byte[][] {null};
    batch[KafkaLayout.VALUES] = new byte[][] {{1, 2, 3}};
    batch[KafkaLayout.HEADER_NAMES] = new String[][] {{}};
    batch[KafkaLayout.HEADER_VALUES] = new byte[][][] {{}};
    return batch;
  }

  @Test
  void loadClass_eventsPackage_definedInEachFunctionAgainstItsOwnLibrary() throws Exception {
    PlatformLoader platform = new PlatformLoader();
    try (FunctionLoader a = new FunctionLoader("a", List.of(eventsJar()), platform);
        FunctionLoader b = new FunctionLoader("b", List.of(eventsJar()), platform)) {
      Class<?> eventA = a.loadClass(KafkaEvent.class.getName());
      Class<?> beansA = a.loadClass(DIRECT);

      Object factory = factory(platform, eventA);
      Object event = call(factory, "build", new Class<?>[] {Object[].class}, (Object) oneRecord());

      assertThat(beansA.getClassLoader()).isSameAs(a);
      assertThat(b.loadClass(DIRECT)).isNotSameAs(beansA);
      assertThat(b.loadClass(DIRECT).getClassLoader()).isSameAs(b);
      assertThat(eventA).isNotSameAs(KafkaEvent.class);
      assertThat(call(factory, "direct", new Class<?>[0])).isEqualTo(true);
      assertThat(event.getClass()).isSameAs(eventA);
      assertThat(event.toString()).contains("value=AQID", "offset=7", "t-1");
    }
  }

  @Test
  void close_anotherLoaderOfTheSameJar_leavesThisOnesStreamsAndClassesWorking() throws Exception {
    PlatformLoader platform = new PlatformLoader();
    String resource = KafkaEvent.class.getName().replace('.', '/') + ".class";
    try (FunctionLoader survivor = new FunctionLoader("b", List.of(eventsJar()), platform)) {
      InputStream opened;
      try (FunctionLoader retired = new FunctionLoader("a", List.of(eventsJar()), platform)) {
        retired.loadClass(KafkaEvent.class.getName());
        opened = survivor.getResourceAsStream(resource);
      }

      try (InputStream in = opened) {
        assertThat(in.readAllBytes()).startsWith(0xCA, 0xFE, 0xBA, 0xBE);
      }
      Class<?> loaded = survivor.loadClass(KinesisEvent.class.getName());
      assertThat(loaded.getClassLoader()).isSameAs(survivor);
      assertThat(loaded.getPackage().getImplementationTitle())
          .isEqualTo(KinesisEvent.class.getPackage().getImplementationTitle());
    }
  }

  @Test
  void forType_loaderThatDoesNotDefineTheEventsPackage_fallsBackToMethodHandles() throws Exception {
    PlatformLoader platform = new PlatformLoader();
    try (URLClassLoader plain =
        new URLClassLoader(new URL[] {eventsJar().toUri().toURL()}, platform)) {
      Class<?> event = plain.loadClass(KafkaEvent.class.getName());

      Object factory = factory(platform, event);
      Object built = call(factory, "build", new Class<?>[] {Object[].class}, (Object) oneRecord());

      assertThat(call(factory, "direct", new Class<?>[0])).isEqualTo(false);
      assertThat(built.getClass()).isSameAs(event);
      assertThat(built.toString()).contains("value=AQID", "offset=7", "t-1");
    }
  }
}
