package dev.sluice.function;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A function's log, in Lambda's format: START, what the handler logged, END and REPORT per
 * invocation. Kept in {@code functions/NAME/logs/}, bounded: the current file rotates at {@code
 * maxBytes}, and only {@code keep} older files are kept. Blocking; called from the service's log
 * thread only.
 *
 * <p>Every byte ever written has a position that rotation does not change: {@code function.base}
 * holds how many bytes the rotated-away files held, so a position is that base plus an offset in
 * the current file. Readers follow the log by position ({@link #after}), which neither loses nor
 * repeats lines while the files rotate.
 */
final class FunctionLogs implements FunctionLogStore {

  private final Path dir;
  private final long maxBytes;
  private final int keep;
  private final Map<String, Appender> open = new HashMap<>();

  FunctionLogs(Path dir, long maxBytes, int keep) {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.keep = keep;
  }

  /** Lambda's lines for one invocation. */
  static String format(String requestId, FunctionConfig config, InvocationReport report) {
    StringBuilder sb = new StringBuilder();
    sb.append("START RequestId: ").append(requestId).append(" Version: $LATEST\n");
    sb.append(report.log());
    if (!report.log().isEmpty() && !report.log().endsWith("\n")) {
      sb.append('\n');
    }
    if (report.result() instanceof InvocationResult.Failure f) {
      sb.append(new String(f.toPayload(), StandardCharsets.UTF_8)).append('\n');
    }
    long nanos = Math.max(0, report.durationNanos());
    sb.append("END RequestId: ").append(requestId).append('\n');
    sb.append("REPORT RequestId: ").append(requestId);
    twoDecimals(sb.append("\tDuration: "), nanos).append(" ms");
    // Lambda bills a cold start's init too (provided runtimes always, managed ones since 2025)
    long billed = nanos + Math.max(0, report.initDurationNanos());
    sb.append("\tBilled Duration: ").append((billed + 999_999) / 1_000_000).append(" ms");
    sb.append("\tMemory Size: ").append(config.memorySize()).append(" MB");
    sb.append("\tMax Memory Used: ").append(Math.max(0, report.maxMemoryUsedMb())).append(" MB");
    if (report.initDurationNanos() >= 0) {
      twoDecimals(sb.append("\tInit Duration: "), report.initDurationNanos()).append(" ms");
    }
    return sb.append("\t\n").toString();
  }

  /**
   * Appends {@code nanos} (not negative) as milliseconds with two decimals, halves rounded up:
   * String.format built a Formatter and looked up locale symbols on every invocation.
   */
  static StringBuilder twoDecimals(StringBuilder sb, long nanos) {
    long hundredths = (nanos + 5_000) / 10_000;
    return sb.append(hundredths / 100)
        .append('.')
        .append((char) ('0' + hundredths / 10 % 10))
        .append((char) ('0' + hundredths % 10));
  }

  /**
   * Lines and where they end.
   *
   * @param lines whole lines, oldest first
   * @param next the position just past the last line returned; pass it to {@link #after}
   */
  record Page(List<String> lines, long next) {}

  /**
   * Appends {@code text} (whole lines) to the function's current file, rotating it first if full.
   */
  @Override
  public void append(String function, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    try {
      Appender file = appender(function);
      if (file.size > 0 && file.size + bytes.length > maxBytes) {
        close(function);
        rotate(function);
        file = appender(function);
      }
      file.write(bytes);
    } catch (IOException e) {
      close(function); // opened again, and its size read again, by the next append
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Closes the function's current file if it is open; the next append opens it again. Called before
   * its files are deleted, so that a function created again under the name does not write to the
   * deleted file.
   */
  void close(String function) {
    Appender file = open.remove(function);
    if (file != null) {
      try {
        file.channel.close();
      } catch (IOException e) {
        // nothing was buffered: every append is written through
      }
    }
  }

  @Override
  public LogPage last(String function, int max) {
    return new LogPage(tail(function, max), end(function));
  }

  @Override
  public LogPage page(String function, long position, int max) {
    Page p = after(function, position, max);
    return new LogPage(p.lines(), p.next());
  }

  /** Closes the function's file: its directory is deleted next. */
  @Override
  public void forget(String function) {
    close(function);
  }

  /** Nothing to do: the function's directory, with its logs, went when it was forgotten. */
  @Override
  public void cleared(String function) {}

  @Override
  public boolean readsOnLogThread() {
    return true;
  }

  @Override
  public void close() {
    closeAll();
  }

  /** Closes every open file. */
  void closeAll() {
    new ArrayList<>(open.keySet()).forEach(this::close);
  }

  private Appender appender(String function) throws IOException {
    Appender file = open.get(function);
    if (file != null && !Files.exists(current(function))) {
      // deleted from outside (logs cleared by hand): write to a new file, not to the deleted one
      close(function);
      file = null;
    }
    if (file == null) {
      Path path = current(function);
      Files.createDirectories(path.getParent());
      FileChannel channel =
          FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      file = new Appender(channel, channel.size());
      open.put(function, file);
    }
    return file;
  }

  /** The last {@code max} lines, oldest first, across the rotated files. */
  List<String> tail(String function, int max) {
    Deque<String> lines = new ArrayDeque<>();
    for (int i = keep; i >= 0; i--) {
      Path f = i == 0 ? current(function) : rotated(function, i);
      if (!Files.exists(f)) {
        continue;
      }
      try {
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
          lines.addLast(line);
          if (lines.size() > max) {
            lines.removeFirst();
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new ArrayList<>(lines);
  }

  /**
   * At most {@code max} whole lines written at or after {@code position}, oldest first. A position
   * older than what is kept reads from the oldest kept line.
   */
  Page after(String function, long position, int max) {
    List<String> lines = new ArrayList<>();
    long next = position;
    for (LogFile seg : segments(function)) {
      if (seg.end() <= next || lines.size() >= max) {
        continue;
      }
      next = seg.read(Math.max(next, seg.start()), max - lines.size(), lines);
    }
    return new Page(lines, Math.max(next, position));
  }

  /** The position just past the last byte written. */
  long end(String function) {
    List<LogFile> all = segments(function);
    return all.isEmpty() ? base(function) : all.get(all.size() - 1).end();
  }

  /** The kept files, oldest first, each with the position of its first byte. */
  private List<LogFile> segments(String function) {
    Deque<LogFile> out = new ArrayDeque<>();
    long start = base(function);
    Path cur = current(function);
    if (Files.exists(cur)) {
      out.addFirst(new LogFile(cur, start, start + size(cur)));
    }
    for (int i = 1; i <= keep; i++) {
      Path f = rotated(function, i);
      if (!Files.exists(f)) {
        break;
      }
      long size = size(f);
      out.addFirst(new LogFile(f, start - size, start));
      start -= size;
    }
    return new ArrayList<>(out);
  }

  private long base(String function) {
    Path f = baseFile(function);
    try {
      return Files.exists(f) ? Long.parseLong(Files.readString(f).trim()) : 0;
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
  }

  private static long size(Path f) {
    try {
      return Files.size(f);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void rotate(String function) throws IOException {
    long base = base(function) + Files.size(current(function));
    Files.deleteIfExists(rotated(function, keep));
    for (int i = keep - 1; i >= 1; i--) {
      if (Files.exists(rotated(function, i))) {
        Files.move(
            rotated(function, i), rotated(function, i + 1), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Files.move(current(function), rotated(function, 1), StandardCopyOption.REPLACE_EXISTING);
    dev.sluice.files.AtomicFiles.write(baseFile(function), Long.toString(base).getBytes());
  }

  /**
   * A current file kept open between appends, and its size as appended here: opening it, creating
   * its directories and reading its size on every invocation cost more than writing the lines.
   */
  private static final class Appender {
    private final FileChannel channel;
    private long size;

    Appender(FileChannel channel, long size) {
      this.channel = channel;
      this.size = size;
    }

    void write(byte[] bytes) throws IOException {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        channel.write(buf);
      }
      size += bytes.length;
    }
  }

  private Path baseFile(String function) {
    return dir.resolve(function).resolve("logs").resolve("function.base");
  }

  private Path current(String function) {
    return dir.resolve(function).resolve("logs").resolve("function.log");
  }

  private Path rotated(String function, int n) {
    return dir.resolve(function).resolve("logs").resolve("function.log." + n);
  }
}
