//! Today's challenge: a prompt from a curated list (`challenges.txt`, reviewed for tone),
//! chosen by the date on the person's own calendar, so everyone whose calendar shows the
//! same date gets the same prompt; the list comes round in order, one a day.

use std::sync::LazyLock;

use super::types::Challenge;

static PROMPTS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    include_str!("challenges.txt")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

/// The challenge for local day `day` (days since 1970-01-01 on the person's calendar).
pub fn challenge_for(day: i64) -> Challenge {
    let of = PROMPTS.len().max(1);
    let index = usize::try_from(day.rem_euclid(of as i64)).unwrap_or(0);
    Challenge {
        number: index + 1,
        of,
        prompt: PROMPTS.get(index).copied().unwrap_or_default().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn the_list_is_long_distinct_and_written_to_invite() {
        assert!(PROMPTS.len() >= 60, "{}", PROMPTS.len());
        let distinct: BTreeSet<&str> = PROMPTS.iter().copied().collect();
        assert_eq!(distinct.len(), PROMPTS.len(), "a prompt is listed twice");
        for prompt in PROMPTS.iter() {
            assert!(
                prompt.chars().count() <= 100,
                "too long for a card: {prompt}"
            );
            assert!(prompt.ends_with(['.', '?']), "unfinished: {prompt}");
            let lower = prompt.to_lowercase();
            for pushy in ["must", "viral", "followers", "likes", "you should", "!"] {
                assert!(!lower.contains(pushy), "{pushy:?} in {prompt}");
            }
        }
    }

    #[test]
    fn one_date_one_prompt_and_the_list_comes_round_in_order() {
        let day = 20_788; // 2026-12-01
        assert_eq!(challenge_for(day), challenge_for(day));
        let next = challenge_for(day + 1);
        assert_eq!(
            next.number % next.of,
            (challenge_for(day).number + 1) % next.of
        );
        assert_eq!(
            challenge_for(day + PROMPTS.len() as i64),
            challenge_for(day)
        );
        assert!(challenge_for(-1).number >= 1);
        let month: BTreeSet<String> = (0..30).map(|d| challenge_for(day + d).prompt).collect();
        assert_eq!(month.len(), 30, "a month never repeats a prompt");
    }
}
