package dev.sluice.log.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.log.LogBusyException;
import dev.sluice.log.LogListener;
import dev.sluice.log.ShardRef;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.internals.KafkaFutureImpl;
import org.junit.jupiter.api.Test;

/** End-offset questions answered, or not, by a broker played by an Admin stand-in. */
class EndRefresherTest {

  static final ShardRef S0 = new ShardRef("orders", "shardId-000000000000");
  static final TopicPartition TP = new TopicPartition("sluice.orders", 0);

  /** The end the stand-in answers; null: the partition's answer fails, as with no leader. */
  volatile Long brokerEnd;

  final ShardState state = new ShardState(S0, TP, 0, 3, 0);
  final EndRefresher refresher =
      new EndRefresher(
          new TopicAdmin(admin(), KafkaLogOptions.defaults("127.0.0.1:1")),
          new ConcurrentHashMap<>(Map.of(S0, state)),
          Clock.systemUTC(),
          LogListener.NONE);

  @Test
  void confirm_brokerAnswers_movesTheEnd() {
    brokerEnd = 7L;

    refresher.confirm(List.of(state)).join();

    assertThat(state.offsets().endOffset()).isEqualTo(7);
  }

  @Test
  void confirm_noAnswerForTheShard_failsAsBusyAndKeepsTheEnd() {
    brokerEnd = null;

    assertThatThrownBy(() -> refresher.confirm(List.of(state)).join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(LogBusyException.class);
    refresher.ask(List.of(state)).join(); // the refresh rounds' question never fails
    assertThat(state.offsets().endOffset()).isEqualTo(3);
  }

  private Admin admin() {
    return (Admin)
        Proxy.newProxyInstance(
            Admin.class.getClassLoader(),
            new Class<?>[] {Admin.class},
            (proxy, method, args) -> {
              if (!method.getName().equals("listOffsets")) {
                throw new UnsupportedOperationException(method.getName());
              }
              return new ListOffsetsResult(Map.of(TP, answer()));
            });
  }

  private KafkaFuture<ListOffsetsResultInfo> answer() {
    Long end = brokerEnd;
    if (end != null) {
      return KafkaFuture.completedFuture(new ListOffsetsResultInfo(end, -1, Optional.empty()));
    }
    KafkaFutureImpl<ListOffsetsResultInfo> failed = new KafkaFutureImpl<>();
    failed.completeExceptionally(new TimeoutException("no leader"));
    return failed;
  }
}
