//! `onetip-web`: the web app on its own.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = web::Settings::from_process()?;
    platform::telemetry::init(&settings.service.common);
    web::run(settings, platform::Shutdown::on_signal()).await
}
