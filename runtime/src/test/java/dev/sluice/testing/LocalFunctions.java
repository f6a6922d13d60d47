package dev.sluice.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.function.CodeSource;
import dev.sluice.function.FunctionService;
import dev.sluice.function.FunctionSpec;
import dev.sluice.function.InvocationResult;
import dev.sluice.function.Isolation;
import dev.sluice.function.classloader.ClassLoaderRunnerFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** A function service in a directory, with classloader isolation only and no server around it. */
public final class LocalFunctions implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final ClassLoaderRunnerFactory runners = new ClassLoaderRunnerFactory();
  private final FunctionService service;

  /** A started service keeping its functions under {@code dir}. */
  public LocalFunctions(Path dir) {
    service =
        new FunctionService(
            dir,
            "eu-west-3",
            "123456789012",
            Map.of(Isolation.CLASSLOADER, runners),
            16,
            List.of(Duration.ofMillis(50)),
            Clock.systemUTC(),
            null,
            null,
            null);
    service.start();
  }

  public FunctionService service() {
    return service;
  }

  /** Deploys a Lambda zip as a java17 function with 512 MB and 30 s. */
  public void deploy(String name, String handler, byte[] zip) {
    service.create(
        name,
        new FunctionSpec(handler, "java17", 512, 30, Map.of(), "", Isolation.CLASSLOADER),
        new CodeSource.Upload(zip));
  }

  /** The text a successful invocation answered (a JSON string); fails on a function error. */
  public static String answer(CompletableFuture<FunctionService.Invoked> call) throws Exception {
    FunctionService.Invoked inv = call.join();
    assertThat(inv.report().result()).isInstanceOf(InvocationResult.Success.class);
    return JSON.readTree(((InvocationResult.Success) inv.report().result()).payload()).asText();
  }

  @Override
  public void close() {
    service.close();
    runners.close();
  }
}
