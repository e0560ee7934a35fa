//! `onetip-profile`: the profile service on its own.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = profile::Settings::from_process()?;
    platform::telemetry::init(&settings.common);
    let served = profile::run(settings, platform::Shutdown::on_signal()).await;
    platform::telemetry::flush();
    served
}
