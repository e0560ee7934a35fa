//! `onetip-auth`: the auth service on its own.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = auth::Settings::from_process()?;
    platform::telemetry::init(&settings.common);
    let served = auth::run(settings, platform::Shutdown::on_signal()).await;
    platform::telemetry::flush();
    served
}
