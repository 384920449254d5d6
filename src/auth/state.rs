//! The signed-in state every page reads: one resource, refetched after each auth action.

use leptos::prelude::*;

use super::api::{current_account, SignIn, SignOut, SignUp};
use super::model::Me;
use crate::error::AppError;

#[derive(Clone, Copy)]
pub struct Auth {
    pub me: Resource<Result<Option<Me>, AppError>>,
    pub sign_in: ServerAction<SignIn>,
    pub sign_up: ServerAction<SignUp>,
    pub sign_out: ServerAction<SignOut>,
}

pub fn provide_auth() {
    let sign_in = ServerAction::<SignIn>::new();
    let sign_up = ServerAction::<SignUp>::new();
    let sign_out = ServerAction::<SignOut>::new();
    // Blocking: the page's first byte waits for it, so the signed-in state (and any redirect
    // it causes, with its status) is settled before streaming starts.
    let me = Resource::new_blocking(
        move || {
            (
                sign_in.version().get(),
                sign_up.version().get(),
                sign_out.version().get(),
            )
        },
        |_| current_account(),
    );
    provide_context(Auth {
        me,
        sign_in,
        sign_up,
        sign_out,
    });
}

pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}
