//! The harmful-text guard: notices when a person's own words sound like self-harm,
//! self-hatred or hopelessness, so the coach answers with care instead of tips. It never
//! agrees, never scores and never quotes the words back.
//!
//! **How it reads.** Text is lower-cased, its apostrophes straightened and its spaces
//! collapsed. Everyday idioms that share words with the rules ("this bug is killing me",
//! "I want to die on this hill", "kill the process") are blanked out first; then each rule
//! is a first-person pattern. The first rule that matches, most serious first, names the
//! concern. To extend it: add a pattern to [`RULES`] (or an idiom to [`IDIOMS`]) and a line
//! to `corpus/harmful.txt` (or `corpus/benign.txt`); the corpus test checks every line.
//!
//! In the patterns, `{i_am}` stands for "i'm", "i am" or "im".

use std::sync::LazyLock;

use regex::Regex;

use super::types::{Concern, Link, Support};

/// Idioms that are not about the person (blanked before the rules run).
pub const IDIOMS: &[&str] = &[
    r"\b(is|are|was|it's|its|deadline's) killing me\b",
    r"\bkill(ed|ing)? (it|the|this|that|a|my) (process|server|tab|job|feature|bug|build|task|meeting|idea)s?\b",
    r"\b(killed|kills) (it|me)\b",
    r"\bdie on (this|that) hill\b",
    r"\bdying to\b",
    r"\bkill -9\b",
];

/// The rules, most serious first.
pub const RULES: &[(Concern, &str)] = &[
    (
        Concern::SelfHarm,
        r"\bkill(ing)? myself\b|\b(hurting|harming) myself\b",
    ),
    (
        Concern::SelfHarm,
        r"\b(want|wanna|going|need|trying|plan|planning|thinking about) (to )?(hurt|harm) myself\b",
    ),
    (
        Concern::SelfHarm,
        r"\b(end|ending|take|taking) my (own )?life\b",
    ),
    (Concern::SelfHarm, r"\bend it all\b"),
    (
        Concern::SelfHarm,
        r"\bsuicidal\b|\b(thinking|thought|think)s? (about|of) (suicide|dying)\b",
    ),
    (
        Concern::SelfHarm,
        r"\bi (want|wanna|need|wish) to die\b|\bi wish i (was|were) dead\b",
    ),
    (
        Concern::SelfHarm,
        r"\b(don't|do not|dont) want to (be alive|live|exist)\b",
    ),
    (
        Concern::SelfHarm,
        r"\bcutting myself\b|\bcut myself on purpose\b",
    ),
    (Concern::SelfHarm, r"\bhope i (don't|dont|never) wake up\b"),
    (
        Concern::SelfHarm,
        r"\bno reason (for me )?to (live|go on|be here)\b",
    ),
    (Concern::SelfHarm, r"\b(better off|happier) without me\b"),
    (
        Concern::SelfHarm,
        r"\bcan't go on (living|like this|anymore)\b",
    ),
    (Concern::SelfHatred, r"\bi (hate|despise|loathe) myself\b"),
    (
        Concern::SelfHatred,
        r"{i_am} ((so|such|really|just|completely|totally|a|an|the|complete|total|utter|absolute) )*(worthless|useless|pathetic|disgusting|hopeless|talentless|stupid|failure|fraud|burden|idiot|loser|worst)\b",
    ),
    (Concern::SelfHatred, r"{i_am} not good enough\b"),
    (Concern::SelfHatred, r"\bi ruin everything\b"),
    (
        Concern::SelfHatred,
        r"\bi deserve to (fail|suffer|be alone)\b",
    ),
    (
        Concern::SelfHatred,
        r"\b(nobody|no one|noone) (could|will|would) ever love me\b",
    ),
    (
        Concern::Hopelessness,
        r"\b(nobody|no one|noone) (will )?(ever )?reads? (this|my|anything i)\b",
    ),
    (
        Concern::Hopelessness,
        r"\b(nobody|no one|noone) cares about me\b",
    ),
    (
        Concern::Hopelessness,
        r"\bquit (everything|life)\b|\bgive up on (everything|life|myself)\b",
    ),
    (
        Concern::Hopelessness,
        r"\bwhat's the point (of (anything|it all|living|trying|life)|anymore)\b",
    ),
    (Concern::Hopelessness, r"\bno point (in )?trying\b"),
    (
        Concern::Hopelessness,
        r"\bnothing i (do|write|make|say) (ever )?matters\b",
    ),
    (
        Concern::Hopelessness,
        r"\bi('ll| will) never be (any )?good\b",
    ),
    (
        Concern::Hopelessness,
        r"\b(everything|my life) is hopeless\b|\bi feel (so )?hopeless\b",
    ),
    (Concern::Hopelessness, r"\bi('ll| will) always be alone\b"),
    (Concern::Hopelessness, r"\bthings will never get better\b"),
    (Concern::Hopelessness, r"\bwhy do i even bother\b"),
];

struct Compiled {
    idioms: Vec<Regex>,
    rules: Vec<(Concern, Regex)>,
}

static COMPILED: LazyLock<Compiled> = LazyLock::new(|| {
    // The patterns are constants the tests compile; one that did not would be skipped
    // (and logged) rather than take the server down.
    let compile = |pattern: &str| {
        Regex::new(&expanded(pattern))
            .inspect_err(|error| tracing::error!(%error, "a harmful-text pattern does not compile"))
            .ok()
    };
    Compiled {
        idioms: IDIOMS.iter().filter_map(|p| compile(p)).collect(),
        rules: RULES
            .iter()
            .filter_map(|(c, p)| compile(p).map(|r| (*c, r)))
            .collect(),
    }
});

fn expanded(pattern: &str) -> String {
    pattern.replace("{i_am}", r"\bi('m| am|m)")
}

/// Lower case, straight apostrophes, single spaces.
fn normalised(text: &str) -> String {
    let lower = text
        .to_lowercase()
        .replace(['\u{2019}', '\u{2018}', '`'], "'");
    lower.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The most serious concern `text` raises, if any.
pub fn concern_in(text: &str) -> Option<Concern> {
    let mut text = normalised(text);
    for idiom in &COMPILED.idioms {
        text = idiom.replace_all(&text, " ").into_owned();
    }
    COMPILED
        .rules
        .iter()
        .find(|(_, rule)| rule.is_match(&text))
        .map(|(concern, _)| *concern)
}

/// The most serious concern across several texts.
pub fn concern_in_any<'a>(texts: impl IntoIterator<Item = &'a str>) -> Option<Concern> {
    texts
        .into_iter()
        .filter_map(concern_in)
        .min_by_key(|c| seriousness(*c))
}

fn seriousness(concern: Concern) -> u8 {
    match concern {
        Concern::SelfHarm => 0,
        Concern::SelfHatred => 1,
        Concern::Hopelessness => 2,
    }
}

/// Where to find real help, wherever the person is.
pub fn help_link() -> Link {
    Link {
        label: "Find a free, confidential helpline in your country (findahelpline.com)".to_owned(),
        url: "https://findahelpline.com".to_owned(),
    }
}

/// What the coach says instead of tips. `recent` is true when the words were in the
/// person's own recent writing rather than asked of the coach.
pub fn support_for(concern: Concern, recent: bool) -> Support {
    let opening = if recent {
        "Something you wrote recently sounded heavy, so before any tips: "
    } else {
        ""
    };
    let message = match concern {
        Concern::SelfHarm => format!(
            "{opening}it sounds like you may be going through something really painful, and you deserve support right now. \
             You don't have to handle this alone: please reach out to someone you trust, or to a crisis line. \
             In the US you can call or text 988; in the UK and Ireland, Samaritans answer on 116 123; \
             elsewhere the link below lists free, confidential lines. If you are in immediate danger, call your local emergency number."
        ),
        Concern::SelfHatred => format!(
            "{opening}that's a hard thing to feel about yourself, and it isn't the whole truth about you. \
             Most creators have days when their inner critic is loudest. Try speaking to yourself the way you'd speak to a co-writer \
             you care about, and if this feeling sticks around, talking to someone you trust can help."
        ),
        Concern::Hopelessness => format!(
            "{opening}feeling like it's all pointless is real, and it usually passes. What you've made so far counts, \
             whoever reads it. One small step is enough for today: a single sentence, or passing the ring so someone else \
             carries the thread for a while. And if the feeling stays, tell someone you trust."
        ),
    };
    Support {
        concern,
        message,
        help: (concern == Concern::SelfHarm).then(help_link),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus(file: &str) -> Vec<&str> {
        file.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    }

    #[test]
    fn every_rule_compiles() {
        for pattern in IDIOMS.iter().chain(RULES.iter().map(|(_, p)| p)) {
            assert!(Regex::new(&expanded(pattern)).is_ok(), "{pattern}");
        }
    }

    #[test]
    fn the_harmful_corpus_is_recognised_each_as_its_concern() {
        let lines = corpus(include_str!("corpus/harmful.txt"));
        assert!(lines.len() >= 40, "{}", lines.len());
        for line in lines {
            let (label, text) = line.split_once('|').unwrap_or(("", line));
            let expected = match label.trim() {
                "self_harm" => Concern::SelfHarm,
                "self_hatred" => Concern::SelfHatred,
                "hopelessness" => Concern::Hopelessness,
                other => panic!("unknown label {other:?}"),
            };
            assert_eq!(concern_in(text.trim()), Some(expected), "{text}");
        }
    }

    #[test]
    fn the_benign_corpus_passes_untouched() {
        let lines = corpus(include_str!("corpus/benign.txt"));
        assert!(lines.len() >= 40, "{}", lines.len());
        for text in lines {
            assert_eq!(concern_in(text), None, "{text}");
        }
    }

    #[test]
    fn typing_style_does_not_hide_a_concern() {
        assert_eq!(concern_in("I’M   WORTHLESS"), Some(Concern::SelfHatred));
        assert_eq!(
            concern_in("ok so.\nI want to\tdie"),
            Some(Concern::SelfHarm)
        );
        // An idiom next to a real statement does not mask it.
        assert_eq!(
            concern_in("this bug is killing me and honestly I hate myself"),
            Some(Concern::SelfHatred)
        );
    }

    #[test]
    fn the_most_serious_concern_wins_and_support_never_quotes() {
        let texts = ["nobody will ever read this", "I want to die"];
        assert_eq!(concern_in_any(texts), Some(Concern::SelfHarm));
        let support = support_for(Concern::SelfHarm, true);
        assert!(support.help.is_some() && support.message.contains("988"));
        assert!(!support.message.contains("want to die"));
        assert!(support_for(Concern::Hopelessness, false).help.is_none());
    }
}
