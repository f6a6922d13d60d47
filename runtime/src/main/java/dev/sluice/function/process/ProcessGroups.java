package dev.sluice.function.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Each instance process leads a process group of its own (started through {@code setsid}), so that
 * what it started can be found and killed even after it died: its children are then re-parented to
 * init and no longer its descendants, but stay in its group. Linux only; elsewhere, or without
 * {@code setsid}, instances run as before and only their live descendants are killed.
 */
final class ProcessGroups {

  private static final Path SETSID = Path.of("/usr/bin/setsid");
  private static final Path PROC = Path.of("/proc");

  private ProcessGroups() {}

  /** {@code command} run as the leader of a new session and process group, where possible. */
  static List<String> own(List<String> command) {
    Path program = Path.of(command.get(0));
    if (!Files.isExecutable(SETSID) || !Files.isExecutable(program) || !canExec(program)) {
      // a program that cannot start fails to start itself, as Lambda reports it: through setsid
      // it would be setsid that fails, and the instance would seem to exit with status 127
      return command;
    }
    List<String> out = new ArrayList<>();
    out.add(SETSID.toString()); // not a group leader here (the JVM's child): it execs in place
    out.addAll(command);
    return out;
  }

  /**
   * Whether the kernel finds what runs {@code program}: a script's interpreter (its {@code #!}
   * line; a bootstrap saved with Windows line ends names {@code /bin/sh\r}, which does not exist)
   * must be an executable file. Anything else (a binary) is taken to run. Blocking (reads the
   * file's first line).
   */
  static boolean canExec(Path program) {
    byte[] head = new byte[256];
    int n;
    try (var in = Files.newInputStream(program)) {
      n = in.readNBytes(head, 0, head.length);
    } catch (IOException unreadable) {
      return true; // executable but not readable (mode 711): the kernel decides at exec
    }
    if (n < 2 || head[0] != '#' || head[1] != '!') {
      return true;
    }
    // the kernel skips blanks around the interpreter's path, but not a carriage return
    int from = 2;
    while (from < n && (head[from] == ' ' || head[from] == '\t')) {
      from++;
    }
    int to = from;
    while (to < n && head[to] != ' ' && head[to] != '\t' && head[to] != '\n') {
      to++;
    }
    String interpreter = new String(head, from, to - from, StandardCharsets.ISO_8859_1);
    return !interpreter.isEmpty() && Files.isExecutable(Path.of(interpreter));
  }

  /** The live processes of group {@code pgid}, its leader included; blocking (reads /proc). */
  static List<ProcessHandle> members(long pgid) {
    List<ProcessHandle> out = new ArrayList<>();
    if (!Files.isDirectory(PROC)) {
      return out;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC, ProcessGroups::isPid)) {
      for (Path entry : entries) {
        long pid = Long.parseLong(entry.getFileName().toString());
        if (groupOf(entry) == pgid) {
          ProcessHandle.of(pid).ifPresent(out::add);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static boolean isPid(Path p) {
    String name = p.getFileName().toString();
    return !name.isEmpty() && name.chars().allMatch(Character::isDigit);
  }

  /** The group in {@code /proc/PID/stat} (after the name in parentheses: state, ppid, pgrp). */
  private static long groupOf(Path procEntry) {
    try {
      String stat = Files.readString(procEntry.resolve("stat"));
      String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(after[2]);
    } catch (IOException | RuntimeException e) {
      return -1; // gone meanwhile, or not readable
    }
  }
}
