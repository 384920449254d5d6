//! The signed-in state every page reads: one resource, refetched after each auth action.
//!
//! The sign-in and sign-up actions belong to their pages (created under the router, so that
//! an error from a form posted without JavaScript, which comes back in the page's address,
//! is shown there); a page tells the state it changed with [`Auth::changed`].

use leptos::prelude::*;

use super::api::{current_account, SignOut};
use super::model::Me;
use crate::error::AppError;

#[derive(Clone, Copy)]
pub struct Auth {
    pub me: Resource<Result<Option<Me>, AppError>>,
    pub sign_out: ServerAction<SignOut>,
    /// Bumped when someone signed in or up on this page.
    signed_in: RwSignal<usize>,
}

impl Auth {
    /// Reloads the signed-in state (after a sign-in or sign-up on this page).
    pub fn changed(&self) {
        self.signed_in.update(|n| *n += 1);
    }
}

pub fn provide_auth() {
    let sign_out = ServerAction::<SignOut>::new();
    let signed_in = RwSignal::new(0_usize);
    // Blocking: the page's first byte waits for it, so the signed-in state (and any redirect
    // it causes, with its status) is settled before streaming starts.
    let me = Resource::new_blocking(
        move || (signed_in.get(), sign_out.version().get()),
        |_| current_account(),
    );
    provide_context(Auth {
        me,
        sign_out,
        signed_in,
    });
}

pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}
