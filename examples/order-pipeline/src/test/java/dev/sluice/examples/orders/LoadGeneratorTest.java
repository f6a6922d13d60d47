package dev.sluice.examples.orders;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadGeneratorTest {
  private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

  private int run(String... args) throws IOException {
    return LoadGenerator.run(args, stdout, new PrintStream(stderr, true, StandardCharsets.UTF_8));
  }

  @Test
  void run_toStdout_oneJsonEventPerLine() throws IOException {
    int status = run("--orders", "10", "--seed", "7");

    List<String> lines = stdout.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(status).isZero();
    assertThat(lines).hasSize(30);
    ObjectMapper mapper = new ObjectMapper();
    for (String line : lines) {
      assertThat(mapper.readTree(line).get("orderId").asText()).matches("o-0000(0[1-9]|10)");
    }
    assertThat(stderr.toString(StandardCharsets.UTF_8)).contains("10 orders, seed 7");
  }

  @Test
  void run_outFile_sameLinesAsStdoutForTheSameSeed(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("orders.jsonl");
    run("--orders", "25", "--seed", "3", "--invalid-rate", "0.2");
    String printed = stdout.toString(StandardCharsets.UTF_8);
    stdout.reset();

    int status =
        run("--orders", "25", "--seed", "3", "--invalid-rate", "0.2", "--out", file.toString());

    assertThat(status).isZero();
    assertThat(stdout.size()).isZero();
    assertThat(Files.readString(file)).isEqualTo(printed);
    assertThat(printed.lines()).hasSize(25 * 3 + 5);
  }

  @Test
  void run_firstOrder_numbersOrdersFromThere() throws IOException {
    run("--orders", "2", "--seed", "1", "--first-order", "5000", "--in-flight", "1");

    assertThat(stdout.toString(StandardCharsets.UTF_8).lines())
        .extracting(line -> line.replaceAll(".*\"orderId\":\"([^\"]+)\".*", "$1"))
        .containsExactly("o-005000", "o-005000", "o-005000", "o-005001", "o-005001", "o-005001");
  }

  @Test
  void run_badArguments_status2AndUsage() throws IOException {
    assertThat(run("--orders", "many")).isEqualTo(2);
    assertThat(run("--invalid-rate", "2")).isEqualTo(2);
    assertThat(run("--colour", "blue")).isEqualTo(2);
    assertThat(run("--orders")).isEqualTo(2);
    assertThat(stdout.size()).isZero();
    assertThat(stderr.toString(StandardCharsets.UTF_8)).contains("usage: LoadGenerator");
  }
}
