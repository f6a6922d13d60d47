package dev.sluice.cli.deploy;

/**
 * One thing a deploy did, or found already in place.
 *
 * @param action what happened
 * @param resource "stream orders", "function OrderProcessor", "mapping OrderProcessor ← orders"
 * @param detail what changed, or why nothing did
 */
public record Change(Action action, String resource, String detail) {

  /** What a deploy did to a resource. */
  public enum Action {
    CREATED("+"),
    UPDATED("~"),
    DELETED("-"),
    UNCHANGED("="),
    SKIPPED("!");

    private final String mark;

    Action(String mark) {
      this.mark = mark;
    }

    /** The one-character mark printed before the resource. */
    public String mark() {
      return mark;
    }
  }

  /** The update of {@code resource} that made {@code done} and was then refused. */
  static Change partlyUpdated(String resource, java.util.List<String> done) {
    return new Change(Action.UPDATED, resource, String.join(", ", done) + " (then refused)");
  }

  /** Whether the deploy changed anything on the server. */
  public boolean changed() {
    return action == Action.CREATED || action == Action.UPDATED || action == Action.DELETED;
  }

  @Override
  public String toString() {
    return action.mark() + " " + resource + (detail.isEmpty() ? "" : ": " + detail);
  }
}
