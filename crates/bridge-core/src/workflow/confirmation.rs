//! Asking a cash-on-delivery customer to confirm: reminders while no answer comes, quiet hours
//! (no message at night, in the shop's time zone), and what happens when none comes at all.
//! All of it runs as timers in the durable queue; the workflow decides when each fires.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// What to do with an order the customer never confirmed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoAnswer {
    /// A person decides (the order waits in the console's Inbox); a late "confirmed" ships it.
    #[default]
    NeedsAttention,
    /// The order is cancelled: no package, the ticket and the shop are told. A late "confirmed"
    /// is flagged for a person, never shipped by itself.
    Cancel,
}

/// Hours when customers get no message, in the shop's time zone: `21:00-08:00` (may span
/// midnight).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    /// When they start.
    pub start: NaiveTime,
    /// When they end.
    pub end: NaiveTime,
}

impl FromStr for QuietHours {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (start, end) = text
            .split_once('-')
            .ok_or_else(|| format!("`{text}` is not HH:MM-HH:MM (e.g. 21:00-08:00)"))?;
        let time = |part: &str| {
            NaiveTime::parse_from_str(part.trim(), "%H:%M")
                .map_err(|_| format!("`{}` is not a time of day (HH:MM)", part.trim()))
        };
        let (start, end) = (time(start)?, time(end)?);
        if start == end {
            return Err(format!("`{text}` starts and ends at the same time"));
        }
        Ok(QuietHours { start, end })
    }
}

impl fmt::Display for QuietHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}",
            self.start.format("%H:%M"),
            self.end.format("%H:%M")
        )
    }
}

impl QuietHours {
    fn contains(&self, time: NaiveTime) -> bool {
        if self.start < self.end {
            time >= self.start && time < self.end
        } else {
            time >= self.start || time < self.end
        }
    }

    /// When something due at `at` may be sent: `at` itself outside quiet hours, else the
    /// moment they end (in `zone`).
    pub fn release(&self, at: DateTime<Utc>, zone: Tz) -> DateTime<Utc> {
        let local = at.with_timezone(&zone);
        if !self.contains(local.time()) {
            return at;
        }
        let day = if local.time() < self.end {
            local.date_naive()
        } else {
            local.date_naive() + chrono::Days::new(1)
        };
        let end = day.and_time(self.end);
        // An end that falls in a daylight-saving gap does not exist that day: the first hour
        // after it does.
        zone.from_local_datetime(&end)
            .earliest()
            .or_else(|| {
                zone.from_local_datetime(&(end + chrono::Duration::hours(1)))
                    .earliest()
            })
            .map_or(at, |end| end.with_timezone(&Utc))
    }
}

/// How one shop asks for confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmationPolicy {
    /// When to remind, counted from the first message (`2h`, `20h`): reminder N moves the
    /// ticket to the status `reminder_N`, whose Digishare automation sends the message.
    pub reminders: Vec<Duration>,
    /// How long to wait for an answer (`None`: forever).
    pub confirm_within: Option<Duration>,
    /// What happens then.
    pub on_no_answer: NoAnswer,
    /// When no reminder (and no automatic cancellation) goes out.
    pub quiet_hours: Option<QuietHours>,
    /// The shop's time zone, for the quiet hours.
    pub time_zone: Tz,
}

impl Default for ConfirmationPolicy {
    fn default() -> Self {
        ConfirmationPolicy {
            reminders: Vec::new(),
            confirm_within: None,
            on_no_answer: NoAnswer::default(),
            quiet_hours: None,
            time_zone: chrono_tz::Africa::Accra,
        }
    }
}

/// A timer of the confirmation schedule: when it fires, and whether quiet hours moved it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timer {
    /// When it fires.
    pub at: DateTime<Utc>,
    /// It was due during quiet hours and waits for their end.
    pub held: bool,
}

impl ConfirmationPolicy {
    /// The ticket status a reminder moves the ticket to.
    pub fn reminder_key(number: usize) -> String {
        format!("reminder_{number}")
    }

    fn timer(&self, due: DateTime<Utc>) -> Timer {
        let at = self
            .quiet_hours
            .map_or(due, |quiet| quiet.release(due, self.time_zone));
        Timer {
            at,
            held: at != due,
        }
    }

    fn after(asked_at: DateTime<Utc>, delay: Duration) -> DateTime<Utc> {
        asked_at + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX)
    }

    /// The reminders of an order asked at `asked_at`, in order, each moved out of quiet hours.
    pub fn reminder_timers(&self, asked_at: DateTime<Utc>) -> Vec<Timer> {
        self.reminders
            .iter()
            .map(|delay| self.timer(Self::after(asked_at, *delay)))
            .collect()
    }

    /// When an order asked at `asked_at` stops waiting. Cancelling tells the customer, so it
    /// waits for the end of quiet hours too; handing the order to a person does not.
    pub fn deadline(&self, asked_at: DateTime<Utc>) -> Option<Timer> {
        let due = Self::after(asked_at, self.confirm_within?);
        Some(match self.on_no_answer {
            NoAnswer::Cancel => self.timer(due),
            NoAnswer::NeedsAttention => Timer {
                at: due,
                held: false,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().expect("a time")
    }

    #[test]
    fn quiet_hours_read_and_span_midnight() {
        let quiet: QuietHours = "21:00-08:00".parse().expect("valid");
        assert_eq!(quiet.to_string(), "21:00-08:00");
        assert!("21:00".parse::<QuietHours>().is_err());
        assert!("25:00-08:00".parse::<QuietHours>().is_err());
        assert!("08:00-08:00".parse::<QuietHours>().is_err());
        let accra = chrono_tz::Africa::Accra; // UTC+0 all year
        // Before midnight: waits for tomorrow 08:00.
        assert_eq!(
            quiet.release(utc("2026-11-24T22:30:00Z"), accra),
            utc("2026-11-25T08:00:00Z")
        );
        // After midnight: waits for this morning's 08:00.
        assert_eq!(
            quiet.release(utc("2026-11-25T03:00:00Z"), accra),
            utc("2026-11-25T08:00:00Z")
        );
        // Daytime: at once.
        assert_eq!(
            quiet.release(utc("2026-11-25T12:00:00Z"), accra),
            utc("2026-11-25T12:00:00Z")
        );
        // In Casablanca (UTC+1 in winter), 21:30 local is 20:30 UTC.
        let casablanca = chrono_tz::Africa::Casablanca;
        let released = quiet.release(utc("2026-11-24T20:30:00Z"), casablanca);
        assert_eq!(
            released.with_timezone(&casablanca).time(),
            NaiveTime::from_hms_opt(8, 0, 0).expect("time")
        );
    }

    #[test]
    fn quiet_hours_ending_in_a_daylight_saving_gap_end_an_hour_later() {
        // Paris skips 02:00-03:00 on 2026-03-29: an end at 02:30 does not exist that night.
        let quiet: QuietHours = "21:00-02:30".parse().expect("valid");
        let paris = chrono_tz::Europe::Paris;
        let due = utc("2026-03-28T22:00:00Z"); // 23:00 in Paris, inside quiet hours
        let released = quiet.release(due, paris);
        assert!(released > due);
        assert_eq!(
            released.with_timezone(&paris).time(),
            NaiveTime::from_hms_opt(3, 30, 0).expect("time")
        );
    }

    #[test]
    fn reminders_and_the_deadline_avoid_quiet_hours() {
        let policy = ConfirmationPolicy {
            reminders: vec![
                Duration::from_secs(2 * 3600),
                Duration::from_secs(20 * 3600),
            ],
            confirm_within: Some(Duration::from_secs(48 * 3600)),
            on_no_answer: NoAnswer::Cancel,
            quiet_hours: Some("21:00-08:00".parse().expect("valid")),
            time_zone: chrono_tz::Africa::Accra,
        };
        // Asked at 20:00: reminder 1 due 22:00 waits for 08:00; reminder 2 due 16:00 goes.
        let asked = utc("2026-11-24T20:00:00Z");
        assert_eq!(
            policy.reminder_timers(asked),
            [
                Timer {
                    at: utc("2026-11-25T08:00:00Z"),
                    held: true
                },
                Timer {
                    at: utc("2026-11-25T16:00:00Z"),
                    held: false
                },
            ]
        );
        assert_eq!(
            policy.deadline(asked),
            Some(Timer {
                at: utc("2026-11-26T20:00:00Z"),
                held: false
            })
        );
        // Asked at 21:30: cancelling at 21:30 two days later would message the customer at
        // night, so it waits for 08:00.
        assert_eq!(
            policy.deadline(utc("2026-11-24T21:30:00Z")),
            Some(Timer {
                at: utc("2026-11-27T08:00:00Z"),
                held: true
            })
        );
        let to_a_person = ConfirmationPolicy {
            on_no_answer: NoAnswer::NeedsAttention,
            ..policy
        };
        assert_eq!(
            to_a_person.deadline(utc("2026-11-24T21:30:00Z")),
            Some(Timer {
                at: utc("2026-11-26T21:30:00Z"),
                held: false
            }),
            "handing the order to a person messages nobody"
        );
    }
}
