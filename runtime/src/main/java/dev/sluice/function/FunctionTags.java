package dev.sluice.function;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Lambda's rules for a function's tags, applied when they are set and when they change. */
public final class FunctionTags {

  /**
   * The tag that picks a function's isolation at creation ({@code classloader} or {@code process}).
   * It is a setting, not a stored tag: GetFunction and ListTags report it from the configuration.
   */
  public static final String ISOLATION = "sluice:isolation";

  /**
   * The prefix of Sluice's own tags (a deploy's stack marks), which do not count against Lambda's
   * 50: a function deployed to AWS does not carry them, so its own 50 must still fit here.
   */
  private static final String SLUICE = "sluice:";

  private FunctionTags() {}

  /**
   * The tags after {@code remove} and then {@code add} are applied to {@code current}, or
   * InvalidParameterValueException when a key or value breaks Lambda's limits (keys of 1–128
   * characters, not starting with {@code aws:}; values of at most 256; at most 50 tags besides
   * Sluice's own {@code sluice:} ones). The isolation tag set to the function's {@code isolation}
   * (null at creation) passes unchanged: ListTags reports it, and a read-modify-write of the tags
   * sends it back.
   */
  static Map<String, String> check(
      Map<String, String> current,
      Map<String, String> add,
      List<String> remove,
      Isolation isolation) {
    Map<String, String> next = new TreeMap<>(current);
    for (String key : remove) {
      if (key.equals(ISOLATION)) {
        // reported with the tags, so tools that sync tags remove it: a setting stays as it is
        continue;
      }
      checkKey(key);
      next.remove(key);
    }
    add.forEach(
        (key, value) -> {
          if (key.equals(ISOLATION)
              && isolation != null
              && isolation.name().equalsIgnoreCase(value)) {
            return;
          }
          checkKey(key);
          if (value == null || value.length() > 256) {
            throw FunctionException.invalid(
                "Tag value of "
                    + key
                    + " must be a string of at most 256 characters"
                    + (value == null ? ", not null." : "."));
          }
          next.put(key, value);
        });
    long counted = next.keySet().stream().filter(k -> !k.startsWith(SLUICE)).count();
    if (counted > FunctionConfig.MAX_TAGS) {
      throw FunctionException.invalid(
          "A function can have at most "
              + FunctionConfig.MAX_TAGS
              + " tags (Sluice's own sluice: tags aside); this change would give it "
              + counted
              + ".");
    }
    return next;
  }

  private static void checkKey(String key) {
    if (key == null || key.isEmpty() || key.length() > 128) {
      throw FunctionException.invalid("Tag keys must be 1 to 128 characters long: '" + key + "'.");
    }
    if (key.toLowerCase(Locale.ROOT).startsWith("aws:")) {
      throw FunctionException.invalid(
          "Tag keys starting with 'aws:' are reserved for AWS use: '" + key + "'.");
    }
    if (key.equals(ISOLATION)) {
      throw FunctionException.invalid(
          "Tag "
              + ISOLATION
              + " chooses the isolation when the function is created; change it with"
              + " UpdateFunctionConfiguration's Tags, not as a tag.");
    }
  }
}
