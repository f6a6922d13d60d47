package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UpCommandTest {

  @Test
  void clientUri_bindAddresses_reachableUris() {
    assertThat(UpCommand.clientUri("127.0.0.1", 4566)).hasToString("http://127.0.0.1:4566/");
    assertThat(UpCommand.clientUri("0.0.0.0", 4566)).hasToString("http://127.0.0.1:4566/");
    assertThat(UpCommand.clientUri("::1", 4566)).hasToString("http://[::1]:4566/");
    assertThat(UpCommand.clientUri("::", 4566)).hasToString("http://[::1]:4566/");
    assertThat(UpCommand.clientUri("localhost", 80)).hasToString("http://localhost:80/");
  }

  @Test
  void call_serverToStartInAnotherRegion_templateCheckedForThatRegion() throws Exception {
    java.nio.file.Path t = java.nio.file.Files.createTempDirectory("up-").resolve("t.yaml");
    java.nio.file.Files.writeString(
        t,
        """
        Transform: AWS::Serverless-2016-10-31
        Mappings:
          Shards:
            eu-west-1: {Count: 0}
        Resources:
          Orders:
            Type: AWS::Kinesis::Stream
            Properties:
              ShardCount: !FindInMap [Shards, !Ref AWS::Region, Count]
        """);
    System.setProperty("sluice.region", "eu-west-1"); // what the server started will read
    try {
      // nothing listens on port 1: up would start the server, but the check comes first
      Cli.Result r = Cli.run("", "up", t.toString(), "--port", "1");

      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.err()).contains("0 is below the minimum 1").doesNotContain("us-east-1");
    } finally {
      System.clearProperty("sluice.region");
    }
  }

  @Test
  void kafkaClientConfigWithoutBootstrap_usageErrorBeforeAnyBuild() throws Exception {
    java.nio.file.Path config = java.nio.file.Files.createTempFile("client", ".properties");
    Cli.Result r =
        Cli.run("", "up", "--kafka-client-config", config.toString(), "no-such-template.yaml");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .contains("--kafka-client-config needs --kafka-bootstrap")
        .doesNotContain("no-such-template");
  }
}
