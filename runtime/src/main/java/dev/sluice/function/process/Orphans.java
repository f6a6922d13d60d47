package dev.sluice.function.process;

import dev.sluice.files.FileTrees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Instances a node that crashed left running. Every instance's process id and start time go into a
 * {@code .pid} file beside its log while it lives; a node starting finds the files a crash left,
 * kills the processes still running under them (with their children: a bash bootstrap polls a
 * Runtime API that is gone for ever), and removes the scratch directories. The start time tells a
 * process of ours from one that got the same id since. What is left of its process group once it is
 * gone is killed only when it carries the instance's mark, its unique log stream name in its
 * environment (which children inherit): days later, the id may lead an unrelated group. Blocking.
 */
final class Orphans {

  private static final Logger LOG = Logger.getLogger(Orphans.class);

  /** The environment variable whose value, unique to each instance, marks its processes. */
  static final String MARK = "AWS_LAMBDA_LOG_STREAM_NAME";

  /** The process id of a record made before its process was started. */
  private static final String UNKNOWN = "?";

  private Orphans() {}

  /** Whether {@code p} carries {@code mark}; false when its environment cannot be read. */
  static boolean marked(ProcessHandle p, String mark) {
    try {
      byte[] env = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "environ"));
      String wanted = MARK + "=" + mark;
      for (String entry : new String(env, StandardCharsets.UTF_8).split("\0")) {
        if (entry.equals(wanted)) {
          return true;
        }
      }
      return false;
    } catch (IOException | RuntimeException e) {
      return false; // gone, or not ours to read
    }
  }

  /**
   * Records in {@code file}, before a process is started with {@code mark}, that one is about to
   * be: a crash between the start and {@link #record} would otherwise leave it running unnamed. A
   * sweep finds such a process by its mark alone. Best effort, as {@link #record}.
   */
  static void intend(Path file, String mark) {
    try {
      Files.writeString(file, UNKNOWN + " -1 " + mark, StandardCharsets.UTF_8);
    } catch (IOException e) {
      LOG.debugf(e, "Cannot record the start of %s", mark);
    }
  }

  /**
   * Records {@code process}, started with {@code mark} as its {@link #MARK}, in {@code file}; best
   * effort, as losing it only loses the cleanup.
   */
  static void record(Path file, Process process, String mark) {
    Optional<Instant> started = process.toHandle().info().startInstant();
    try {
      Files.writeString(
          file,
          process.pid() + " " + started.map(Instant::toEpochMilli).orElse(-1L) + " " + mark,
          StandardCharsets.UTF_8);
    } catch (IOException e) {
      LOG.debugf(e, "Cannot record instance process %d", process.pid());
    }
  }

  /**
   * Kills what the {@code .pid} files under {@code workDir}'s runner directories name, then removes
   * those directories ({@code keep} aside).
   */
  static void sweep(Path workDir, String keep) {
    if (!Files.isDirectory(workDir)) {
      return;
    }
    try (Stream<Path> dirs = Files.list(workDir)) {
      for (Path dir : dirs.filter(Files::isDirectory).toList()) {
        if (!dir.getFileName().toString().equals(keep)) {
          killRecorded(dir);
          FileTrees.delete(dir);
        }
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      LOG.warnf(e, "Cannot clean up %s after the last run", workDir);
    }
  }

  private static void killRecorded(Path dir) throws IOException {
    List<Path> pids;
    try (Stream<Path> files = Files.list(dir)) {
      pids = files.filter(f -> f.getFileName().toString().endsWith(".pid")).toList();
    }
    for (Path f : pids) {
      String[] parts = Files.readString(f, StandardCharsets.UTF_8).trim().split(" ", 3);
      String mark = parts.length > 2 ? parts[2] : null; // none from an earlier Sluice
      if (parts[0].equals(UNKNOWN) && mark != null) {
        killMarked(mark);
        continue;
      }
      try {
        kill(Long.parseLong(parts[0]), Long.parseLong(parts[1]), mark);
      } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
        // torn by the crash: nothing to go by
      }
    }
  }

  /**
   * Kills the recorded instance, its descendants and what carries its mark in its process group.
   * With the instance gone its group may live on (a child it started, re-parented to init); but
   * once that group emptied, its id could go to another process leading a group of its own, so the
   * mark, not the id, says what is the instance's. An instance id now held by a younger process
   * means the instance's group is gone too.
   */
  private static void kill(long pid, long startedMillis, String mark) {
    if (startedMillis < 0) {
      return; // nothing to tell the instance from another process by
    }
    Optional<ProcessHandle> leader = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    if (leader.isPresent() && !startedAt(leader.get(), startedMillis)) {
      return;
    }
    List<ProcessHandle> group =
        mark == null
            ? List.<ProcessHandle>of()
            : ProcessGroups.members(pid).stream().filter(p -> marked(p, mark)).toList();
    if (leader.isEmpty() && group.isEmpty()) {
      return;
    }
    LOG.infof("Stopping instance process %d and its group, left by the last run", pid);
    leader.ifPresent(p -> p.descendants().forEach(ProcessHandle::destroyForcibly));
    group.forEach(ProcessHandle::destroyForcibly);
    leader.ifPresent(ProcessHandle::destroyForcibly);
  }

  /**
   * Kills every process carrying {@code mark}: one started just before a crash, whose id was never
   * recorded. Reads the environment of every process of this user, so only for such rare records.
   */
  private static void killMarked(String mark) {
    List<ProcessHandle> found = ProcessHandle.allProcesses().filter(p -> marked(p, mark)).toList();
    if (!found.isEmpty()) {
      LOG.infof(
          "Stopping %d processes of instance %s, started as the last run ended",
          found.size(), mark);
    }
    found.forEach(ProcessHandle::destroyForcibly);
  }

  private static boolean startedAt(ProcessHandle p, long startedMillis) {
    return p.info()
        .startInstant()
        .map(s -> Math.abs(s.toEpochMilli() - startedMillis) < 1_000)
        .orElse(false);
  }
}
