package dev.sluice.mapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class PendingOffsetsTest {

  @Test
  void span_oldestStuckWhileLaterOnesComplete_countsTheCompletedBehindIt() {
    PendingOffsets pending = new PendingOffsets();
    for (long o = 0; o < 5000; o++) {
      pending.add(o);
    }
    for (long o = 1; o < 5000; o++) {
      pending.remove(o);
    }

    assertThat(pending.size()).isEqualTo(1);
    assertThat(pending.span()).as("held behind offset 0").isEqualTo(5000);
    pending.remove(0);
    assertThat(pending.span()).isZero();
  }

  @Test
  void remove_randomOrderAcrossGrowthAndCompaction_behavesAsASortedSet() {
    Random random = new Random(3);
    PendingOffsets pending = new PendingOffsets();
    TreeSet<Long> model = new TreeSet<>();
    long next = 0;
    for (int round = 0; round < 200; round++) {
      List<Long> added = new ArrayList<>();
      for (int i = random.nextInt(3000); i > 0; i--) {
        next += 1 + random.nextInt(3);
        pending.add(next);
        model.add(next);
        added.add(next);
      }
      List<Long> toRemove = new ArrayList<>(model);
      Collections.shuffle(toRemove, random);
      for (Long o : toRemove.subList(0, random.nextInt(toRemove.size() + 1))) {
        assertThat(pending.remove(o)).isEqualTo(model.remove(o));
        assertThat(pending.remove(o)).isFalse();
        assertThat(pending.size()).isEqualTo(model.size());
        assertThat(pending.isEmpty() ? -1 : pending.first())
            .isEqualTo(model.isEmpty() ? -1 : model.first());
      }
    }
  }

  @Test
  void remove_inOrderRunsFromRandomStarts_behavesAsASortedSet() {
    Random random = new Random(5);
    PendingOffsets pending = new PendingOffsets();
    TreeSet<Long> model = new TreeSet<>();
    long next = 0;
    for (int round = 0; round < 300; round++) {
      for (int i = random.nextInt(2500); i > 0; i--) {
        next += 1 + random.nextInt(2);
        pending.add(next);
        model.add(next);
      }
      // batches complete their offsets in order, from anywhere; some were never pending
      long from = next - random.nextInt(4000);
      for (long o = from; o < from + random.nextInt(1500); o++) {
        assertThat(pending.remove(o)).isEqualTo(model.remove(o));
        assertThat(pending.size()).isEqualTo(model.size());
        assertThat(pending.isEmpty() ? -1 : pending.first())
            .isEqualTo(model.isEmpty() ? -1 : model.first());
      }
    }
  }

  @Test
  void remove_unknownOffset_false() {
    PendingOffsets pending = new PendingOffsets();
    pending.add(5);

    assertThat(pending.remove(4)).isFalse();
    assertThat(pending.first()).isEqualTo(5);
  }

  @Test
  void add_notIncreasing_rejected() {
    PendingOffsets pending = new PendingOffsets();
    pending.add(5);

    assertThatThrownBy(() -> pending.add(5)).isInstanceOf(IllegalArgumentException.class);
  }
}
