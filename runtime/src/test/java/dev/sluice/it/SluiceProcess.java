package dev.sluice.it;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A Sluice server running as a child process from the packaged runner jar. */
final class SluiceProcess implements AutoCloseable {

  private final Path dataDir;
  private final int port;
  private final Path log;
  private final List<String> jvmOptions;
  private final List<String> serveOptions;
  private Process process;

  SluiceProcess(Path dataDir, Path log) {
    this(dataDir, log, List.of(), List.of());
  }

  /** A server started with extra JVM options (before {@code -jar}) and {@code serve} options. */
  SluiceProcess(Path dataDir, Path log, List<String> jvmOptions, List<String> serveOptions) {
    this.dataDir = dataDir;
    this.port = freePort();
    this.log = log;
    this.jvmOptions = List.copyOf(jvmOptions);
    this.serveOptions = List.copyOf(serveOptions);
  }

  /** The server's process id. */
  long pid() {
    return process.pid();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** The packaged runner jar, which the launcher runs too. */
  static String runnerJar() {
    return System.getProperty("sluice.runner.jar", "target/quarkus-app/quarkus-run.jar");
  }

  /** The java of the JDK running the tests. */
  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Starts the server and waits until it answers HTTP. */
  void start() throws Exception {
    String jar = runnerJar();
    List<String> command = new ArrayList<>(List.of(java(), "-Xmx512m"));
    command.addAll(jvmOptions);
    command.addAll(
        List.of(
            "-jar",
            jar,
            "serve",
            "--port",
            Integer.toString(port),
            "--data-dir",
            dataDir.toString()));
    command.addAll(serveOptions);
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "server exited with " + process.exitValue() + "; see " + log);
      }
      if (answers()) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("server did not start within 60 s; see " + log);
  }

  /** SIGKILL: no shutdown hook, no flush, nothing. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM, then waits for a clean exit; returns the exit code. */
  int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("server ignored SIGTERM for 30 s");
    }
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      kill();
    }
  }

  private boolean answers() {
    try {
      HttpURLConnection c =
          (HttpURLConnection) endpoint().resolve("/q/health").toURL().openConnection();
      c.setConnectTimeout(500);
      c.setReadTimeout(1000);
      return c.getResponseCode() == 200;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
