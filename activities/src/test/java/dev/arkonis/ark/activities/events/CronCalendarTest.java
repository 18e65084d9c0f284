package dev.arkonis.ark.activities.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CronCalendarTest {
  private static final String WEEKDAYS_AT_9 = "0 9 * * 1-5";

  /** The next {@code count} fire times after {@code after}, as ISO instants. */
  private static List<String> fires(String cron, String zone, String after, int count) {
    List<String> out = new ArrayList<>();
    long t = Instant.parse(after).toEpochMilli();
    for (int i = 0; i < count; i++) {
      t = CronCalendar.next(cron, zone, t);
      out.add(Instant.ofEpochMilli(t).toString());
    }
    return out;
  }

  @Test
  void weekdayMorningInBerlinKeepsLocalTimeAcrossTheSpringChange() {
    // 2026-03-29 (Sunday) 02:00 CET -> 03:00 CEST
    assertThat(fires(WEEKDAYS_AT_9, "Europe/Berlin", "2026-03-27T00:00:00Z", 3))
        .containsExactly("2026-03-27T08:00:00Z", "2026-03-30T07:00:00Z", "2026-03-31T07:00:00Z");
  }

  @Test
  void weekdayMorningInBerlinKeepsLocalTimeAcrossTheAutumnChange() {
    // 2026-10-25 (Sunday) 03:00 CEST -> 02:00 CET
    assertThat(fires(WEEKDAYS_AT_9, "Europe/Berlin", "2026-10-22T12:00:00Z", 3))
        .containsExactly("2026-10-23T07:00:00Z", "2026-10-26T08:00:00Z", "2026-10-27T08:00:00Z");
  }

  @Test
  void nextIsStrictlyAfterEvenWithinTheSameSecond() {
    long fire = Instant.parse("2026-03-27T08:00:00Z").toEpochMilli();
    assertThat(CronCalendar.next(WEEKDAYS_AT_9, "Europe/Berlin", fire - 500)).isEqualTo(fire);
    assertThat(CronCalendar.next(WEEKDAYS_AT_9, "Europe/Berlin", fire))
        .isEqualTo(Instant.parse("2026-03-30T07:00:00Z").toEpochMilli());
    assertThat(CronCalendar.next(WEEKDAYS_AT_9, "Europe/Berlin", fire + 500))
        .isEqualTo(Instant.parse("2026-03-30T07:00:00Z").toEpochMilli());
  }

  @Test
  void everyFifteenMinutes() {
    assertThat(fires("*/15 * * * *", "UTC", "2026-01-01T23:37:12.345Z", 4))
        .containsExactly(
            "2026-01-01T23:45:00Z",
            "2026-01-02T00:00:00Z",
            "2026-01-02T00:15:00Z",
            "2026-01-02T00:30:00Z");
  }

  @Test
  void timezoneDefaultsToUtc() {
    assertThat(fires(WEEKDAYS_AT_9, null, "2026-03-27T00:00:00Z", 2))
        .containsExactly("2026-03-27T09:00:00Z", "2026-03-30T09:00:00Z");
    assertThat(fires(WEEKDAYS_AT_9, " ", "2026-03-27T00:00:00Z", 1))
        .containsExactly("2026-03-27T09:00:00Z");
  }

  @Test
  void monthAndDayOfWeekRestrictTogether() {
    // 08:30 on Mondays in January and July only
    assertThat(fires("30 8 * 1,7 MON", "UTC", "2026-01-20T00:00:00Z", 3))
        .containsExactly("2026-01-26T08:30:00Z", "2026-07-06T08:30:00Z", "2026-07-13T08:30:00Z");
  }

  @Test
  void dayOfMonthAndDayOfWeekTogetherMatchEitherAsInCron() {
    // noon on the 13th and on every Friday
    assertThat(fires("0 12 13 * 5", "UTC", "2026-01-01T00:00:00Z", 4))
        .containsExactly(
            "2026-01-02T12:00:00Z",
            "2026-01-09T12:00:00Z",
            "2026-01-13T12:00:00Z",
            "2026-01-16T12:00:00Z");
  }

  @Test
  void sundayIsZeroOrSeven() {
    assertThat(fires("0 6 * * 0", "UTC", "2026-01-01T00:00:00Z", 1))
        .containsExactly("2026-01-04T06:00:00Z");
    assertThat(fires("0 6 * * 7", "UTC", "2026-01-01T00:00:00Z", 1))
        .containsExactly("2026-01-04T06:00:00Z");
  }

  @Test
  void aLocalTimeSkippedInSpringDoesNotFireThatDay() {
    // 02:30 does not exist in Berlin on 2026-03-29 (like a Kubernetes CronJob: skipped)
    assertThat(fires("30 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00Z", 2))
        .containsExactly("2026-03-30T00:30:00Z", "2026-03-31T00:30:00Z");
  }

  @Test
  void aLocalTimeRepeatedInAutumnFiresOnce() {
    // 02:30 occurs at 00:30Z (CEST) and 01:30Z (CET) on 2026-10-25: fires at the first
    assertThat(fires("30 2 * * *", "Europe/Berlin", "2026-10-24T12:00:00Z", 2))
        .containsExactly("2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z");
  }

  @Test
  void otherZonesAndDates() {
    assertThat(fires("0 0 1 1 *", "America/New_York", "2026-06-01T00:00:00Z", 1))
        .containsExactly("2027-01-01T05:00:00Z");
    assertThat(fires("0 0 29 2 *", "UTC", "2026-01-01T00:00:00Z", 1))
        .containsExactly("2028-02-29T00:00:00Z");
  }

  @Test
  void badExpressionsAreRejectedWithTheField() {
    assertThatThrownBy(() -> CronCalendar.next("0 9 * *", "UTC", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("source.cron '0 9 * *' is not a valid 5-field cron")
        .hasMessageContaining("4 parts");
    assertThatThrownBy(() -> CronCalendar.next("61 9 * * *", "UTC", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("61 not in range [0, 59]");
    assertThatThrownBy(() -> CronCalendar.next("", "UTC", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("source.cron is empty");
    assertThatThrownBy(() -> CronCalendar.validate("0 9 * * *", "Mars/Olympus"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("source.timezone 'Mars/Olympus' is not a known time zone");
  }

  @Test
  void anExpressionThatNeverFiresIsRejected() {
    assertThatThrownBy(() -> CronCalendar.next("0 0 30 2 *", "UTC", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("never fires");
  }
}
