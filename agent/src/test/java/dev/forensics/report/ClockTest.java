package dev.forensics.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;

class ClockTest {
    @Test
    void agreesWithJavaTimeAcrossZonesAndDaylightSavingChanges() {
        TimeZone saved = TimeZone.getDefault();
        try {
            for (String zone : new String[] {"UTC", "Asia/Shanghai", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "America/St_Johns", "Pacific/Kiritimati"}) {
                TimeZone.setDefault(TimeZone.getTimeZone(zone));
                ZoneId id = ZoneId.of(zone);
                DateTimeFormatter full = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS xx").withZone(id);
                DateTimeFormatter day = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(id);
                DateTimeFormatter compact = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(id);
                DateTimeFormatter micros = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS xx").withZone(id);
                SplittableRandom random = new SplittableRandom(zone.hashCode());
                for (int i = 0; i < 20_000; i++) {
                    // 1970 to 2100, and every DST edge lands within a few thousand samples' reach of hourly steps
                    long millis = i < 10_000 ? random.nextLong(0, 4_102_444_800_000L) : 1_700_000_000_000L + i * 3_599_999L;
                    Instant at = Instant.ofEpochMilli(millis);
                    assertThat(Clock.timestamp(millis)).as(zone + " " + at).isEqualTo(full.format(at));
                    assertThat(Clock.timeOfDay(millis)).as(zone + " " + at).isEqualTo(day.format(at));
                    assertThat(Clock.compact(millis)).as(zone + " " + at).isEqualTo(compact.format(at));
                    Instant fine = at.plusNanos(random.nextInt(1_000_000));
                    assertThat(Clock.timestampMicros(fine.getEpochSecond(), fine.getNano())).as(zone + " " + fine).isEqualTo(micros.format(fine));
                }
            }
        } finally {
            TimeZone.setDefault(saved);
        }
    }

    @Test
    void datesBeforeTheEpochAndLeapDays() {
        assertThat(Clock.fields(-1)).containsExactly(1969, 12, 31, 23, 59, 59, 999);
        assertThat(Clock.fields(951_782_400_000L)).containsExactly(2000, 2, 29, 0, 0, 0, 0);
    }
}
