package dev.arkonis.ark.workflows.run;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** RFC 3339 timestamps with milliseconds, as written into ArkRun status. */
public final class Times {
  private static final DateTimeFormatter RFC3339_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private Times() {}

  public static String format(long epochMillis) {
    return RFC3339_MILLIS.format(Instant.ofEpochMilli(epochMillis));
  }

  public static long parse(String rfc3339) {
    return Instant.parse(rfc3339).toEpochMilli();
  }
}
