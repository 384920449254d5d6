//! The fake Stripe API of the billing tests as a process, for the browser test
//! (`end2end/tests/billing.test.mjs`): `fake_stripe <port> <webhook url>`. Paying on its
//! checkout page delivers signed events to the webhook, as Stripe does.

#[path = "../tests/common/fake_stripe.rs"]
mod fake_stripe;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(port), Some(webhook_url)) = (args.next(), args.next()) else {
        eprintln!("usage: fake_stripe <port> <webhook url>");
        std::process::exit(2);
    };
    let fake = fake_stripe::FakeStripe::serve(&format!("127.0.0.1:{port}")).await;
    fake.state().webhook_url = Some(webhook_url);
    println!("fake Stripe on {}", fake.url);
    std::future::pending::<()>().await;
}
