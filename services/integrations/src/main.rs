//! `onetip-integrations`: the integrations service on its own.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = integrations::Settings::from_process()?;
    platform::telemetry::init(&settings.common);
    integrations::run(settings, platform::Shutdown::on_signal()).await
}
