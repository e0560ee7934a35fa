//! `onetip-recommender`: the recommender service on its own, or one of its
//! operator commands (`export-decisions`, `evaluate`; see `recommender::cli`).

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args
        .first()
        .is_some_and(|c| recommender::cli::COMMANDS.contains(&c.as_str()))
    {
        return recommender::cli::run(&args, &platform::Env::from_process()).await;
    }
    let settings = recommender::Settings::from_process()?;
    platform::telemetry::init(&settings.common);
    let served = recommender::run(settings, platform::Shutdown::on_signal()).await;
    platform::telemetry::flush();
    served
}
