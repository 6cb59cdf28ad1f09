//! Numbers and times as the console words them. Times are shown in the browser's time zone;
//! the server renders none of them (the data is fetched in the browser).

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

#[cfg(feature = "hydrate")]
mod js {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = Date, js_name = now)]
        pub fn date_now() -> f64;
    }

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_name = Date)]
        pub type JsDate;

        #[wasm_bindgen(constructor, js_class = "Date")]
        pub fn new(ms: f64) -> JsDate;

        #[wasm_bindgen(method, js_class = "Date", js_name = getTimezoneOffset)]
        pub fn get_timezone_offset(this: &JsDate) -> f64;
    }
}

/// The browser's clock, in ms since the epoch (0 on the server, which never shows times).
pub fn now_ms() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        js::date_now() as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0
    }
}

/// Minutes to add to UTC to get the browser's local time at `ms` (daylight saving included).
pub fn local_offset_ms(ms: i64) -> i64 {
    #[cfg(feature = "hydrate")]
    {
        -(js::JsDate::new(ms as f64).get_timezone_offset() as i64) * MINUTE
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ms;
        0
    }
}

/// A moment broken down in the browser's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime {
    pub year: i64,
    /// 1..=12
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    /// 0 = Monday
    pub weekday: usize,
}

/// Days since 1970-01-01 → (year, month, day) (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn breakdown(ms: i64) -> LocalTime {
    let days = ms.div_euclid(DAY);
    let rest = ms.rem_euclid(DAY);
    let (year, month, day) = civil_from_days(days);
    LocalTime {
        year,
        month,
        day,
        hour: (rest / HOUR) as u32,
        minute: ((rest % HOUR) / MINUTE) as u32,
        // 1970-01-01 was a Thursday.
        weekday: (days + 3).rem_euclid(7) as usize,
    }
}

pub fn local_time(ms: i64) -> LocalTime {
    breakdown(ms + local_offset_ms(ms))
}

/// `2025-03-04T14:05:00.000Z` → ms. Only the RFC 3339 shape the API sends (UTC, optional
/// fraction).
pub fn parse_iso_ms(text: &str) -> Option<i64> {
    let (date, time) = text.split_once('T')?;
    let mut date_parts = date.split('-');
    let year: i64 = date_parts.next()?.parse().ok()?;
    let month: u32 = date_parts.next()?.parse().ok()?;
    let day: u32 = date_parts.next()?.parse().ok()?;
    let time = time.trim_end_matches('Z');
    let time = time.split('+').next()?;
    let mut time_parts = time.split(':');
    let hour: i64 = time_parts.next()?.parse().ok()?;
    let minute: i64 = time_parts.next()?.parse().ok()?;
    let seconds: f64 = time_parts.next().unwrap_or("0").parse().ok()?;
    Some(
        days_from_civil(year, month, day) * DAY
            + hour * HOUR
            + minute * MINUTE
            + (seconds * 1000.0) as i64,
    )
}

/// ms since the epoch → `2026-12-01T16:05:00Z` (RFC 3339, UTC), as the API reads times.
pub fn iso_utc(ms: i64) -> String {
    let t = breakdown(ms);
    let seconds = ms.rem_euclid(MINUTE) / 1000;
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{seconds:02}Z",
        t.year, t.month, t.day, t.hour, t.minute
    )
}

/// `14:05`
pub fn clock(ms: i64) -> String {
    let t = local_time(ms);
    format!("{:02}:{:02}", t.hour, t.minute)
}

/// `Mar 4`
pub fn short_date(ms: i64) -> String {
    let t = local_time(ms);
    format!("{} {}", MONTHS[(t.month as usize + 11) % 12], t.day)
}

/// `Tue 4`
pub fn weekday_date(ms: i64) -> String {
    let t = local_time(ms);
    format!("{} {}", WEEKDAYS[t.weekday % 7], t.day)
}

/// `Mar 4, 14:05`
pub fn day_time(ms: i64) -> String {
    let t = local_time(ms);
    format!(
        "{} {}, {:02}:{:02}",
        MONTHS[(t.month as usize + 11) % 12],
        t.day,
        t.hour,
        t.minute
    )
}

/// `Mar 4, 2025, 14:05`
pub fn date_time(ms: i64) -> String {
    let t = local_time(ms);
    format!(
        "{} {}, {}, {:02}:{:02}",
        MONTHS[(t.month as usize + 11) % 12],
        t.day,
        t.year,
        t.hour,
        t.minute
    )
}

/// `5 min ago`, `3 h ago`, `2 days ago`, or a date past a month.
pub fn relative(ms: i64, now: i64) -> String {
    let ago = now - ms;
    if ago < MINUTE {
        "just now".into()
    } else if ago < HOUR {
        format!("{} min ago", ago / MINUTE)
    } else if ago < DAY {
        format!("{} h ago", ago / HOUR)
    } else if ago < 2 * DAY {
        "yesterday".into()
    } else if ago < 30 * DAY {
        format!("{} days ago", ago / DAY)
    } else {
        short_date(ms)
    }
}

/// `12,345`
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `950`, `12.3k`, `4.5M`: for axis ticks and tight spaces.
pub fn compact(n: i64) -> String {
    let abs = n.unsigned_abs() as f64;
    let (value, unit) = if abs >= 1e9 {
        (n as f64 / 1e9, "B")
    } else if abs >= 1e6 {
        (n as f64 / 1e6, "M")
    } else if abs >= 1e3 {
        (n as f64 / 1e3, "k")
    } else {
        return n.to_string();
    };
    let text = if value.abs() >= 100.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    };
    format!("{}{unit}", text.trim_end_matches(".0"))
}

/// A share as a percentage with one decimal below 10 %.
pub fn percent(part: i64, whole: i64) -> String {
    if whole <= 0 {
        return "0%".into();
    }
    let p = part as f64 * 100.0 / whole as f64;
    if p > 0.0 && p < 0.1 {
        "<0.1%".into()
    } else if p < 10.0 {
        format!("{p:.1}%").replace(".0%", "%")
    } else {
        format!("{p:.0}%")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_times_parse_to_ms() {
        assert_eq!(parse_iso_ms("1970-01-01T00:00:00.000Z"), Some(0));
        assert_eq!(
            parse_iso_ms("2024-02-29T12:30:15.250Z"),
            Some(1_709_209_815_250)
        );
        assert_eq!(parse_iso_ms("yesterday"), None);
        assert_eq!(iso_utc(1_709_209_815_250), "2024-02-29T12:30:15Z");
    }

    #[test]
    fn dates_break_down() {
        let t = breakdown(1_709_209_815_250);
        assert_eq!(
            (t.year, t.month, t.day, t.hour, t.minute),
            (2024, 2, 29, 12, 30)
        );
        assert_eq!(WEEKDAYS[t.weekday], "Thu");
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(grouped(-12), "-12");
        assert_eq!(compact(950), "950");
        assert_eq!(compact(12_300), "12.3k");
        assert_eq!(compact(2_000_000), "2M");
        assert_eq!(percent(1, 3), "33%");
        assert_eq!(percent(1, 20), "5%");
        assert_eq!(percent(0, 0), "0%");
    }

    #[test]
    fn relative_times() {
        let now = 10 * DAY;
        assert_eq!(relative(now - 5 * MINUTE, now), "5 min ago");
        assert_eq!(relative(now - 3 * HOUR, now), "3 h ago");
        assert_eq!(relative(now - 3 * DAY, now), "3 days ago");
    }
}
