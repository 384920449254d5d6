//! The draft as the server's render hands it to the browser: the draft page's resource
//! payload. The API (`drafts/get`) answers `DraftView` in full, one object per person per
//! segment; here every person is written once and named by number, and a segment or a ring
//! pass is a row. A 200-segment draft's payload shrinks by about half, and every byte of it is
//! escaped twice into the page (JSON, then a script string) on each page view.

use std::collections::HashMap;
use std::sync::Arc;

use leptos::server::codee::{Decoder, Encoder};
use serde::{Deserialize, Serialize};

use super::model::Platform;
use super::types::{Collaborator, DraftStatus, DraftView, PassKind, RingPass, Role, Segment};
use crate::auth::model::PublicUser;
use crate::error::AppError;

/// The codec of the draft page's resource.
pub struct DraftPayload;

type Loaded = Result<DraftView, AppError>;

/// `S` is a string (borrowed when written, owned when read), `P` a person.
#[derive(Serialize, Deserialize)]
struct Wire<S, P> {
    id: S,
    title: S,
    subtitle: Option<S>,
    platform: Platform,
    status: DraftStatus,
    my_role: Role,
    show_joined_banner: bool,
    event_seq: i64,
    created_at_ms: i64,
    updated_at_ms: i64,
    /// Everyone the draft names, once; the fields below name people by their place here.
    people: Vec<P>,
    owner: usize,
    ring_holder: usize,
    me: usize,
    /// id, position, content, author, created at, edited at.
    segments: Vec<(S, i64, S, usize, i64, Option<i64>)>,
    /// person, role, segments, characters.
    collaborators: Vec<(usize, Role, i64, i64)>,
    /// from, to, kind, after position, at.
    ring_history: Vec<(usize, usize, PassKind, i64, i64)>,
}

/// People in the order they are first named, so the same view always writes the same text.
#[derive(Default)]
struct People<'a> {
    list: Vec<&'a PublicUser>,
    places: HashMap<&'a str, usize>,
}

impl<'a> People<'a> {
    fn place(&mut self, person: &'a PublicUser) -> usize {
        *self.places.entry(&person.id).or_insert_with(|| {
            self.list.push(person);
            self.list.len() - 1
        })
    }
}

fn compact(view: &DraftView) -> Wire<&str, &PublicUser> {
    let mut people = People::default();
    let owner = people.place(&view.owner);
    let ring_holder = people.place(&view.ring_holder);
    let me = people.place(&view.me);
    let segments = view
        .segments
        .iter()
        .map(|s| {
            let author = people.place(&s.author);
            (
                s.id.as_str(),
                s.position,
                s.content.as_str(),
                author,
                s.created_at_ms,
                s.edited_at_ms,
            )
        })
        .collect();
    let collaborators = view
        .collaborators
        .iter()
        .map(|c| (people.place(&c.user), c.role, c.segments, c.characters))
        .collect();
    let ring_history = view
        .ring_history
        .iter()
        .map(|p| {
            (
                people.place(&p.from),
                people.place(&p.to),
                p.kind,
                p.after_position,
                p.at_ms,
            )
        })
        .collect();
    Wire {
        id: &view.id,
        title: &view.title,
        subtitle: view.subtitle.as_deref(),
        platform: view.platform,
        status: view.status,
        my_role: view.my_role,
        show_joined_banner: view.show_joined_banner,
        event_seq: view.event_seq,
        created_at_ms: view.created_at_ms,
        updated_at_ms: view.updated_at_ms,
        people: people.list,
        owner,
        ring_holder,
        me,
        segments,
        collaborators,
        ring_history,
    }
}

fn expand(wire: Wire<String, PublicUser>) -> Result<DraftView, serde_json::Error> {
    let Wire {
        id,
        title,
        subtitle,
        platform,
        status,
        my_role,
        show_joined_banner,
        event_seq,
        created_at_ms,
        updated_at_ms,
        people,
        owner,
        ring_holder,
        me,
        segments,
        collaborators,
        ring_history,
    } = wire;
    let person = |place: &usize| {
        people.get(*place).cloned().ok_or_else(|| {
            <serde_json::Error as serde::de::Error>::custom("a person outside the list")
        })
    };
    let segments = segments
        .into_iter()
        .map(
            |(id, position, content, author, created_at_ms, edited_at_ms)| {
                Ok(Segment {
                    id,
                    position,
                    content,
                    author: person(&author)?,
                    created_at_ms,
                    edited_at_ms,
                })
            },
        )
        .collect::<Result<Vec<_>, serde_json::Error>>()?;
    let collaborators = collaborators
        .iter()
        .map(|(user, role, segments, characters)| {
            Ok(Collaborator {
                user: person(user)?,
                role: *role,
                segments: *segments,
                characters: *characters,
            })
        })
        .collect::<Result<_, serde_json::Error>>()?;
    let ring_history = ring_history
        .iter()
        .map(|(from, to, kind, after_position, at_ms)| {
            Ok(RingPass {
                from: person(from)?,
                to: person(to)?,
                kind: *kind,
                after_position: *after_position,
                at_ms: *at_ms,
            })
        })
        .collect::<Result<Vec<_>, serde_json::Error>>()?;
    Ok(DraftView {
        id,
        title,
        subtitle,
        platform,
        status,
        owner: person(&owner)?,
        ring_holder: person(&ring_holder)?,
        my_role,
        me: person(&me)?,
        segments: Arc::new(segments),
        collaborators,
        ring_history: Arc::new(ring_history),
        show_joined_banner,
        event_seq,
        created_at_ms,
        updated_at_ms,
    })
}

impl Encoder<Loaded> for DraftPayload {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(loaded: &Loaded) -> Result<String, serde_json::Error> {
        serde_json::to_string(&loaded.as_ref().map(compact))
    }
}

impl Decoder<Loaded> for DraftPayload {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(text: &str) -> Result<Loaded, serde_json::Error> {
        match serde_json::from_str::<Result<Wire<String, PublicUser>, AppError>>(text)? {
            Ok(wire) => expand(wire).map(Ok),
            Err(error) => Ok(Err(error)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(n: usize) -> PublicUser {
        PublicUser {
            id: format!("00000000-0000-0000-0000-00000000000{n}"),
            handle: format!("writer_{n}"),
            display_id: format!("W{n}"),
        }
    }

    fn view() -> DraftView {
        let segments = (1..=40)
            .map(|n| Segment {
                id: format!("segment-{n}"),
                position: n,
                content: format!("Post {n}: \"quoted\" <b>text</b> ✨"),
                author: person(n as usize % 3),
                created_at_ms: 1_795_633_380_000 + n,
                edited_at_ms: (n % 7 == 0).then_some(1_795_633_390_000),
            })
            .collect();
        DraftView {
            id: "draft".into(),
            title: "A thread".into(),
            subtitle: Some("about things".into()),
            platform: Platform::Bluesky,
            status: DraftStatus::Draft,
            owner: person(0),
            ring_holder: person(1),
            my_role: Role::Editor,
            me: person(4),
            segments: Arc::new(segments),
            collaborators: (0..3)
                .map(|n| Collaborator {
                    user: person(n),
                    role: if n == 0 { Role::Owner } else { Role::Editor },
                    segments: 13,
                    characters: 400,
                })
                .collect(),
            ring_history: Arc::new(vec![RingPass {
                from: person(0),
                to: person(1),
                kind: PassKind::Pass,
                after_position: 3,
                at_ms: 1_795_633_385_000,
            }]),
            show_joined_banner: true,
            event_seq: 77,
            created_at_ms: 1,
            updated_at_ms: 2,
        }
    }

    #[test]
    fn a_draft_reads_back_as_it_was_written_and_in_far_fewer_bytes() {
        let loaded = Ok(view());
        let text = DraftPayload::encode(&loaded).expect("encodes");
        assert_eq!(DraftPayload::decode(&text).expect("decodes"), loaded);
        assert_eq!(
            text.matches("writer_1").count(),
            1,
            "each person once: {text}"
        );
        let full = serde_json::to_string(&loaded).expect("encodes");
        assert!(
            text.len() * 2 < full.len(),
            "{} against {}",
            text.len(),
            full.len()
        );
        assert_eq!(
            DraftPayload::encode(&loaded).expect("encodes"),
            text,
            "deterministic"
        );
    }

    #[test]
    fn an_error_reads_back_as_the_same_error() {
        let loaded: Loaded = Err(AppError::NotFound);
        let text = DraftPayload::encode(&loaded).expect("encodes");
        assert_eq!(DraftPayload::decode(&text).expect("decodes"), loaded);
    }

    #[test]
    fn a_payload_naming_someone_outside_the_list_is_refused() {
        let text = DraftPayload::encode(&Ok(view())).expect("encodes");
        // The owner, the ring holder and me come first: I am the third person.
        let broken = text.replace("\"me\":2", "\"me\":9");
        assert_ne!(broken, text);
        assert!(DraftPayload::decode(&broken).is_err());
        assert!(DraftPayload::decode("{\"Ok\":{}}").is_err());
    }
}
