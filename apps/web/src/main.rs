//! `onetip-web`: the web app on its own.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = web::Settings::from_process()?;
    platform::telemetry::init(&settings.service.common);
    let served = web::run(settings, platform::Shutdown::on_signal()).await;
    platform::telemetry::flush();
    served
}
