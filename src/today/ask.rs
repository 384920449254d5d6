//! The coach's box: a question in, a few tips out. The harmful-text guard reads the
//! question first; a person in pain gets care, not tips. Otherwise the first topic whose
//! words appear in the question answers (the topics in order below), and a question that
//! matches none gets the general tips. Nothing typed here is stored.

use super::guard::{concern_in, support_for};
use super::types::CoachReply;

/// The longest question the coach reads, in characters.
pub const QUESTION_MAX: usize = 1_000;

/// A topic: its name, the words that call it, and its tips.
type Topic = (&'static str, &'static [&'static str], [&'static str; 3]);

const TOPICS: &[Topic] = &[
    (
        "openings",
        &["hook", "opening", "open with", "first post", "first segment", "intro", "start a thread", "begin"],
        [
            "Open with the one thing a reader gets from the thread, in a single sentence.",
            "Cut the warm-up: the second sentence of a draft is often the real opening.",
            "Stay under what the platform shows before \"see more\" (about 200 characters).",
        ],
    ),
    (
        "endings",
        &["ending", "end a thread", "finish", "close", "conclu", "wrap up", "last post"],
        [
            "End with a question your readers can answer from their own experience.",
            "Sum the thread up in one line, so someone who skims still gets it.",
            "Say what you'd like people to do next: reply, share their own tip, or try it.",
        ],
    ),
    (
        "length",
        &["long", "short", "length", "characters", "limit", "too much"],
        [
            "One idea per segment: when a post has an \"and also\", split it.",
            "Read it aloud; wherever you take a breath is a good place to break.",
            "Five to eight segments carry most ideas; more is fine when each earns its place.",
        ],
    ),
    (
        "the ring",
        &["ring", "pass", "turn", "hold", "waiting"],
        [
            "Pass the ring when your part is done: a fresh voice keeps a thread lively.",
            "If someone has held it a while, a friendly nudge usually does it; owners can take it back.",
            "Leave a one-line note in your last segment about where the thread goes next.",
        ],
    ),
    (
        "co-writers",
        &["invite", "co-writer", "cowriter", "collaborat", "partner", "together", "friend"],
        [
            "Invite one person whose view differs from yours: contrast makes threads interesting.",
            "Agree on the thread's one idea before the first pass.",
            "Thank your co-writers by name when you publish: it's their thread too.",
        ],
    ),
    (
        "replies",
        &["question", "reply", "replies", "engage", "comment", "conversation", "respond"],
        [
            "Ask something specific (\"what's your first step?\") rather than \"thoughts?\".",
            "Answer the first few replies: conversations grow from the first exchanges.",
            "Share a real example; people reply to stories more than to claims.",
        ],
    ),
    (
        "habit",
        &["streak", "habit", "daily", "every day", "consisten", "motivat", "routine", "time", "busy"],
        [
            "Keep the bar low: one sentence counts, and today's challenge gives you a start.",
            "Write at the same time each day; the habit does the deciding for you.",
            "Rest days are part of it: one missed day in seven keeps your streak.",
        ],
    ),
    (
        "ideas",
        &["stuck", "block", "idea", "what to write", "topic", "inspir", "nothing to say"],
        [
            "Write about the last thing you explained to someone: if it helped them, it will help others.",
            "Try today's challenge, or answer a question people often ask you.",
            "Start with a list of three things you learned this month and pick the one you'd defend.",
        ],
    ),
    (
        "publishing",
        &["publish", "post it", "schedule", "when to post", "share it", "go live"],
        [
            "Read the whole thread once from the top, as a stranger would, before it goes out.",
            "Check every segment fits its platform: the counter on each post shows it.",
            "Share the card afterwards so your co-writers can show what you made together.",
        ],
    ),
];

const GENERAL: [&str; 3] = [
    "Write for one reader you can picture, and tell them one thing well.",
    "Short sentences, concrete examples, and one idea per segment.",
    "When your part is done, pass the ring: someone else's voice keeps a thread lively.",
];

/// The coach's answer to `question` (already checked for length and characters).
pub fn answer(question: &str) -> CoachReply {
    if let Some(concern) = concern_in(question) {
        return CoachReply {
            support: Some(support_for(concern, false)),
            topic: None,
            tips: Vec::new(),
        };
    }
    let lower = question.to_lowercase();
    let (topic, tips) = TOPICS
        .iter()
        .find(|(_, words, _)| words.iter().any(|w| lower.contains(w)))
        .map_or((None, GENERAL), |(name, _, tips)| {
            (Some((*name).to_owned()), *tips)
        });
    CoachReply {
        support: None,
        topic,
        tips: tips.iter().map(|t| (*t).to_owned()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::today::types::Concern;

    #[test]
    fn a_question_gets_the_tips_of_its_topic() {
        let reply = answer("How do I write a better hook?");
        assert_eq!(reply.topic.as_deref(), Some("openings"));
        assert_eq!(reply.tips.len(), 3);
        assert_eq!(
            answer("how do I get more replies").topic.as_deref(),
            Some("replies")
        );
        assert_eq!(
            answer("I'm stuck, no idea what to write").topic.as_deref(),
            Some("ideas")
        );
        let general = answer("hello coach");
        assert_eq!((general.topic, general.tips.len()), (None, 3));
        assert_eq!(
            answer("How do I end a thread?"),
            answer("How do I end a thread?")
        );
    }

    #[test]
    fn pain_gets_care_and_no_tips() {
        let reply = answer("How do I keep going when I want to die");
        assert_eq!(
            reply.support.as_ref().map(|s| s.concern),
            Some(Concern::SelfHarm)
        );
        assert!(reply.support.is_some_and(|s| s.help.is_some()));
        assert!(reply.tips.is_empty());
        let reply = answer("nobody will ever read this, should I stop?");
        assert_eq!(
            reply.support.map(|s| s.concern),
            Some(Concern::Hopelessness)
        );
        // An idiom is just a question.
        assert!(
            answer("this bug is killing me, how do I explain it in a thread?")
                .support
                .is_none()
        );
    }
}
