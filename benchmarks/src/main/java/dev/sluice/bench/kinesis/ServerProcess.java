package dev.sluice.bench.kinesis;

import dev.sluice.bench.TempDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A Sluice server run as a child process ({@code java -jar quarkus-run.jar serve}) on a free
 * loopback port with a fresh data directory. Closing it stops the process (SIGTERM, then SIGKILL
 * after 30 s) and deletes the directory.
 */
public final class ServerProcess implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final Path workDir;
  private final Path log;
  private final URI endpoint;
  private final boolean keepData;
  private final Thread reaper;

  private ServerProcess(Process process, Path workDir, int port, boolean keepData) {
    this.process = process;
    this.workDir = workDir;
    this.log = workDir.resolve("server.log");
    this.endpoint = URI.create("http://127.0.0.1:" + port);
    this.keepData = keepData;
    this.reaper = new Thread(this::kill, "sluice-bench-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  /** Starts the server from {@code jar} and waits until it reports ready. */
  public static ServerProcess start(Path jar, List<String> jvmOpts, boolean keepData) {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalArgumentException("server jar not found: " + jar);
    }
    Path workDir = TempDirs.create("sluice-kinesis-bench-");
    int port = freePort();
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOpts);
    cmd.addAll(
        List.of(
            "-jar",
            jar.toAbsolutePath().toString(),
            "serve",
            "--port",
            Integer.toString(port),
            "--bind",
            "127.0.0.1",
            "--data-dir",
            workDir.resolve("data").toString()));
    Process p;
    try {
      p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(workDir.resolve("server.log").toFile())
              .start();
    } catch (IOException e) {
      TempDirs.delete(workDir);
      throw new UncheckedIOException("cannot start " + cmd, e);
    }
    ServerProcess server = new ServerProcess(p, workDir, port, keepData);
    try {
      server.awaitReady();
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** Where the server listens. */
  public URI endpoint() {
    return endpoint;
  }

  /** CPU time the server process has used so far, if the OS tells. */
  public Optional<Duration> cpuTime() {
    return process.info().totalCpuDuration();
  }

  /** The server's process id. */
  public long pid() {
    return process.pid();
  }

  private void awaitReady() {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest ready =
        HttpRequest.newBuilder(endpoint.resolve("/q/health/ready"))
            .timeout(Duration.ofSeconds(2))
            .build();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "server exited with " + process.exitValue() + " during start:\n" + logTail());
      }
      try {
        if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the server", e);
      }
      sleep(200);
    }
    throw new IllegalStateException(
        "server not ready within " + START_TIMEOUT.toSeconds() + " s:\n" + logTail());
  }

  /** The last lines the server wrote. */
  public String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(no server log: " + e + ")";
    }
  }

  /** Stops the server and waits for it; deletes its directory unless asked to keep it. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        System.err.println("server did not stop within 30 s; killing it");
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException e) {
      // already shutting down: the hook runs anyway
    }
    if (keepData) {
      System.out.println("server data and log kept in " + workDir);
    } else {
      TempDirs.delete(workDir);
    }
  }

  /** On Ctrl-C: kills the server and removes its directory. */
  private void kill() {
    try {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      if (!keepData) {
        TempDirs.delete(workDir);
      }
    } catch (InterruptedException | RuntimeException e) {
      // the JVM is exiting; nothing more to do
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
