package dev.sluice.function.process;

import dev.sluice.function.DeployedCode;
import dev.sluice.function.FunctionConfig;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How to start an instance of one function version: the command, its working directory and the
 * environment Lambda gives a runtime. The parts that differ per instance (the Runtime API address
 * and the log stream) are filled in by {@link #environment}.
 *
 * @param command the program and its arguments
 * @param workingDir the code root: the RIC loads the function from its working directory
 * @param baseEnvironment everything but the per-instance variables
 * @param forks whether the runtime may run its work in child processes (a bootstrap script does;
 *     the JVM does not), so that memory use must add up the whole process tree
 */
record LaunchSpec(
    List<String> command, Path workingDir, Map<String, String> baseEnvironment, boolean forks) {

  static final String VERSION = "$LATEST";

  /** Starts a JVM running the RIC, which loads the handler from the code root as Lambda does. */
  static LaunchSpec java(
      Path javaHome,
      RicClasspath ric,
      Path scratchDir,
      FunctionConfig config,
      DeployedCode code,
      Sandbox sandbox) {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaHome.resolve("bin/java").toString());
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-Xshare:auto");
    // Lambda's Java runtimes stop at C1 by default: it halves the cold start of short handlers.
    cmd.add("-XX:+TieredCompilation");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-XX:-UsePerfData"); // no hsperfdata files in /tmp, slightly faster start
    cmd.add("-Xmx" + config.memorySize() + "m");
    // A crashing JVM writes hs_err into its working directory, which is the immutable code root.
    cmd.add("-XX:ErrorFile=" + scratchDir.resolve("hs_err_pid%p.log"));
    cmd.add("-Djava.net.preferIPv4Stack=true");
    cmd.add("-D" + RicClasspath.JNI_PROPERTY + "=" + ric.jni());
    cmd.add("-cp");
    // Only the runtime's jars, as on Lambda: the RIC's customer class loader (parent: this
    // classpath) loads the code root and lib/*.jar, so the runtime's copies of
    // aws-lambda-java-core win over any the deployment package bundles.
    cmd.add(
        ric.jars().stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)));
    cmd.add(RicClasspath.MAIN_CLASS);
    cmd.add(config.handler());
    Map<String, String> env = environment(config, code, sandbox);
    env.put("AWS_EXECUTION_ENV", "AWS_Lambda_" + config.runtime());
    // Lambda's runtime libraries live in /var/runtime; here, where the RIC's jars are
    env.put("LAMBDA_RUNTIME_DIR", ric.jars().get(0).getParent().toString());
    return new LaunchSpec(List.copyOf(cmd), code.root(), env, false);
  }

  /** Runs {@code bootstrap} from the code root: any Runtime API client works. */
  static LaunchSpec provided(FunctionConfig config, DeployedCode code, Sandbox sandbox) {
    Map<String, String> env = environment(config, code, sandbox);
    // an OS-only runtime's is the package itself, its bootstrap the runtime
    env.put("LAMBDA_RUNTIME_DIR", code.root().toString());
    return new LaunchSpec(
        List.of(code.root().resolve("bootstrap").toString()), code.root(), env, true);
  }

  /**
   * What a sandbox knows of its node.
   *
   * @param region {@code AWS_REGION}
   * @param endpoint the node's URL, or null when unknown
   */
  record Sandbox(String region, String endpoint) {}

  /** The host's library directories that exist, each followed by ':'. */
  private static final String SYSTEM_LIBS = systemLibs();

  private static String systemLibs() {
    String arch = System.getProperty("os.arch", "");
    String triplet =
        switch (arch) {
          case "amd64", "x86_64" -> "x86_64-linux-gnu";
          case "aarch64", "arm64" -> "aarch64-linux-gnu";
          default -> arch + "-linux-gnu";
        };
    StringBuilder sb = new StringBuilder();
    for (String d :
        List.of(
            "/lib64", "/usr/lib64", "/lib/" + triplet, "/usr/lib/" + triplet, "/lib", "/usr/lib")) {
      if (java.nio.file.Files.isDirectory(Path.of(d))) {
        sb.append(d).append(':');
      }
    }
    return sb.toString();
  }

  private static Map<String, String> environment(
      FunctionConfig config, DeployedCode code, Sandbox sandbox) {
    String region = sandbox.region();
    Map<String, String> env = new LinkedHashMap<>();
    // The child never inherits Sluice's environment (which may hold secrets); it gets what a
    // Lambda sandbox has, with the host's PATH so that tools such as curl are found.
    String path = System.getenv("PATH");
    env.put("PATH", path == null ? "/usr/local/bin:/usr/bin:/bin" : path);
    env.put("LANG", "en_US.UTF-8");
    env.put("TZ", ":UTC");
    // As Lambda's: the system's library directories first, then the package and its lib/ (a
    // provided binary's shared objects, a JNI library), so that a bundled libssl cannot replace
    // the one the host's curl needs. A function may set its own.
    Path root = code.root();
    env.put("LD_LIBRARY_PATH", SYSTEM_LIBS + root + ":" + root.resolve("lib") + ":/opt/lib");
    config
        .environment()
        .forEach(
            (k, v) -> {
              // the API refuses these; a definition stored before it did still has them
              if (!FunctionConfig.RESERVED_ENVIRONMENT.contains(k)) {
                env.put(k, v);
              }
            });
    env.put("_HANDLER", config.handler() == null ? "" : config.handler());
    env.put("AWS_REGION", region);
    env.put("AWS_DEFAULT_REGION", region);
    env.put("AWS_LAMBDA_FUNCTION_NAME", config.name());
    env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(config.memorySize()));
    env.put("AWS_LAMBDA_FUNCTION_VERSION", VERSION);
    env.put("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
    env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + config.name());
    env.put("LAMBDA_TASK_ROOT", code.root().toString());
    // As a Lambda sandbox gets its role's credentials, a Sluice one gets placeholder credentials
    // and this node as its AWS endpoint, so an unchanged AWS SDK client in the handler talks to
    // Sluice's Kinesis and Lambda APIs. A function may point AWS_ENDPOINT_URL elsewhere.
    env.put("AWS_ACCESS_KEY_ID", "sluice");
    env.put("AWS_SECRET_ACCESS_KEY", "sluice");
    if (sandbox.endpoint() != null) {
      env.putIfAbsent("AWS_ENDPOINT_URL", sandbox.endpoint());
    }
    return env;
  }

  /** The full environment of one instance. */
  Map<String, String> environment(int runtimeApiPort, String logStreamName) {
    Map<String, String> env = new LinkedHashMap<>(baseEnvironment);
    env.put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + runtimeApiPort);
    env.put("AWS_LAMBDA_LOG_STREAM_NAME", logStreamName);
    return env;
  }
}
