package dev.sluice.function;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FunctionLogsTest {

  @TempDir Path dir;

  @Test
  void after_followingAcrossRotations_everyLineOnceInOrder() {
    FunctionLogs logs = new FunctionLogs(dir, 200, 3);
    List<String> seen = new ArrayList<>();
    long position = logs.end("f");

    for (int i = 0; i < 40; i++) {
      logs.append("f", "line " + i + " of the log\n");
      if (i % 3 == 0) {
        FunctionLogs.Page page = logs.after("f", position, 1000);
        seen.addAll(page.lines());
        position = page.next();
      }
    }
    seen.addAll(logs.after("f", position, 1000).lines());

    assertThat(Files.exists(dir.resolve("f/logs/function.log.3"))).as("rotated").isTrue();
    assertThat(seen).hasSize(40);
    for (int i = 0; i < 40; i++) {
      assertThat(seen.get(i)).isEqualTo("line " + i + " of the log");
    }
  }

  @Test
  void after_maxLines_nextResumesWhereThePageStopped() {
    FunctionLogs logs = new FunctionLogs(dir, 1 << 20, 2);
    for (int i = 0; i < 10; i++) {
      logs.append("f", "n" + i + "\n");
    }

    FunctionLogs.Page first = logs.after("f", 0, 4);
    FunctionLogs.Page rest = logs.after("f", first.next(), 100);

    assertThat(first.lines()).containsExactly("n0", "n1", "n2", "n3");
    assertThat(rest.lines()).containsExactly("n4", "n5", "n6", "n7", "n8", "n9");
    assertThat(rest.next()).isEqualTo(logs.end("f"));
    assertThat(logs.after("f", rest.next(), 100).lines()).isEmpty();
  }

  @Test
  void after_positionOlderThanWhatIsKept_readsFromTheOldestKeptLine() {
    FunctionLogs logs = new FunctionLogs(dir, 40, 1);
    for (int i = 0; i < 20; i++) {
      logs.append("f", "entry " + i + "\n");
    }

    List<String> lines = logs.after("f", 0, 1000).lines();

    assertThat(lines).isNotEmpty().endsWith("entry 19");
    assertThat(lines.get(0)).isNotEqualTo("entry 0");
    assertThat(lines).isEqualTo(logs.tail("f", 1000));
  }

  @Test
  void after_lineStillBeingWritten_leftForTheNextRead() throws Exception {
    FunctionLogs logs = new FunctionLogs(dir, 1 << 20, 2);
    logs.append("f", "done\n");
    Files.writeString(
        dir.resolve("f/logs/function.log"), "half", java.nio.file.StandardOpenOption.APPEND);

    FunctionLogs.Page page = logs.after("f", 0, 100);

    assertThat(page.lines()).containsExactly("done");
    assertThat(page.next()).isEqualTo(5);
  }

  @Test
  void format_coldStart_billedDurationCountsInitAsLambdaDoes() {
    FunctionConfig config =
        TestConfigs.of("f", "h", "provided.al2023", 128, 3, java.util.Map.of(), Isolation.PROCESS);
    InvocationResult ok = new InvocationResult.Success(new byte[0]);

    String cold =
        FunctionLogs.format(
            "id", config, new InvocationReport(ok, 1_049_630_000L, 1_293_830_000L, 60, ""));
    String warm =
        FunctionLogs.format("id", config, new InvocationReport(ok, 1_049_630_000L, -1, 60, ""));

    assertThat(cold)
        .contains("\tDuration: 1049.63 ms\tBilled Duration: 2344 ms\t")
        .contains("\tInit Duration: 1293.83 ms");
    assertThat(warm).contains("\tBilled Duration: 1050 ms\t").doesNotContain("Init Duration");
  }

  @Test
  void twoDecimals_nanos_millisecondsWithHalvesRoundedUp() {
    assertThat(ms(0)).isEqualTo("0.00");
    assertThat(ms(3_141_590)).isEqualTo("3.14");
    assertThat(ms(2_999_000)).isEqualTo("3.00");
    assertThat(ms(1_005_000)).isEqualTo("1.01"); // %.2f of 1.005 gives 1.01 too
    assertThat(ms(1_004_999)).isEqualTo("1.00");
    assertThat(ms(99_995_000)).isEqualTo("100.00");
    assertThat(ms(1_234_500_000_000L)).isEqualTo("1234500.00");
  }

  private static String ms(long nanos) {
    return FunctionLogs.twoDecimals(new StringBuilder(), nanos).toString();
  }

  @Test
  void append_fileDeletedFromOutside_nextAppendStartsANewFile() throws Exception {
    FunctionLogs logs = new FunctionLogs(dir, 1 << 20, 2);
    logs.append("f", "old\n");

    Files.delete(dir.resolve("f/logs/function.log"));
    logs.append("f", "new\n");

    assertThat(Files.readString(dir.resolve("f/logs/function.log"))).isEqualTo("new\n");
  }

  @Test
  void append_filesDeletedAfterClose_nextAppendStartsANewFile() throws Exception {
    FunctionLogs logs = new FunctionLogs(dir, 1 << 20, 2);
    logs.append("f", "old\n");

    logs.close("f");
    Files.delete(dir.resolve("f/logs/function.log"));
    logs.append("f", "new\n");

    assertThat(Files.readString(dir.resolve("f/logs/function.log"))).isEqualTo("new\n");
    assertThat(logs.tail("f", 10)).containsExactly("new");
  }

  @Test
  void append_keptOpen_everyLineOnDiskAtOnce() throws Exception {
    FunctionLogs logs = new FunctionLogs(dir, 1 << 20, 2);

    logs.append("f", "one\n");
    String afterOne = Files.readString(dir.resolve("f/logs/function.log"));
    logs.append("f", "two\n");

    assertThat(afterOne).isEqualTo("one\n");
    assertThat(logs.after("f", 0, 10).lines()).containsExactly("one", "two");
    assertThat(logs.end("f")).isEqualTo(8);
  }
}
