package dev.sluice.cli;

import dev.sluice.cli.client.SluiceClient;
import dev.sluice.cli.deploy.Builder;
import dev.sluice.cli.deploy.DeployException;
import dev.sluice.cli.deploy.Deployer;
import dev.sluice.template.FunctionResource;
import dev.sluice.template.Template;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Brings a template's pipeline up: builds, starts a server (or uses the one already answering on
 * the port), deploys, then shows the pipeline live until Ctrl-C, which stops the server it started.
 */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    description = {
      "Build, start a server, deploy a SAM template and watch the pipeline run.",
      "Ctrl-C stops the server this command started. With --watch, a function whose code"
          + " changes is rebuilt and redeployed."
    })
final class UpCommand implements Callable<Integer> {

  @Mixin TemplateOptions template;

  @Option(
      names = "--port",
      converter = Numbers.FixedPort.class,
      description = "HTTP port (default: ${DEFAULT-VALUE}).")
  int port = 4566;

  @Option(names = "--data-dir", description = "Data directory (default: ${DEFAULT-VALUE}).")
  Path dataDir = Path.of(".sluice");

  @Option(names = "--bind", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String bind = "127.0.0.1";

  @Option(
      names = "--kafka-bootstrap",
      paramLabel = "HOST:PORT",
      description =
          "Run the server on Kafka storage at these bootstrap servers, joining any other Sluice"
              + " nodes on that cluster.")
  String kafkaBootstrap;

  @Option(
      names = "--kafka-client-config",
      paramLabel = "FILE",
      description =
          "Kafka client properties for a secured cluster (security.protocol, sasl.*, ssl.*), with"
              + " --kafka-bootstrap.")
  Path kafkaClientConfig;

  @Option(
      names = "--watch",
      description = "Rebuild and redeploy functions when their code changes.")
  boolean watch;

  @Option(
      names = "--no-view",
      description = "Print log lines and periodic status lines instead of redrawing the screen.")
  boolean noView;

  @Spec CommandSpec spec;

  /**
   * Where this command reaches the server it starts on {@code bind}: a wildcard address is reached
   * on loopback, and an IPv6 literal needs brackets in a URI.
   */
  static URI clientUri(String bind, int port) {
    String host = bind.equals("0.0.0.0") ? "127.0.0.1" : bind.equals("::") ? "::1" : bind;
    if (host.contains(":") && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + port + "/");
  }

  private volatile ServerProcess server;
  private volatile boolean stopping;

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (kafkaClientConfig != null && kafkaBootstrap == null) {
      // a usage error, found before any build or server start
      throw new ParameterException(
          spec.commandLine(), "--kafka-client-config needs --kafka-bootstrap");
    }
    SluiceClient client = new SluiceClient(clientUri(bind, port));
    Template checked = checked(client);
    System.out.println("template " + checked.file() + ": " + summary(checked));
    Deployer deployer = new Deployer(client, new Builder(System.out::println), System.out::println);
    try {
      deployer.build(checked);
    } catch (DeployException e) {
      throw new CliException(e.getMessage());
    }
    startServer(client);
    Template t = template.load(client);
    DeployCommand.deploy(client, t, System.out);
    run(client, t, deployer);
    return 0;
  }

  /**
   * The template checked before anything is built, for the region and account of the server it is
   * deployed to: the running one's, or those of the server this command starts, which reads its
   * configuration as this command does (SLUICE_REGION, -Dsluice.region, ...).
   */
  private Template checked(SluiceClient client) {
    if (client.ready()) {
      return template.load(client);
    }
    Config config = ConfigProvider.getConfig();
    return template.load(
        config
            .getOptionalValue("sluice.region", String.class)
            .orElse(TemplateOptions.DEFAULT_REGION),
        config
            .getOptionalValue("sluice.account-id", String.class)
            .orElse(TemplateOptions.DEFAULT_ACCOUNT));
  }

  /** The serve options that put the server on Kafka storage, if asked for. */
  private List<String> storageOptions() {
    if (kafkaBootstrap == null) {
      return List.of();
    }
    List<String> options =
        new ArrayList<>(List.of("--storage", "kafka", "--kafka-bootstrap", kafkaBootstrap));
    if (kafkaClientConfig != null) {
      options.addAll(
          List.of("--kafka-client-config", kafkaClientConfig.toAbsolutePath().toString()));
    }
    return options;
  }

  private void startServer(SluiceClient client) throws IOException, InterruptedException {
    if (client.ready()) {
      System.out.println("using the server already running at " + client.endpoint());
      return;
    }
    System.out.println("starting the server on " + client.endpoint() + " ...");
    List<String> storage = storageOptions();
    server = ServerProcess.start(client, port, bind, dataDir, storage);
    Runtime.getRuntime().addShutdownHook(new Thread(this::shutdown, "sluice-up-stop"));
    System.out.println(
        "server running (pid "
            + server.pid()
            + ", data "
            + dataDir
            + ", log "
            + server.log()
            + ")");
  }

  private void shutdown() {
    stopping = true;
    try {
      System.out.println("\nstopping the server ...");
      server.stop();
      System.out.println("stopped");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run(SluiceClient client, Template t, Deployer deployer) throws InterruptedException {
    List<String> names = t.functions().stream().map(FunctionResource::name).toList();
    boolean terminal = System.console() != null && !noView;
    LiveView view =
        new LiveView(
            client,
            names,
            System.out,
            terminal,
            "sluice up " + t.file() + " — " + client.endpoint());
    Map<String, Long> prints = new HashMap<>();
    Builder builder = new Builder(view::event);
    t.functions().forEach(f -> prints.put(f.name(), builder.fingerprint(f.code())));
    while (server == null || server.isAlive()) {
      if (watch && !stopping) {
        redeployChanged(t, deployer, builder, prints, view);
      }
      try {
        view.refresh();
      } catch (dev.sluice.cli.client.ClientException e) {
        if (stopping) {
          return;
        }
        view.event("cannot read the server: " + e.getMessage());
      }
      Thread.sleep(1000);
    }
    if (stopping) {
      return;
    }
    throw new CliException("the server stopped unexpectedly; see " + server.log());
  }

  private static void redeployChanged(
      Template t, Deployer deployer, Builder builder, Map<String, Long> prints, LiveView view) {
    for (FunctionResource f : t.functions()) {
      try {
        long now = builder.fingerprint(f.code());
        if (now == prints.get(f.name())) {
          continue;
        }
        prints.put(f.name(), now); // a failed build waits for the next edit, not the next poll
        if (deployer.redeployCode(f)) {
          view.event("redeployed " + f.name() + " (its code changed)");
        }
      } catch (RuntimeException e) {
        // a refusal, a build that failed, or a file an editor or a build removed between listing
        // and reading it: the pipeline stays up, and the next poll looks again
        view.event("redeploy of " + f.name() + " failed: " + e.getMessage());
      }
    }
  }

  private static String summary(Template t) {
    return t.streams().size()
        + " streams, "
        + t.functions().size()
        + " functions, "
        + t.functions().stream().mapToInt(f -> f.kinesisEvents().size()).sum()
        + " mappings";
  }
}
