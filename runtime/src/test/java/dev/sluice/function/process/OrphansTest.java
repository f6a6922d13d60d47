package dev.sluice.function.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a crashed node's instances left, cleaned up by the next start: real processes. */
class OrphansTest {

  /**
   * The log stream name an instance was started with, which marks its processes: random, as a sweep
   * kills every process carrying it, also another build's running this test at once.
   */
  final String mark =
      "2026/11/28/[$LATEST]" + java.util.UUID.randomUUID().toString().replace("-", "");

  @TempDir Path work;

  @Test
  void sweep_processRecordedByALastRun_killedWithItsChildrenAndItsDirectoryRemoved()
      throws Exception {
    Path runnerDir = Files.createDirectories(work.resolve("orders-1"));
    // a bootstrap that outlived its node: a shell with a child of its own
    Process orphan = new ProcessBuilder("sh", "-c", "sleep 300 & wait").start();
    Orphans.record(runnerDir.resolve("instance-1.pid"), orphan, mark);
    Files.writeString(runnerDir.resolve("instance-1.log"), "old output");
    Files.createDirectories(work.resolve("jni"));
    var children = orphan.toHandle().descendants().toList();
    for (int i = 0; i < 200 && children.isEmpty(); i++) {
      Thread.sleep(25); // until the shell started its child
      children = orphan.toHandle().descendants().toList();
    }
    assertThat(children).isNotEmpty();

    Orphans.sweep(work, "jni");

    assertThat(orphan.onExit()).succeedsWithin(Duration.ofSeconds(10));
    children.forEach(c -> assertThat(c.onExit()).succeedsWithin(Duration.ofSeconds(10)));
    assertThat(runnerDir).doesNotExist();
    assertThat(work.resolve("jni")).isDirectory();
  }

  @Test
  void sweep_processStartedJustBeforeItsIdWasRecorded_killedByItsMark() throws Exception {
    Path runnerDir = Files.createDirectories(work.resolve("orders-1"));
    Path pidFile = runnerDir.resolve("instance-1.pid");
    Orphans.intend(pidFile, mark);
    ProcessBuilder pb = new ProcessBuilder("sleep", "300");
    pb.environment().put(Orphans.MARK, mark);
    Process orphan = pb.start(); // the node crashed here, before it recorded the id
    Process unmarked = new ProcessBuilder("sleep", "300").start();
    try {
      Orphans.sweep(work, "jni");

      assertThat(orphan.onExit()).succeedsWithin(Duration.ofSeconds(10));
      assertThat(unmarked.isAlive()).isTrue();
      assertThat(runnerDir).doesNotExist();
    } finally {
      orphan.destroyForcibly();
      unmarked.destroyForcibly();
    }
  }

  @Test
  void sweep_processIdTakenByAnotherProcessSince_leftAlone() throws Exception {
    Path runnerDir = Files.createDirectories(work.resolve("orders-1"));
    Process other = new ProcessBuilder("sleep", "300").start();
    try {
      long started = other.toHandle().info().startInstant().orElseThrow().toEpochMilli();
      // the same pid, recorded for a process that started an hour earlier
      Files.writeString(
          runnerDir.resolve("instance-1.pid"), other.pid() + " " + (started - 3_600_000));

      Orphans.sweep(work, "jni");

      assertThat(other.isAlive()).isTrue();
      assertThat(runnerDir).doesNotExist();
    } finally {
      other.destroyForcibly();
    }
  }

  @Test
  void sweep_instanceGoneButAChildLeftInItsGroup_theChildIsKilled() throws Exception {
    Path runnerDir = Files.createDirectories(work.resolve("orders-1"));
    // a bootstrap in a group of its own (as instances start) that left a helper and exited
    Path pidFile = runnerDir.resolve("instance-1.pid");
    ProcessBuilder pb =
        new ProcessBuilder(
            ProcessGroups.own(List.of("/bin/sh", "-c", "sleep 300 & sleep 1; exit 0")));
    pb.environment().put(Orphans.MARK, mark);
    Process orphan = pb.start();
    Orphans.record(pidFile, orphan, mark);
    assertThat(orphan.onExit()).succeedsWithin(Duration.ofSeconds(10));
    List<ProcessHandle> left = ProcessGroups.members(orphan.pid());
    assertThat(left).as("the helper, re-parented but still in the group").isNotEmpty();

    Orphans.sweep(work, "jni");

    left.forEach(c -> assertThat(c.onExit()).succeedsWithin(Duration.ofSeconds(10)));
    assertThat(runnerDir).doesNotExist();
  }

  @Test
  void sweep_instanceGoneAndItsIdLeadingAnotherGroup_thatGroupIsLeftAlone() throws Exception {
    Path runnerDir = Files.createDirectories(work.resolve("orders-1"));
    // a daemon that became a group leader and exited, leaving its child in that group: as an
    // unrelated process given the dead instance's id would
    Process daemon =
        new ProcessBuilder(
                ProcessGroups.own(List.of("/bin/sh", "-c", "sleep 300 & sleep 1; exit 0")))
            .start();
    long started = daemon.toHandle().info().startInstant().orElseThrow().toEpochMilli();
    assertThat(daemon.onExit()).succeedsWithin(Duration.ofSeconds(10));
    List<ProcessHandle> left = ProcessGroups.members(daemon.pid());
    assertThat(left).as("the daemon's child, still in its group").isNotEmpty();
    try {
      Files.writeString(
          runnerDir.resolve("instance-1.pid"), daemon.pid() + " " + started + " " + mark);

      Orphans.sweep(work, "jni");

      assertThat(left).allMatch(ProcessHandle::isAlive);
      assertThat(runnerDir).doesNotExist();
    } finally {
      left.forEach(ProcessHandle::destroyForcibly);
    }
  }
}
