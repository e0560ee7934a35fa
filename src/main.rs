//! `onetip`: the whole fleet in one process. `cargo run --release` runs this.
//!
//! `onetip env-vars` prints every variable the configuration reads;
//! `onetip export-decisions …` and `onetip evaluate …` are the
//! recommender's operator commands (see `recommender::cli`).

use platform::{Env, Shutdown};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::args().nth(1).as_deref() == Some("env-vars") {
        for name in onetip::variables_read() {
            println!("{name}");
        }
        return Ok(());
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args
        .first()
        .is_some_and(|c| recommender::cli::COMMANDS.contains(&c.as_str()))
    {
        return recommender::cli::run(&args, &Env::from_process()).await;
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
    let served = fleet.serve(Shutdown::on_signal()).await;
    // Spans and error reports still queued go out before the process ends.
    platform::telemetry::flush();
    served
}
