//! `onetip-recommender`: the recommender service on its own.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = recommender::Settings::from_process()?;
    platform::telemetry::init(&settings.common);
    recommender::run(settings, platform::Shutdown::on_signal()).await
}
