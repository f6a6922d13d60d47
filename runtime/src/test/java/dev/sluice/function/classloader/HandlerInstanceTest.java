package dev.sluice.function.classloader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.function.DeployedCode;
import dev.sluice.function.FunctionConfig;
import dev.sluice.function.Invocation;
import dev.sluice.function.Isolation;
import dev.sluice.function.TestConfigs;
import dev.sluice.testing.HandlerJars;
import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HandlerInstanceTest {

  static final String HANDLER =
      """
      package fixture;
      import com.amazonaws.services.lambda.runtime.Context;
      import com.amazonaws.services.lambda.runtime.RequestHandler;
      import com.amazonaws.services.lambda.runtime.events.KafkaEvent;
      public class Kafka implements RequestHandler<KafkaEvent, String> {
        public String handleRequest(KafkaEvent event, Context ctx) { return "ok"; }
      }
      """;

  /** A KafkaEvent as an old library might have it: its records have no headers. */
  static final String OLD_EVENT =
      """
      package com.amazonaws.services.lambda.runtime.events;
      import java.util.*;
      public class KafkaEvent {
        private Map<String, List<KafkaEventRecord>> records;
        public void setRecords(Map<String, List<KafkaEventRecord>> r) { records = r; }
        public Map<String, List<KafkaEventRecord>> getRecords() { return records; }
        public void setEventSource(String s) { }
        public void setBootstrapServers(String s) { }
        public static class KafkaEventRecord {
          public void setTopic(String s) { }
          public void setPartition(int p) { }
          public void setOffset(long o) { }
          public void setTimestamp(long t) { }
          public void setTimestampType(String t) { }
          public void setKey(String k) { }
          public void setValue(String v) { }
        }
      }
      """;

  @TempDir Path dir;

  HandlerInstance start(Map<String, String> sources, boolean withEventsLibrary) throws Throwable {
    Files.createDirectories(dir.resolve("lib"));
    Files.write(dir.resolve("lib/handler.jar"), HandlerJars.jar(sources));
    if (withEventsLibrary) {
      Files.copy(FunctionLoaderTest.eventsJar(), dir.resolve("lib/events.jar"));
    }
    return HandlerInstance.start(
        config("fixture.Kafka::handleRequest"), new DeployedCode(dir), new PlatformLoader());
  }

  /** Function {@code f} in classloader isolation, with {@code handler}. */
  static FunctionConfig config(String handler) {
    return config("f", handler, 10);
  }

  /** Function {@code name} in classloader isolation, with {@code handler} and a timeout. */
  static FunctionConfig config(String name, String handler, int timeoutSeconds) {
    return TestConfigs.of(
        name, handler, "java17", 256, timeoutSeconds, Map.of(), Isolation.CLASSLOADER);
  }

  static final String POJO =
      """
      package fixture;
      public class Pojo {
        public static class Order {
          private String id;
          public String getId() { return id; }
          public void setId(String id) { this.id = id; }
        }
        public String handle(Order o) { return "got " + o.getId(); }
      }
      """;

  @Test
  void close_handlerTakingAPojo_itsClassLoaderIsCollected() throws Throwable {
    Files.createDirectories(dir.resolve("lib"));
    Files.write(dir.resolve("lib/handler.jar"), HandlerJars.jar(Map.of("fixture.Pojo", POJO)));
    PlatformLoader platform = new PlatformLoader(); // one for every function, as on a node

    WeakReference<FunctionLoader> loader =
        invokeOnceAndClose(platform, "fixture.Pojo::handle", "{\"id\":\"o-1\"}", "\"got o-1\"");

    assertThat(collected(loader)).as("nothing shared holds the closed instance's classes").isTrue();
    Reference.reachabilityFence(platform);
  }

  /** A handler method of a generic base class, named by Class::method as Lambda allows. */
  static final String GENERIC =
      """
      package fixture;
      import java.util.*;
      public class Enrich extends JsonFunction<Map<String, Object>, Map<String, Object>> {}
      abstract class JsonFunction<I, O> {
        @SuppressWarnings("unchecked")
        public O handle(I in) {
          Map<String, Object> out = new TreeMap<>((Map<String, Object>) in);
          out.put("enriched", true);
          return (O) out;
        }
      }
      """;

  @Test
  void invoke_handlerInheritedFromAPackagePrivateBase_foundThroughItsBridge() throws Throwable {
    Files.createDirectories(dir.resolve("lib"));
    Files.write(dir.resolve("lib/handler.jar"), HandlerJars.jar(Map.of("fixture.Enrich", GENERIC)));

    invokeOnceAndClose(
        new PlatformLoader(),
        "fixture.Enrich::handle",
        "{\"id\":\"o-1\"}",
        "{\"enriched\":true,\"id\":\"o-1\"}");
  }

  @Test
  void invoke_classMethodOfAPublicGenericBase_typeVariablesReadAsObjectAsLambda() throws Throwable {
    Files.createDirectories(dir.resolve("lib"));
    String base =
        GENERIC
            .replace("public class Enrich extends", "class Unused extends")
            .replace("abstract class JsonFunction", "public abstract class JsonFunction");
    String enrich =
        "package fixture;\nimport java.util.*;\n"
            + "public class Enrich extends JsonFunction<Map<String, Object>, Map<String, Object>> {}\n";
    Files.write(
        dir.resolve("lib/handler.jar"),
        HandlerJars.jar(Map.of("fixture.Enrich", enrich, "fixture.JsonFunction", base)));

    invokeOnceAndClose(
        new PlatformLoader(),
        "fixture.Enrich::handle",
        "{\"id\":\"o-2\"}",
        "{\"enriched\":true,\"id\":\"o-2\"}");
  }

  /** Registers two shutdown hooks and removes the second; answers whether the removal worked. */
  static final String HOOKED =
      """
      package fixture;
      public class Hooked {
        public String handle(String in) {
          Runtime.getRuntime().addShutdownHook(
              new Thread(() -> System.setProperty("sluice-test.hook.kept", in)));
          Thread removed = new Thread(() -> System.setProperty("sluice-test.hook.removed", in));
          Runtime.getRuntime().addShutdownHook(removed);
          return String.valueOf(Runtime.getRuntime().removeShutdownHook(removed));
        }
      }
      """;

  @Test
  void close_handlerRegisteredShutdownHooks_theyRunAtCloseAndHoldNothing() throws Throwable {
    Files.createDirectories(dir.resolve("lib"));
    Files.write(dir.resolve("lib/handler.jar"), HandlerJars.jar(Map.of("fixture.Hooked", HOOKED)));
    PlatformLoader platform = new PlatformLoader();
    try {
      WeakReference<FunctionLoader> loader =
          invokeOnceAndClose(platform, "fixture.Hooked::handle", "\"closed\"", "\"true\"");

      assertThat(System.getProperty("sluice-test.hook.kept"))
          .as("the kept hook ran")
          .isEqualTo("closed");
      assertThat(System.getProperty("sluice-test.hook.removed")).as("the removed hook").isNull();
      assertThat(collected(loader))
          .as("no hook left with the JVM holds the instance's classes")
          .isTrue();
    } finally {
      System.clearProperty("sluice-test.hook.kept");
      System.clearProperty("sluice-test.hook.removed");
    }
    Reference.reachabilityFence(platform);
  }

  /** Starts an instance of {@code handler}, invokes it once with {@code json}, and closes it. */
  private WeakReference<FunctionLoader> invokeOnceAndClose(
      PlatformLoader platform, String handler, String json, String expected) throws Throwable {
    FunctionConfig config = config(handler);
    HandlerInstance i = HandlerInstance.start(config, new DeployedCode(dir), platform);
    try {
      byte[] in = json.getBytes(StandardCharsets.UTF_8);
      Invocation call = new Invocation("r-1", in, System.currentTimeMillis() + 10_000, "arn", null);
      byte[] out = i.invoke(call, config, "stream", line -> {});
      assertThat(new String(out, StandardCharsets.UTF_8)).isEqualTo(expected);
    } finally {
      i.close();
    }
    return new WeakReference<>(i.loader());
  }

  private static boolean collected(WeakReference<?> ref) throws InterruptedException {
    for (int i = 0; i < 100 && ref.get() != null; i++) {
      System.gc();
      Thread.sleep(20);
    }
    return ref.get() == null;
  }

  /** A function's own serializer: reads every event as an Order of id "custom", wraps answers. */
  static final String SERIALIZER =
      """
      package fixture;
      import com.amazonaws.services.lambda.runtime.CustomPojoSerializer;
      import java.io.*;
      import java.lang.reflect.Type;
      import java.nio.charset.StandardCharsets;
      public class OwnSerializer implements CustomPojoSerializer {
        public <T> T fromJson(InputStream in, Type type) { return fromJson("", type); }
        @SuppressWarnings("unchecked")
        public <T> T fromJson(String in, Type type) {
          Pojo.Order o = new Pojo.Order();
          o.setId("custom");
          return (T) o;
        }
        public <T> void toJson(T value, OutputStream out, Type type) {
          try {
            String json = ("{'own':'" + value + "'}").replace("'", "\\"");
            out.write(json.getBytes(StandardCharsets.UTF_8));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      }
      """;

  static final String SERVICE =
      "META-INF/services/com.amazonaws.services.lambda.runtime.CustomPojoSerializer";

  @Test
  void invoke_functionShipsItsOwnSerializer_itReadsTheEventAndWritesTheAnswer() throws Throwable {
    Files.createDirectories(dir.resolve("lib"));
    Map<String, String> sources = Map.of("fixture.Pojo", POJO, "fixture.OwnSerializer", SERIALIZER);
    Files.write(
        dir.resolve("lib/handler.jar"),
        HandlerJars.jar(sources, Map.of(SERVICE, "fixture.OwnSerializer\n")));

    invokeOnceAndClose(
        new PlatformLoader(),
        "fixture.Pojo::handle",
        "{\"id\":\"o-1\"}",
        "{\"own\":\"got custom\"}");
  }

  @Test
  void start_kafkaHandlerWithItsOwnSerializer_eventsParsedByIt() throws Throwable {
    Files.createDirectories(dir.resolve("lib"));
    Map<String, String> sources =
        Map.of("fixture.Kafka", HANDLER, "fixture.Pojo", POJO, "fixture.OwnSerializer", SERIALIZER);
    Files.write(
        dir.resolve("lib/handler.jar"),
        HandlerJars.jar(sources, Map.of(SERVICE, "fixture.OwnSerializer\n")));
    Files.copy(FunctionLoaderTest.eventsJar(), dir.resolve("lib/events.jar"));

    try (HandlerInstance i =
        HandlerInstance.start(
            config("fixture.Kafka::handleRequest"), new DeployedCode(dir), new PlatformLoader())) {
      assertThat(i.eventBuilder)
          .as("not built by Sluice behind the serializer's back")
          .isEqualTo("json");
    }
  }

  static final String BAD_OUTPUT =
      """
      package fixture;
      public class BadOutput {
        public static class Answer {
          public String getValue() { throw new IllegalStateException("no value"); }
        }
        public Answer handle(Pojo.Order o) { return new Answer(); }
      }
      """;

  @Test
  void invoke_eventNotOfTheHandlersType_theJavaRuntimesParsingError() throws Throwable {
    Files.createDirectories(dir.resolve("lib"));
    Files.write(dir.resolve("lib/handler.jar"), HandlerJars.jar(Map.of("fixture.Pojo", POJO)));

    FunctionConfig config = config("fixture.Pojo::handle");
    StringBuilder log = new StringBuilder();
    try (HandlerInstance i =
        HandlerInstance.start(config, new DeployedCode(dir), new PlatformLoader())) {
      byte[] event = "[1]".getBytes(StandardCharsets.UTF_8);
      Invocation call =
          new Invocation("r-1", event, System.currentTimeMillis() + 10_000, "arn", null);

      assertThatThrownBy(() -> i.invoke(call, config, "stream", log::append))
          .isExactlyInstanceOf(RuntimeException.class)
          .hasMessage("An error occurred during JSON parsing");
    }
    // the body names the wrapper only: why the event did not fit is in the log, as in Lambda
    assertThat(log).contains("Caused by:").contains("Order");
  }

  @Test
  void invoke_answerCannotBeSerialized_theJavaRuntimesSerializationError() throws Throwable {
    Files.createDirectories(dir.resolve("lib"));
    Map<String, String> sources = Map.of("fixture.Pojo", POJO, "fixture.BadOutput", BAD_OUTPUT);
    Files.write(dir.resolve("lib/handler.jar"), HandlerJars.jar(sources));

    assertThatThrownBy(
            () -> invokeOnceAndClose(new PlatformLoader(), "fixture.BadOutput::handle", "{}", ""))
        .isExactlyInstanceOf(RuntimeException.class)
        .hasMessage("An error occurred during JSON serialization of response");
  }

  @Test
  void start_kafkaHandlerWithTheEventsLibrary_eventsBuiltByBytecode() throws Throwable {
    try (HandlerInstance i = start(Map.of("fixture.Kafka", HANDLER), true)) {
      assertThat(i.eventBuilder).isEqualTo("bytecode");
    }
  }

  @Test
  void start_eventsLibraryLackingASetter_eventsParsedFromJson() throws Throwable {
    Map<String, String> sources =
        Map.of(
            "fixture.Kafka",
            HANDLER,
            "com.amazonaws.services.lambda.runtime.events.KafkaEvent",
            OLD_EVENT);
    try (HandlerInstance i = start(sources, false)) {
      assertThat(i.eventBuilder).isEqualTo("json");
    }
  }
}
