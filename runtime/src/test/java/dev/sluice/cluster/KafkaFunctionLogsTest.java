package dev.sluice.cluster;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.function.LogPage;
import dev.sluice.log.kafka.KafkaConnection;
import dev.sluice.testing.KafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Function logs in a topic on a real broker, written and read by two nodes' stores. */
class KafkaFunctionLogsTest {

  String topic;
  final List<KafkaFunctionLogs> open = new ArrayList<>();

  @BeforeEach
  void name() {
    topic = "__kfl-" + UUID.randomUUID().toString().substring(0, 8) + ".logs";
  }

  @AfterEach
  void close() {
    open.forEach(KafkaFunctionLogs::close);
  }

  KafkaFunctionLogs node() {
    KafkaFunctionLogs logs =
        KafkaFunctionLogs.open(KafkaConnection.of(KafkaBroker.bootstrapServers()), topic, 1);
    open.add(logs);
    return logs;
  }

  static String invocation(String id, String... printed) {
    StringBuilder sb = new StringBuilder("START RequestId: " + id + " Version: $LATEST\n");
    for (String p : printed) {
      sb.append(p).append('\n');
    }
    return sb.append("END RequestId: ").append(id).append('\n').toString();
  }

  /** Waits until {@code logs} shows at least {@code n} lines of {@code function}. */
  static List<String> awaitLines(KafkaFunctionLogs logs, String function, int n) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> logs.last(function, 10_000).lines().size() >= n);
    return logs.last(function, 10_000).lines();
  }

  @Test
  void append_onTwoNodes_eitherNodeReadsBothNodesInvocationsInOrder() {
    KafkaFunctionLogs a = node();
    KafkaFunctionLogs b = node();
    a.append("orders", invocation("1", "from a"));
    awaitLines(a, "orders", 3);
    b.append("orders", invocation("2", "from b"));
    b.append("other", invocation("9", "not of orders"));

    List<String> seenByA = awaitLines(a, "orders", 6);
    assertThat(seenByA)
        .containsExactly(
            "START RequestId: 1 Version: $LATEST",
            "from a",
            "END RequestId: 1",
            "START RequestId: 2 Version: $LATEST",
            "from b",
            "END RequestId: 2");
    assertThat(b.last("orders", 10_000).lines()).isEqualTo(seenByA);
    assertThat(b.last("orders", 2).lines()).containsExactly("from b", "END RequestId: 2");
  }

  @Test
  void page_stoppedInsideAnInvocation_goesOnFromItsNextLineThroughAnotherNode() {
    KafkaFunctionLogs a = node();
    KafkaFunctionLogs b = node();
    LogPage start = a.last("f", 100);
    assertThat(start.lines()).isEmpty();
    a.append("f", invocation("1", "one", "two", "three"));
    a.append("f", invocation("2"));
    awaitLines(a, "f", 7);

    LogPage first = a.page("f", start.next(), 3);
    LogPage rest = b.page("f", first.next(), 100);
    LogPage none = a.page("f", rest.next(), 100);

    assertThat(first.lines()).containsExactly("START RequestId: 1 Version: $LATEST", "one", "two");
    assertThat(rest.lines())
        .containsExactly(
            "three", "END RequestId: 1", "START RequestId: 2 Version: $LATEST", "END RequestId: 2");
    assertThat(none.lines()).isEmpty();
    assertThat(none.next()).isEqualTo(rest.next());
    assertThat(rest.next()).isEqualTo(b.last("f", 1).next());
  }

  @Test
  void cleared_thenTheNameUsedAgain_lastShowsOnlyTheNewFunctionsLines() {
    KafkaFunctionLogs a = node();
    KafkaFunctionLogs b = node();
    a.append("f", invocation("old"));
    awaitLines(a, "f", 2);
    a.cleared("f");
    await().atMost(Duration.ofSeconds(30)).until(() -> b.last("f", 100).lines().isEmpty());
    b.append("f", invocation("new"));

    assertThat(awaitLines(a, "f", 2))
        .containsExactly("START RequestId: new Version: $LATEST", "END RequestId: new");
  }

  @Test
  void page_fromBeforeADeletionMark_showsOnlyTheLinesAfterIt() {
    KafkaFunctionLogs a = node();
    LogPage start = a.last("f", 100);
    a.append("f", invocation("old"));
    a.cleared("f");
    a.append("f", invocation("new"));
    awaitLines(a, "f", 2);

    LogPage page = node().page("f", start.next(), 100);

    assertThat(page.lines())
        .containsExactly("START RequestId: new Version: $LATEST", "END RequestId: new");
    assertThat(a.page("f", 0, 100).lines()).isEqualTo(page.lines());
  }

  @Test
  void open_aTopicMadeBeforehandWithFewerPartitions_refusedNamingIt() throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", KafkaBroker.bootstrapServers()))) {
      NewTopic twoPartitions =
          new NewTopic(topic, 2, (short) 1).configs(Map.of("max.message.bytes", "8388608"));
      admin.createTopics(List.of(twoPartitions)).all().get();
    }

    assertThatThrownBy(this::node)
        .isInstanceOf(StateException.class)
        .hasMessageContaining(topic)
        .hasMessageContaining("has 2 partitions: it needs 8 at least");
  }

  @Test
  void last_aQuietFunctionBehindManyRecordsOfOthers_readsBackFarEnoughToFindIt() {
    KafkaFunctionLogs a = node();
    for (int i = 0; i < 20; i++) {
      a.append("quiet", invocation("q" + i));
    }
    // thousands of records of other functions in the same partition come after it
    List<String> busy = namesInThePartitionOf("quiet", 10);
    for (int i = 0; i < 3_000; i++) {
      a.append(busy.get(i % busy.size()), invocation("b" + i));
    }
    // a partition keeps the order records were sent in: once the last is there, all are
    String last = busy.get(2_999 % busy.size());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> a.last(last, 2).lines().contains("END RequestId: b2999"));

    List<String> lines = a.last("quiet", 4).lines();

    assertThat(lines)
        .containsExactly(
            "START RequestId: q18 Version: $LATEST",
            "END RequestId: q18",
            "START RequestId: q19 Version: $LATEST",
            "END RequestId: q19");
    assertThat(a.last("quiet", 1000).lines()).hasSize(40);
  }

  /** {@code n} function names whose logs go to the same partition as {@code function}'s. */
  static List<String> namesInThePartitionOf(String function, int n) {
    int partition = KafkaFunctionLogs.partitionOf(function.getBytes(UTF_8));
    List<String> out = new ArrayList<>();
    for (int i = 0; out.size() < n; i++) {
      if (KafkaFunctionLogs.partitionOf(("busy-" + i).getBytes(UTF_8)) == partition) {
        out.add("busy-" + i);
      }
    }
    return out;
  }

  @Test
  void append_anInvocationOverTheRecordLimit_keepsItsLastLinesAndSaysHowMuchWent() {
    KafkaFunctionLogs a = node();
    String line = "x".repeat(999);
    String[] printed = new String[6_000]; // about 6 MB, over the 4 MB record limit
    for (int i = 0; i < printed.length; i++) {
      printed[i] = i + " " + line;
    }
    a.append("loud", invocation("1", printed));
    a.append("loud", invocation("2"));

    List<String> lines = awaitLines(a, "loud", 4);

    assertThat(lines.get(0)).matches("\\[Sluice: \\d+ bytes of this invocation's log dropped]");
    assertThat(lines.get(1)).endsWith(line).doesNotStartWith("0 ");
    assertThat(lines.subList(lines.size() - 4, lines.size()))
        .containsExactly(
            "5999 " + line,
            "END RequestId: 1",
            "START RequestId: 2 Version: $LATEST",
            "END RequestId: 2");
    int bytes = String.join("\n", lines).getBytes(UTF_8).length;
    assertThat(bytes).isLessThanOrEqualTo(KafkaFunctionLogs.MAX_TEXT_BYTES + 100);
  }
}
