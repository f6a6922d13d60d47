package dev.sluice.function;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Names of log streams, one per execution environment, in Lambda's format: {@code
 * yyyy/MM/dd/[version]} and 32 hex digits. Tools that split a stream name on those parts (log
 * shippers, dashboards) read Sluice's as they read Lambda's.
 */
public final class LogStreamNames {

  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);

  private LogStreamNames() {}

  /** A new name for an environment of {@code version} started at {@code now}. */
  public static String next(Instant now, String version) {
    byte[] id = new byte[16];
    ThreadLocalRandom.current().nextBytes(id);
    return DATE.format(now) + "/[" + version + "]" + HexFormat.of().formatHex(id);
  }
}
