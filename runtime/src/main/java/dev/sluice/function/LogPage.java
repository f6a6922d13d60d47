package dev.sluice.function;

import java.util.List;

/**
 * Lines of a function's log.
 *
 * @param lines whole lines, oldest first
 * @param next the position just past the last line; asking again from it returns only newer lines
 */
public record LogPage(List<String> lines, long next) {

  /** Copies the lines so the page cannot change under its readers. */
  public LogPage {
    lines = List.copyOf(lines);
  }
}
