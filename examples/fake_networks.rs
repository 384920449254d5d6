//! The fake Bluesky, Mastodon and X servers of the publishing tests as a process, for the
//! browser test (`end2end/tests/publishing.test.mjs`): `fake_networks <port>`.

#[path = "../tests/common/fake_networks.rs"]
mod fake_networks;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let Some(port) = std::env::args().nth(1) else {
        eprintln!("usage: fake_networks <port>");
        std::process::exit(2);
    };
    let fake = fake_networks::FakeNetworks::serve(&format!("127.0.0.1:{port}")).await;
    println!("fake networks on {}", fake.url);
    std::future::pending::<()>().await;
}
