package dev.sluice.cli;

import dev.sluice.cli.client.SluiceClient;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server that {@code sluice up} runs as a child JVM (the same application, {@code serve}), with
 * its output in {@code DATA_DIR/server.log}. Running it apart keeps the terminal for the live view
 * and lets the server be stopped, or killed in tests, on its own.
 */
final class ServerProcess {

  private final Process process;
  private final Path log;

  private ServerProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /**
   * Starts a server ({@code serve} with {@code serveOptions} added) and waits until it is ready.
   */
  static ServerProcess start(
      SluiceClient client, int port, String bind, Path dataDir, List<String> serveOptions)
      throws IOException, InterruptedException {
    Files.createDirectories(dataDir);
    Path log = dataDir.resolve("server.log");
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(jvmOptions());
    cmd.addAll(List.of("-jar", serverJar().toString(), "serve"));
    cmd.addAll(List.of("--port", Integer.toString(port), "--bind", bind));
    cmd.addAll(List.of("--data-dir", dataDir.toString()));
    cmd.addAll(List.of("--exit-with-parent", Long.toString(ProcessHandle.current().pid())));
    cmd.addAll(serveOptions);
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    ServerProcess server = new ServerProcess(p, log);
    server.awaitReady(client);
    return server;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  Path log() {
    return log;
  }

  /** Stops the server with SIGTERM (it drains and fsyncs), then forcibly after 30 s. */
  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  private void awaitReady(SluiceClient client) throws InterruptedException, IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!client.ready()) {
      if (!process.isAlive()) {
        throw new CliException("the server exited during start:\n" + tail(log, 20));
      }
      if (System.nanoTime() > deadline) {
        stop();
        throw new CliException("the server did not become ready in 120 s; see " + log);
      }
      Thread.sleep(100);
    }
  }

  /** The application's runner jar, next to the jar holding this class in Quarkus's layout. */
  private static Path serverJar() {
    String override = System.getenv("SLUICE_SERVER_JAR");
    if (override != null && !override.isBlank()) {
      return Path.of(override);
    }
    try {
      Path self =
          Path.of(ServerProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path runner = self.getParent().getParent().resolve("quarkus-run.jar");
      if (Files.isRegularFile(runner)) {
        return runner;
      }
    } catch (URISyntaxException | RuntimeException e) {
      // Fall through to the clear error below.
    }
    throw new CliException("cannot find quarkus-run.jar; set SLUICE_SERVER_JAR");
  }

  /** Heap and GC settings given to this JVM (SLUICE_JAVA_OPTS) carry over to the server. */
  private static List<String> jvmOptions() {
    List<String> out = new ArrayList<>();
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("-X") || a.startsWith("-D")) {
        out.add(a);
      }
    }
    return out;
  }

  static String tail(Path file, int lines) throws IOException {
    if (!Files.exists(file)) {
      return "";
    }
    List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }
}
