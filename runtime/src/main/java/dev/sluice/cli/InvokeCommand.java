package dev.sluice.cli;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Invokes a function once and prints its response; its log tail goes to standard error. */
@Command(
    name = "invoke",
    mixinStandardHelpOptions = true,
    description = {
      "Invoke a function synchronously and print its response.",
      "The log tail goes to standard error; a function error exits with status 1."
    })
final class InvokeCommand implements Callable<Integer> {

  @Mixin EndpointOption endpoint;

  @Parameters(index = "0", description = "The function name or ARN.")
  String function;

  @Option(
      names = {"-e", "--event"},
      paramLabel = "FILE|-",
      description = "The event JSON: a file, or '-' for standard input (default: {}).")
  String event;

  @Override
  public Integer call() throws IOException {
    byte[] payload = payload();
    HttpResponse<byte[]> r = endpoint.client().invoke(function, payload);
    r.headers()
        .firstValue("X-Amz-Log-Result")
        .ifPresent(l -> System.err.print(new String(Base64.getDecoder().decode(l), UTF8)));
    System.out.println(new String(r.body(), UTF8));
    return r.headers().firstValue("X-Amz-Function-Error").isPresent() ? 1 : 0;
  }

  private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;

  private byte[] payload() throws IOException {
    if (event == null) {
      return "{}".getBytes(UTF8);
    }
    if ("-".equals(event)) {
      return System.in.readAllBytes();
    }
    Path file = Path.of(event);
    if (Files.isDirectory(file)) {
      throw new CliException("the event file " + file + " is a directory");
    }
    // not only regular files: a pipe (-e <(jq ...)) or /dev/stdin reads as well; a missing one
    // is reported in one line by Main
    return Files.readAllBytes(file);
  }
}
