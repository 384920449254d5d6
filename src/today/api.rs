//! Daily-loop and profile server functions (listed in `docs/API.md`). Each takes an
//! optional `now` (ISO 8601 or Unix milliseconds; default the clock): the same data and the
//! same `now` give the same JSON, byte for byte.

use leptos::prelude::*;

use super::types::{CoachReply, PersonalCardView, Profile, TodayView};
use crate::error::AppError;

/// Where someone stands, and who may be seen (server only; public for the image routes and
/// the benchmark in `examples/analytics_seed.rs`).
#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::analytics::momentum::{hour_of, momentum_at, HourOfWork, WINDOW_HOURS};
    use crate::clock::{day_of, rfc3339, short_date, Zone, DAY_MS, HOUR_MS};
    use crate::error::AppError;
    use crate::server::state::AppState;
    use crate::today::archetype::archetype;
    use crate::today::card::{personal_card, PersonFacts, PersonalImage};
    use crate::today::store::{self, Window};
    pub use crate::today::streak_cache::StreakCache;
    use crate::today::types::{Archetype, Momentum, PersonalCard, Streak};

    /// Where someone stands at `now`: what Today, the profile and the personal card show.
    pub struct Standing {
        pub today: i64,
        pub streak: Streak,
        pub momentum: Momentum,
        pub archetype: Archetype,
        /// When they last wrote a segment (to the hour).
        pub last_segment_at: Option<i64>,
    }

    /// The standing of `user_id`, whose days follow `zone`. Reads their hours of the last
    /// 60 days, their writing hours since yesterday (the days before are kept folded in
    /// `streaks`) and three counts.
    pub async fn standing(
        db: &crate::db::Db,
        streaks: &StreakCache,
        user_id: &str,
        zone: Zone,
        now: i64,
    ) -> Result<Standing, AppError> {
        let now_hour = hour_of(now);
        let today = zone.day_of(now);
        let graph_days: Vec<i64> = (today - 29..=today).collect();
        // The hour each graph day ends in (today: now).
        let ends: Vec<i64> = graph_days
            .iter()
            .map(|d| hour_of((zone.day_end(*d) - 1).min(now)))
            .collect();
        let first = ends.first().copied().unwrap_or(now_hour) - WINDOW_HOURS + 1;
        let hours = store::hours_between(db, user_id, first, now_hour).await?;
        let values: Vec<i64> = ends.iter().map(|h| momentum_at(&hours, *h)).collect();
        let score = momentum_at(&hours, now_hour);
        let writing = streaks.writing(db, user_id, zone, today, now_hour).await?;
        let month: Vec<HourOfWork> = hours
            .iter()
            .filter(|h| now_hour - h.hour < WINDOW_HOURS)
            .copied()
            .collect();
        let window = Window {
            days: (day_of(now) - 29, day_of(now)),
            instants: (now - 30 * DAY_MS, now),
        };
        let facts = store::archetype_facts(db, user_id, &month, &window).await?;
        Ok(Standing {
            today,
            streak: writing.fold.streak_on(today),
            momentum: Momentum {
                summary: momentum_summary(score, &graph_days, &values),
                score,
                days: graph_days,
                values,
            },
            archetype: archetype(&facts),
            last_segment_at: writing.last_hour.map(|h| h * HOUR_MS),
        })
    }

    /// The graph in words: where it is, where it was a week ago, and its range.
    fn momentum_summary(score: i64, days: &[i64], values: &[i64]) -> String {
        let week_ago = values
            .len()
            .checked_sub(8)
            .and_then(|i| values.get(i))
            .copied()
            .unwrap_or(0);
        let (low, high) = (
            values.iter().copied().min().unwrap_or(0),
            values.iter().copied().max().unwrap_or(0),
        );
        let since = days.first().map(|d| short_date(*d)).unwrap_or_default();
        if high == 0 {
            return format!("Momentum {score}: nothing written since {since} yet. Your first segment starts it.");
        }
        let trend = match score.cmp(&week_ago) {
            std::cmp::Ordering::Greater => format!("up from {week_ago} a week ago"),
            std::cmp::Ordering::Equal => format!("the same as a week ago ({week_ago})"),
            std::cmp::Ordering::Less => {
                format!("{week_ago} a week ago; a segment or a pass lifts it at once")
            }
        };
        format!(
            "Momentum {score} today, {trend}. Since {since} it has ranged from {low} to {high}."
        )
    }

    /// Someone's personal card at `now`, from their standing.
    pub async fn card_at(
        state: &AppState,
        user: &crate::auth::model::PublicUser,
        zone: Zone,
        now: i64,
    ) -> Result<PersonalCard, AppError> {
        Ok(card_of(
            user,
            &standing(&state.db, &state.streaks, &user.id, zone, now).await?,
            now,
        ))
    }

    /// The personal card of someone at `now`.
    pub fn card_of(
        user: &crate::auth::model::PublicUser,
        standing: &Standing,
        now: i64,
    ) -> PersonalCard {
        personal_card(
            &PersonFacts {
                handle: &user.handle,
                display_id: &user.display_id,
                user_id: &user.id,
                archetype: &standing.archetype,
                momentum: standing.momentum.score,
                streak: standing.streak.current,
                longest_streak: standing.streak.longest,
                graph: &standing.momentum.values,
            },
            now,
        )
    }

    /// The personal image's address: public (when the profile is) or the owner's own.
    pub fn image_path(card: &PersonalCard, private: bool) -> String {
        let version = crate::images::version_of(&PersonalImage::from(card));
        if private {
            format!("/api/today/card/{version}.png")
        } else {
            public_image_path(&card.handle, &version)
        }
    }

    pub fn public_image_path(handle: &str, version: &str) -> String {
        format!(
            "/images/people/{}/{version}.png",
            crate::ui::nav::encode_segment(handle)
        )
    }

    /// A visible person behind `handle` (a private profile is `NotFound` unless it is
    /// `viewer`'s own): the user, whether the profile is private, and their zone.
    pub async fn visible_person(
        state: &AppState,
        handle: &str,
        viewer: Option<&crate::auth::model::PublicUser>,
    ) -> Result<(crate::auth::model::PublicUser, bool, Zone, i64), AppError> {
        let person = store::person_by_handle(&state.db, handle)
            .await?
            .ok_or(AppError::NotFound)?;
        let is_me = viewer.is_some_and(|v| v.id == person.id);
        let private = person.profile_private != 0;
        if private && !is_me {
            return Err(AppError::NotFound);
        }
        let zone = crate::settings::store::zone_of(&state.db, &person.id).await?;
        let user = crate::auth::model::PublicUser {
            display_id: crate::auth::model::display_id(&person.id),
            id: person.id,
            handle: person.handle,
        };
        Ok((user, private, zone, person.created_at))
    }

    /// "Tuesday 1 December 2026" for a local day.
    pub fn long_date(day: i64) -> String {
        const WEEKDAYS: [&str; 7] = [
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday",
            "Monday",
            "Tuesday",
            "Wednesday",
        ];
        const MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        let (year, month, dom) = crate::clock::civil_from_days(day);
        let weekday = WEEKDAYS[day.rem_euclid(7) as usize];
        format!(
            "{weekday} {dom} {} {year}",
            MONTHS[(month as usize - 1) % 12]
        )
    }

    /// "March 2026".
    pub fn month_year(ms: i64) -> String {
        let date = long_date(day_of(ms));
        date.split(' ').skip(2).collect::<Vec<_>>().join(" ")
    }

    pub fn generated(now: i64) -> String {
        rfc3339(now)
    }
}

/// My day: today's challenge, my streak, momentum and badge, and the coach.
#[server(prefix = "/api", endpoint = "today/get")]
pub async fn get_today(now: Option<String>) -> Result<TodayView, AppError> {
    use super::coach::{coach, CoachFacts};
    let state = crate::server::state::app_state()?;
    let user = crate::auth::api::require_user().await?.user;
    let now = crate::clock::parse_now(now.as_deref())?;
    let settings = crate::settings::store::settings(&state.db, &user.id).await?;
    let zone = crate::clock::Zone::stored(&settings.time_zone);
    let standing = ssr::standing(&state.db, &state.streaks, &user.id, zone, now).await?;
    let challenge = super::challenge::challenge_for(standing.today);
    let facts = CoachFacts {
        drafts: super::store::coach_drafts(&state.db, &user.id).await?,
        last_segment_at: standing.last_segment_at,
        challenge: challenge.clone(),
    };
    let week_ago = now - 7 * crate::clock::DAY_MS;
    let recent = super::store::recent_writing(&state.db, &user.id, week_ago, now).await?;
    Ok(TodayView {
        handle: user.handle,
        date_label: ssr::long_date(standing.today),
        time_zone: zone.name().to_owned(),
        challenge,
        coach: coach(&facts, &recent, now),
        streak: standing.streak,
        momentum: standing.momentum,
        archetype: standing.archetype,
        profile_private: settings.profile_private,
        generated_at: ssr::generated(now),
    })
}

/// Ask the coach ("How do I…?"): tips on the question's topic, or care when the question
/// sounds like someone in pain. Nothing asked is stored.
#[server(prefix = "/api", endpoint = "today/ask")]
pub async fn ask_coach(question: String) -> Result<CoachReply, AppError> {
    crate::auth::api::require_user().await?;
    if question.chars().count() > super::ask::QUESTION_MAX {
        return Err(AppError::validation(
            "question",
            format!(
                "Keep your question under {} characters.",
                super::ask::QUESTION_MAX
            ),
        ));
    }
    let question = crate::text::multi_line("question", &question, 4 * super::ask::QUESTION_MAX)?;
    if question.trim().is_empty() {
        return Err(AppError::validation("question", "Ask the coach something."));
    }
    Ok(super::ask::answer(&question))
}

/// A profile, for anyone (a private one answers like an unknown handle, except to its
/// owner).
#[server(prefix = "/api", endpoint = "profiles/get")]
pub async fn get_profile(handle: String, now: Option<String>) -> Result<Profile, AppError> {
    use super::types::PublicDraft;
    let state = crate::server::state::app_state()?;
    let viewer = crate::auth::api::current().await?.map(|c| c.user);
    let now = crate::clock::parse_now(now.as_deref())?;
    let (user, private, zone, created_at) =
        ssr::visible_person(&state, &handle, viewer.as_ref()).await?;
    let card = ssr::card_at(&state, &user, zone, now).await?;
    let origin = &state.config.public_origin;
    let public_drafts = super::store::public_drafts(&state.db, &user.id)
        .await?
        .into_iter()
        .map(|(title, platform, slug)| PublicDraft {
            title,
            platform: crate::drafts::model::Platform::parse(&platform)
                .map(|p| p.label().to_owned())
                .unwrap_or_default(),
            url: format!("/c/{slug}"),
        })
        .collect();
    Ok(Profile {
        image_url: format!("{origin}{}", ssr::image_path(&card, private)),
        page_url: format!("{origin}{}", card.profile_path),
        is_me: viewer.is_some_and(|v| v.id == user.id),
        card,
        public_drafts,
        member_since: ssr::month_year(created_at),
    })
}

/// A personal card: anyone's whose profile is public, and my own always.
#[server(prefix = "/api", endpoint = "profiles/card")]
pub async fn get_personal_card(
    handle: String,
    now: Option<String>,
) -> Result<PersonalCardView, AppError> {
    let state = crate::server::state::app_state()?;
    let viewer = crate::auth::api::current().await?.map(|c| c.user);
    let now = crate::clock::parse_now(now.as_deref())?;
    let (user, private, zone, _) = ssr::visible_person(&state, &handle, viewer.as_ref()).await?;
    let card = ssr::card_at(&state, &user, zone, now).await?;
    Ok(PersonalCardView {
        image_path: ssr::image_path(&card, private),
        page_url: format!("{}{}", state.config.public_origin, card.profile_path),
        profile_private: private,
        card,
    })
}
