//! The OneRing server: configuration, database, migrations, then the axum app.

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    match onering::server::run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("OneRing could not start: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The browser entry point is `hydrate` in lib.rs; the server needs the `ssr` feature.
}
