//! `onetip`: the whole fleet in one process. `cargo run --release` runs this.
//!
//! `onetip env-vars` prints every variable the configuration reads.

use platform::{Env, Shutdown};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::args().nth(1).as_deref() == Some("env-vars") {
        for name in onetip::variables_read() {
            println!("{name}");
        }
        return Ok(());
    }
    let env = Env::from_process();
    let settings = onetip::FleetSettings::from_env(&env)?;
    platform::telemetry::init(&settings.gateway.service.common);
    let public_url = settings.gateway.service.common.public_url.clone();
    let fleet = onetip::Fleet::build(settings).await?;
    tracing::info!(gateway = %fleet.gateway_addr, "every service is up");
    println!(
        "\n  Onetip is running: open {public_url}\n  Health dashboard: {public_url}/status\n  Ctrl-C stops everything.\n"
    );
    fleet.serve(Shutdown::on_signal()).await
}
