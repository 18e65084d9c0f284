package dev.arkonis.ark.activities.events;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fire times of an ArkEvent's {@code source.cron} (5-field UNIX cron, as in a Kubernetes CronJob)
 * in its {@code source.timezone} (IANA name; null or blank = UTC). The only clock arithmetic of
 * cron events: the {@code nextFireTime} activity and {@code status.nextFireAt} use it.
 *
 * <p>Times are wall-clock times in the zone, so {@code 0 9 * * 1-5} in {@code Europe/Berlin} fires
 * at 09:00 local time on both sides of a daylight-saving change (08:00Z in winter, 07:00Z in
 * summer). Around the changes it behaves like a Kubernetes CronJob: a local time that does not
 * exist (the hour skipped in spring) does not fire that day, and a local time that occurs twice
 * (the hour repeated in autumn) fires once, at its first occurrence; only an hour field that
 * matches the repeated hour with several minutes (e.g. {@code *}{@code /15 2 * * *}) fires in both.
 * Day of month and day of week combine as in cron: when both are restricted, either matches.
 *
 * <p>Thread-safe; parsed expressions are cached.
 */
public final class CronCalendar {
  private static final CronParser PARSER =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
  private static final int CACHE_LIMIT = 1024;
  private static final Map<String, ExecutionTime> CACHE = new ConcurrentHashMap<>();

  private CronCalendar() {}

  /**
   * The first fire time strictly after {@code afterMillis}.
   *
   * @param cron a 5-field cron expression (minute hour day-of-month month day-of-week)
   * @param timezone an IANA zone such as {@code Europe/Berlin}; null or blank means UTC
   * @param afterMillis epoch milliseconds
   * @return epoch milliseconds of the next fire time
   * @throws IllegalArgumentException naming the field for a malformed cron or an unknown zone, or
   *     when the expression never fires (such as February 30th)
   */
  public static long next(String cron, String timezone, long afterMillis) {
    ExecutionTime times = executionTime(cron);
    ZonedDateTime after = Instant.ofEpochMilli(afterMillis).atZone(zone(timezone));
    Optional<ZonedDateTime> next = times.nextExecution(after);
    if (next.isEmpty()) {
      throw new IllegalArgumentException(
          "source.cron '" + cron + "' never fires after " + Instant.ofEpochMilli(afterMillis));
    }
    return next.get().toInstant().toEpochMilli();
  }

  /**
   * Checks a cron expression and a time zone without computing anything.
   *
   * @throws IllegalArgumentException as {@link #next}
   */
  public static void validate(String cron, String timezone) {
    executionTime(cron);
    zone(timezone);
  }

  private static ExecutionTime executionTime(String cron) {
    if (cron == null || cron.isBlank()) {
      throw new IllegalArgumentException(
          "source.cron is empty: give 5 fields (minute hour day-of-month month day-of-week),"
              + " e.g. '0 9 * * 1-5'");
    }
    String key = cron.trim();
    ExecutionTime cached = CACHE.get(key);
    if (cached != null) {
      return cached;
    }
    Cron parsed;
    try {
      parsed = PARSER.parse(key).validate();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "source.cron '"
              + cron
              + "' is not a valid 5-field cron (minute hour day-of-month month day-of-week): "
              + e.getMessage(),
          e);
    }
    ExecutionTime times = ExecutionTime.forCron(parsed);
    if (CACHE.size() >= CACHE_LIMIT) {
      CACHE.clear();
    }
    CACHE.put(key, times);
    return times;
  }

  private static ZoneId zone(String timezone) {
    if (timezone == null || timezone.isBlank()) {
      return ZoneOffset.UTC;
    }
    try {
      return ZoneId.of(timezone.trim());
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(
          "source.timezone '"
              + timezone
              + "' is not a known time zone: use an IANA name such as 'Europe/Berlin' or 'UTC'",
          e);
    }
  }
}
