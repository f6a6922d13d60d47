package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.files.FileTrees;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.GetFunctionConfigurationResponse;
import software.amazon.awssdk.services.lambda.model.State;
import software.amazon.awssdk.services.lambda.model.StateReasonCode;

/**
 * A node whose unpacked code package is gone (removed by hand, a disk replaced) shows the function
 * in Lambda's Failed state after a restart, and {@code sluice deploy} sends the code again before
 * any setting (which that node refuses until it has code), which makes it run.
 */
class LostPackageIT {

  private static final Path HELLO =
      Path.of("..", "examples", "hello-kinesis", "target", "hello-kinesis.jar").toAbsolutePath();

  private static final String TEMPLATE =
      """
      Transform: AWS::Serverless-2016-10-31
      Resources:
        Echo:
          Type: AWS::Serverless::Function
          Properties:
            FunctionName: lost-fn
            CodeUri: %s
            Runtime: java17
            MemorySize: %d
            Handler: dev.sluice.examples.hello.EchoHandler::handleRequest
      """;

  @Test
  void deploy_functionWhosePackageTheNodeLost_sendsTheCodeAgainAndItRuns(@TempDir Path dir)
      throws Exception {
    Path data = dir.resolve("data");
    Path log = dir.resolve("server.log");
    Path template = dir.resolve("template.yaml");
    Files.writeString(template, TEMPLATE.formatted(HELLO, 512));
    try (SluiceProcess server = new SluiceProcess(data, log)) {
      server.start();
      assertThat(deploy(server, template, dir)).contains("+ function lost-fn");
      assertThat(server.stop()).as("exit code after SIGTERM").isIn(0, 130, 143);
    }
    FileTrees.delete(data.resolve("functions").resolve("lost-fn").resolve("code"));

    try (SluiceProcess server = new SluiceProcess(data, log);
        LambdaClient lambda = startedWithLambda(server)) {
      GetFunctionConfigurationResponse failed = configuration(lambda);
      assertThat(failed.state()).isEqualTo(State.FAILED);
      assertThat(failed.stateReasonCode()).isEqualTo(StateReasonCode.INVALID_ZIP_FILE_EXCEPTION);

      Files.writeString(template, TEMPLATE.formatted(HELLO, 1024)); // a setting changes too
      assertThat(deploy(server, template, dir).lines())
          .contains("~ function lost-fn: code, MemorySize");

      GetFunctionConfigurationResponse fixed = configuration(lambda);
      assertThat(fixed.state()).isEqualTo(State.ACTIVE);
      assertThat(fixed.memorySize()).isEqualTo(1024);
      String answer =
          lambda
              .invoke(b -> b.functionName("lost-fn").payload(SdkBytes.fromUtf8String("{}")))
              .payload()
              .asUtf8String();
      assertThat(answer).contains("\"handledBy\":\"lost-fn\"");
    }
  }

  private static LambdaClient startedWithLambda(SluiceProcess server) throws Exception {
    server.start();
    return ItClients.lambda(server.endpoint());
  }

  private static GetFunctionConfigurationResponse configuration(LambdaClient lambda) {
    return lambda.getFunctionConfiguration(b -> b.functionName("lost-fn"));
  }

  /** Runs {@code sluice deploy} from the packaged jar, as the launcher does; returns its output. */
  private static String deploy(SluiceProcess server, Path template, Path dir) throws Exception {
    Path out = Files.createTempFile(dir, "deploy-", ".log");
    Process p =
        new ProcessBuilder(
                SluiceProcess.java(),
                "-jar",
                SluiceProcess.runnerJar(),
                "deploy",
                template.toString(),
                "--endpoint",
                server.endpoint().toString())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    try {
      assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("deploy within 2 min").isTrue();
    } finally {
      p.destroyForcibly();
    }
    String printed = Files.readString(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(printed).isZero();
    return printed;
  }
}
