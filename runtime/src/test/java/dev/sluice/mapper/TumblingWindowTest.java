package dev.sluice.mapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.checkpoint.WindowFloor;
import dev.sluice.checkpoint.WindowState;
import dev.sluice.log.LogRecord;
import dev.sluice.stream.HashKeyRange;
import dev.sluice.stream.Shard;
import dev.sluice.testing.TestClock;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Window assignment, state carrying and final-invoke triggering, with an injected clock. */
class TumblingWindowTest {

  // 2020-07-29T17:07:00Z
  static final long T0 = 1_596_042_420_000L;

  final TestClock clock = new TestClock(T0);

  static LogRecord at(long offset, long arrivalMillis) {
    return new LogRecord(offset, arrivalMillis, "k", "{}".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void close_windowTerminatedEarly_itsRemainingRecordsContinueItWithAFreshState() {
    TumblingWindow w = new TumblingWindow(60);
    w.enter(w.windowOf(at(0, T0 + 5)));
    w.accept(Map.of("big", "x".repeat((int) TumblingWindow.MAX_STATE_BYTES)));
    assertThat(w.terminatedEarly()).isTrue();

    w.close();
    long next = w.windowOf(at(1, T0 + 10));
    w.enter(next);

    assertThat(next).as("the same window").isEqualTo(T0);
    assertThat(w.state()).isEmpty();
    assertThat(w.terminatedEarly()).isFalse();
    assertThat(w.windowOf(at(2, T0 - 1))).as("never before it").isEqualTo(T0);
  }

  @Test
  void windowOf_alignsToMultiplesOfTheLength() {
    TumblingWindow w = new TumblingWindow(60);
    assertThat(w.windowOf(at(0, T0))).isEqualTo(T0);
    assertThat(w.windowOf(at(1, T0 + 59_999))).isEqualTo(T0);
    assertThat(w.windowOf(at(2, T0 + 60_000))).isEqualTo(T0 + 60_000);
    assertThat(w.windowOf(at(3, T0 - 1))).isEqualTo(T0 - 60_000);
    assertThat(TumblingWindow.startOf(1_234, 1_000)).isEqualTo(1_000);
    assertThat(new TumblingWindow(900).windowOf(at(4, T0 + 123_456)))
        .isEqualTo(T0 / 900_000 * 900_000);
    assertThatThrownBy(() -> new TumblingWindow(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void windowOf_recordStampedInAClosedOrBeforeTheOpenWindow_joinsALaterOneNeverReopens() {
    TumblingWindow w = new TumblingWindow(60);
    w.enter(w.windowOf(at(0, T0 + 5)));
    w.accept(Map.of("sum", "1"));
    assertThat(w.windowOf(at(1, T0 - 30_000))).as("before the open window").isEqualTo(T0);
    w.close();

    assertThat(w.windowOf(at(2, T0 + 30_000)))
        .as("inside the closed window")
        .isEqualTo(T0 + 60_000);
    assertThat(w.windowOf(at(3, T0 + 150_000))).isEqualTo(T0 + 120_000);

    TumblingWindow restored = new TumblingWindow(60);
    restored.restore(new WindowState(T0, T0 + 60_000, Map.of("sum", "1"), false));
    assertThat(restored.windowOf(at(4, T0 - 1))).as("before a restored window").isEqualTo(T0);
  }

  @Test
  void closeDue_whenTheShardMovesPastTheWindow_evenBeforeItsEndTime() {
    TumblingWindow w = new TumblingWindow(60);
    assertThat(w.closeDue(T0, true, false, clock.millis())).as("nothing open").isFalse();
    w.enter(w.windowOf(at(0, T0 + 5)));
    w.accept(Map.of("sum", "1"));
    assertThat(w.closeDue(T0, false, false, clock.millis())).as("same window next").isFalse();
    assertThat(w.closeDue(T0 + 60_000, false, false, clock.millis()))
        .as("a record of the next window is queued")
        .isTrue();
  }

  @Test
  void closeDue_byTheClock_onlyOnceCaughtUpAndPastTheEnd() {
    TumblingWindow w = new TumblingWindow(60);
    w.enter(T0);
    w.accept(Map.of("sum", "3"));
    clock.set(T0 + 59_999);
    assertThat(w.closeDue(-1, true, false, clock.millis())).as("before the end").isFalse();
    clock.set(T0 + 60_000);
    assertThat(w.closeDue(-1, true, false, clock.millis()))
        .as("a record stamped just before the end may not be readable yet")
        .isFalse();
    clock.set(T0 + 60_000 + TumblingWindow.CLOSE_GRACE_MILLIS);
    assertThat(w.closeDue(-1, false, false, clock.millis())).as("records unread").isFalse();
    assertThat(w.closeDue(-1, true, false, clock.millis())).as("end and grace passed").isTrue();
  }

  @Test
  void closeDue_whenTheShardEnds() {
    TumblingWindow w = new TumblingWindow(60);
    w.enter(T0);
    w.accept(Map.of());
    assertThat(w.closeDue(-1, false, true, clock.millis())).isTrue();
  }

  @Test
  void state_carriedWithinTheWindow_andRestartsFromEmptyAfterClose() {
    TumblingWindow w = new TumblingWindow(60);
    w.enter(T0);
    assertThat(w.state()).isEmpty();
    assertThat(w.invoked()).isFalse();
    w.accept(Map.of("sum", "3"));
    w.enter(T0); // the next batch of the same window
    assertThat(w.state()).containsEntry("sum", "3");
    assertThat(w.invoked()).isTrue();
    w.close();
    assertThat(w.isOpen()).isFalse();
    w.enter(T0 + 60_000);
    assertThat(w.state()).isEmpty();
    assertThat(w.invoked()).isFalse();
  }

  @Test
  void stateOverOneMegabyte_terminatesTheWindowEarly() {
    TumblingWindow w = new TumblingWindow(60);
    w.enter(T0);
    w.accept(Map.of("big", "x".repeat(1024 * 1024)));
    assertThat(w.terminatedEarly()).isTrue();
    assertThat(w.closeDue(T0, false, false, clock.millis())).isTrue();
    w.close();
    w.enter(T0);
    assertThat(w.terminatedEarly()).isFalse();
    assertThat(w.state()).isEmpty();
  }

  @Test
  void parseState_readsTimeWindowEventResponse() {
    for (String noState :
        new String[] {"", "null", "{\"batchItemFailures\":[]}", "{\"state\":null}"}) {
      assertThatThrownBy(() -> TumblingWindow.parseState(bytes(noState)))
          .as(noState)
          .hasMessageContaining("has no state");
    }
    assertThat(TumblingWindow.parseState(bytes("{\"state\":{}}"))).isEmpty();
    assertThat(TumblingWindow.parseState(bytes("{\"state\":{\"a\":\"1\",\"b\":2}}")))
        .containsExactly(Map.entry("a", "1"), Map.entry("b", "2"));
    assertThatThrownBy(() -> TumblingWindow.parseState(bytes("{\"state\":[1]}")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TumblingWindow.parseState(bytes("{\"state\":{\"a\":{}}}")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TumblingWindow.parseState(bytes("{not json")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void windowEvent_isLambdasKinesisTimeWindowEvent() {
    EventBuilder events =
        new EventBuilder("us-east-1", "000000000000", "arn:aws:kinesis:us-east-1:0:stream/s")
            .forGeneration(T0);
    Shard shard = Shard.open(0, null, null, new HashKeyRange(BigInteger.ZERO, BigInteger.TEN), T0);
    JsonNode e =
        events.windowEvent(
            shard, List.of(at(7, T0 + 1)), T0, T0 + 60_000, Map.of("sum", "1"), false, false);
    assertThat(e.at("/Records/0/kinesis/approximateArrivalTimestamp").decimalValue())
        .isEqualByComparingTo("1596042420.001");
    assertThat(e.at("/window/start").asText()).isEqualTo("2020-07-29T17:07:00Z");
    assertThat(e.at("/window/end").asText()).isEqualTo("2020-07-29T17:08:00Z");
    assertThat(e.at("/state/sum").asText()).isEqualTo("1");
    assertThat(e.at("/shardId").asText()).isEqualTo("shardId-000000000000");
    assertThat(e.at("/eventSourceARN").asText()).isEqualTo("arn:aws:kinesis:us-east-1:0:stream/s");
    assertThat(e.at("/isFinalInvokeForWindow").isBoolean()).isTrue();
    assertThat(e.at("/isFinalInvokeForWindow").asBoolean()).isFalse();
    assertThat(e.at("/isWindowTerminatedEarly").asBoolean()).isFalse();

    JsonNode last = events.windowEvent(shard, List.of(), T0, T0 + 60_000, Map.of(), true, true);
    assertThat(last.get("Records").isArray()).isTrue();
    assertThat(last.get("Records")).isEmpty();
    assertThat(last.get("state").isObject()).isTrue();
    assertThat(last.get("isFinalInvokeForWindow").asBoolean()).isTrue();
    assertThat(last.get("isWindowTerminatedEarly").asBoolean()).isTrue();
  }

  @Test
  void snapshot_onlyOnceAnInvocationReturnedState() {
    TumblingWindow w = new TumblingWindow(60);
    assertThat(w.snapshot()).as("no window").isNull();
    w.enter(T0);
    assertThat(w.snapshot()).as("no state returned yet").isNull();
    w.accept(Map.of("sum", "3"));
    assertThat(w.snapshot()).isEqualTo(new WindowState(T0, T0 + 60_000, Map.of("sum", "3"), false));
    w.close();
    assertThat(w.snapshot()).as("closed").isNull();
  }

  @Test
  void restore_sameLength_reopensWithStateAndAsInvoked() {
    TumblingWindow w = new TumblingWindow(60);
    w.restore(new WindowState(T0, T0 + 60_000, Map.of("sum", "3"), false));
    assertThat(w.isOpen()).isTrue();
    assertThat(w.invoked()).as("so that it gets its final invoke").isTrue();
    assertThat(w.state()).containsEntry("sum", "3");
    w.enter(T0);
    assertThat(w.state()).as("a batch of the same window keeps it").containsEntry("sum", "3");
  }

  @Test
  void restore_otherLengthOrNothing_startsAfresh() {
    TumblingWindow w = new TumblingWindow(60);
    w.restore(new WindowState(T0, T0 + 120_000, Map.of("sum", "3"), false));
    assertThat(w.isOpen()).as("the window length changed").isFalse();
    w.restore(null);
    assertThat(w.isOpen()).isFalse();
  }

  @Test
  void floorSnapshot_noWindowOpenAfterAClose_keepsTheClosedWindowsEnd() {
    TumblingWindow w = new TumblingWindow(60);
    assertThat(w.floorSnapshot()).as("no window yet").isNull();
    w.enter(T0);
    assertThat(w.floorSnapshot()).as("the open window").isEqualTo(new WindowFloor(T0, 60_000));
    w.accept(Map.of("sum", "3"));
    w.close();
    assertThat(w.snapshot()).isNull();
    assertThat(w.floorSnapshot()).isEqualTo(new WindowFloor(T0 + 60_000, 60_000));
  }

  @Test
  void restoreFloor_sameLength_lateRecordJoinsTheWindowAfterTheClosedOne() {
    TumblingWindow w = new TumblingWindow(60);
    w.restoreFloor(new WindowFloor(T0 + 60_000, 60_000));
    assertThat(w.isOpen()).isFalse();
    assertThat(w.windowOf(at(0, T0 + 30_000))).isEqualTo(T0 + 60_000);
    assertThat(w.windowOf(at(1, T0 + 150_000))).isEqualTo(T0 + 120_000);
  }

  @Test
  void restoreFloor_otherLengthOrNothing_startsAfresh() {
    TumblingWindow w = new TumblingWindow(60);
    w.restoreFloor(new WindowFloor(T0 + 120_000, 120_000));
    w.restoreFloor(null);
    assertThat(w.windowOf(at(0, T0 + 30_000))).isEqualTo(T0);
    assertThat(w.floorSnapshot()).isNull();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
