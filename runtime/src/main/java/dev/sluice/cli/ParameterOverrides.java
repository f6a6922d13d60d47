package dev.sluice.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code --parameter-overrides} as {@code sam deploy} does: pairs separated by whitespace,
 * either {@code Key=Value} or the AWS CLI's {@code ParameterKey=Key,ParameterValue=Value}. A value
 * runs to the next whitespace (commas stay in it, for list parameters) unless it is double-quoted,
 * when it may hold spaces and {@code \"}.
 */
final class ParameterOverrides {

  private static final String VALUE = "(\"(?:\\\\.|[^\"\\\\])*\"|\\S*)";
  private static final Pattern PAIR =
      Pattern.compile(
          "\\s*(?:ParameterKey=([A-Za-z0-9]+),ParameterValue="
              + VALUE
              + "|([A-Za-z0-9]+)="
              + VALUE
              + ")(?=\\s|$)");

  private ParameterOverrides() {}

  /**
   * The overrides in {@code args} (each may hold several pairs), in order; fails on what is not.
   */
  static Map<String, String> parse(List<String> args) {
    Map<String, String> out = new LinkedHashMap<>();
    String text = String.join(" ", args).strip();
    Matcher m = PAIR.matcher(text);
    int at = 0;
    while (at < text.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new CliException(
            "--parameter-overrides: cannot read '"
                + text.substring(at).strip()
                + "'; give Key=Value or ParameterKey=Key,ParameterValue=Value pairs, separated by"
                + " spaces",
            2);
      }
      boolean cliForm = m.group(1) != null;
      out.put(cliForm ? m.group(1) : m.group(3), unquoted(cliForm ? m.group(2) : m.group(4)));
      at = skipSpaces(text, m.end());
    }
    return out;
  }

  private static int skipSpaces(String text, int at) {
    while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
      at++;
    }
    return at;
  }

  private static String unquoted(String value) {
    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
      return value.substring(1, value.length() - 1).replaceAll("\\\\(.)", "$1");
    }
    return value;
  }
}
