package dev.sluice.cli;

import io.quarkus.runtime.Quarkus;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Starts the server alone and runs until Ctrl-C or SIGTERM. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Start the server.")
final class ServeCommand implements Callable<Integer> {

  @Option(names = "--port", description = "HTTP port (default: ${DEFAULT-VALUE}).")
  int port = 4566;

  @Option(names = "--data-dir", description = "Data directory (default: ${DEFAULT-VALUE}).")
  String dataDir = ".sluice";

  @Option(
      names = "--bind",
      description = "Address to listen on (default: ${DEFAULT-VALUE}, loopback only).")
  String bind = "127.0.0.1";

  @Option(names = "--exit-with-parent", hidden = true, description = "Stop when this pid exits.")
  Long parentPid;

  @Override
  public Integer call() {
    // Quarkus reads these when it starts; they cannot change afterwards.
    System.setProperty("quarkus.http.port", Integer.toString(port));
    System.setProperty("quarkus.http.host", bind);
    System.setProperty("sluice.data-dir", dataDir);
    if (parentPid != null) {
      watchParent(parentPid);
    }
    Quarkus.run();
    return 0;
  }

  /**
   * A server started by {@code sluice up} stops cleanly when that command dies, even by SIGKILL,
   * instead of living on unseen.
   */
  private static void watchParent(long pid) {
    Thread t =
        new Thread(
            () -> {
              ProcessHandle parent = ProcessHandle.of(pid).orElse(null);
              while (parent != null && parent.isAlive()) {
                try {
                  Thread.sleep(1000);
                } catch (InterruptedException e) {
                  return;
                }
              }
              Quarkus.asyncExit(0);
            },
            "sluice-parent-watch");
    t.setDaemon(true);
    t.start();
  }
}
