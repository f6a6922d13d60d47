package dev.sluice.function.process;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.function.DeployedCode;
import dev.sluice.function.FunctionConfig;
import dev.sluice.function.Invocation;
import dev.sluice.function.InvocationReport;
import dev.sluice.function.InvocationResult;
import dev.sluice.function.Isolation;
import dev.sluice.function.TestConfigs;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** Handler code compiled at test time, configs and invocations. */
final class Fixtures {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String REGION = "eu-west-3";

  private static DeployedCode handlers;

  private Fixtures() {}

  /** The jar of aws-lambda-java-core on the test classpath (the RIC brings it). */
  static Path lambdaCoreJar() {
    String resource = "com/amazonaws/services/lambda/runtime/Context.class";
    URL url = Fixtures.class.getClassLoader().getResource(resource);
    return RicClasspath.containerOf(url, resource);
  }

  /** fixture.Actions and fixture.BadInit, compiled for Java 17 into a code root (once). */
  static synchronized DeployedCode handlers() {
    if (handlers == null) {
      try {
        Path root = Files.createTempDirectory("sluice-handlers");
        List<Path> sources =
            copyResources(
                root.resolve("src"), "handlers", "fixture/Actions.java", "fixture/BadInit.java");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> args =
            new ArrayList<>(
                List.of(
                    "--release",
                    "17",
                    "-classpath",
                    lambdaCoreJar().toString(),
                    "-d",
                    root.toString()));
        sources.forEach(s -> args.add(s.toString()));
        int rc = javac.run(null, null, null, args.toArray(String[]::new));
        if (rc != 0) {
          throw new IllegalStateException("javac failed: " + rc);
        }
        handlers = new DeployedCode(root);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return handlers;
  }

  /** fixture.Newer compiled with {@code javaHome}'s javac for its own version, in lib/newer.jar. */
  static DeployedCode newerHandler(Path javaHome, int release) throws Exception {
    Path root = Files.createTempDirectory("sluice-newer");
    Path classes = root.resolve("classes");
    List<Path> sources = copyResources(root.resolve("src"), "newer", "fixture/Newer.java");
    run(
        javaHome.resolve("bin/javac").toString(),
        "--release",
        Integer.toString(release),
        "-classpath",
        lambdaCoreJar().toString(),
        "-d",
        classes.toString(),
        sources.get(0).toString());
    Files.createDirectories(root.resolve("code/lib"));
    run(
        javaHome.resolve("bin/jar").toString(),
        "cf",
        root.resolve("code/lib/newer.jar").toString(),
        "-C",
        classes.toString(),
        ".");
    return new DeployedCode(root.resolve("code"));
  }

  /** A code root holding the bash/curl bootstrap, deliberately without its executable bit. */
  static DeployedCode bootstrapCode() throws IOException {
    Path root = Files.createTempDirectory("sluice-provided");
    copyResources(root, "", "bootstrap.sh");
    Files.move(root.resolve("bootstrap.sh"), root.resolve("bootstrap"));
    return new DeployedCode(root);
  }

  private static List<Path> copyResources(Path to, String base, String... names)
      throws IOException {
    List<Path> out = new ArrayList<>();
    for (String name : names) {
      String resource = "process/" + (base.isEmpty() ? "" : base + "/") + name;
      try (InputStream in = Fixtures.class.getClassLoader().getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("missing test resource " + resource);
        }
        Path target = to.resolve(name);
        Files.createDirectories(target.getParent());
        Files.copy(in, target);
        out.add(target);
      }
    }
    return out;
  }

  private static void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
    }
  }

  static FunctionConfig config(
      String name, String handler, String runtime, int timeoutSeconds, Map<String, String> env) {
    return TestConfigs.of(name, handler, runtime, 128, timeoutSeconds, env, Isolation.PROCESS);
  }

  static FunctionConfig actions(String name, int timeoutSeconds) {
    return config(name, "fixture.Actions::handleRequest", "java17", timeoutSeconds, Map.of());
  }

  static Invocation invocation(String name, Map<String, ?> event, long timeoutMillis) {
    try {
      return new Invocation(
          UUID.randomUUID().toString(),
          JSON.writeValueAsBytes(event),
          System.currentTimeMillis() + timeoutMillis,
          "arn:aws:lambda:" + REGION + ":000000000000:function:" + name,
          null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The success payload as a map; fails the test with the report when it was a failure. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> payload(InvocationReport report) {
    if (!(report.result() instanceof InvocationResult.Success s)) {
      throw new AssertionError("expected success, got " + describe(report));
    }
    try {
      return JSON.readValue(s.payload(), Map.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static InvocationResult.Failure failure(InvocationReport report) {
    if (!(report.result() instanceof InvocationResult.Failure f)) {
      throw new AssertionError("expected failure, got " + describe(report));
    }
    return f;
  }

  static String describe(InvocationReport report) {
    String result =
        report.result() instanceof InvocationResult.Success s
            ? "Success " + new String(s.payload(), StandardCharsets.UTF_8)
            : report.result().toString();
    return result + " log=" + report.log();
  }

  static long pid(InvocationReport report) {
    return ((Number) payload(report).get("pid")).longValue();
  }

  static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }
}
