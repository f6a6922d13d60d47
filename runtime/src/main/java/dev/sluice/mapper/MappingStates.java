package dev.sluice.mapper;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lambda's mapping states: Enabled or Disabled at rest, and while a change is being carried out
 * Creating, Updating, Enabling, Disabling or Deleting, which readers on other threads see until the
 * change has started or stopped the mapping's runner.
 */
final class MappingStates {

  static final String CREATING = "Creating";
  static final String ENABLING = "Enabling";
  static final String ENABLED = "Enabled";
  static final String DISABLING = "Disabling";
  static final String DISABLED = "Disabled";
  static final String UPDATING = "Updating";
  static final String DELETING = "Deleting";

  private final Map<String, String> changing = new ConcurrentHashMap<>();

  /** The state of an update from {@code old} to {@code next}: flipping Enabled is its own state. */
  static String ofUpdate(MappingConfig old, MappingConfig next) {
    if (old.enabled() == next.enabled()) {
      return UPDATING;
    }
    return next.enabled() ? ENABLING : DISABLING;
  }

  /** The state readers see now. */
  String of(MappingConfig c) {
    String now = changing.get(c.uuid());
    if (now != null) {
      return now;
    }
    return c.enabled() ? ENABLED : DISABLED;
  }

  /** Runs {@code change} with the mapping shown in {@code state} meanwhile. */
  void during(String uuid, String state, Runnable change) {
    begin(uuid, state);
    try {
      change.run();
    } finally {
      end(uuid);
    }
  }

  /** Shows the mapping in {@code state} until {@link #end}. */
  void begin(String uuid, String state) {
    changing.put(uuid, state);
  }

  /** Shows the mapping at rest again. */
  void end(String uuid) {
    changing.remove(uuid);
  }
}
