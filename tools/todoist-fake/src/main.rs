//! `todoist-fake`: the fake Todoist on its own (Compose, the SDK check).

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let env = platform::Env::from_process();
    let common = platform::CommonSettings::from_env(&env)?;
    platform::telemetry::init(&common);
    let config = todoist_fake::FakeConfig::from_env(&env)?;
    todoist_fake::FakeTodoist::new(config)
        .bind(todoist_fake::addr(&env)?)
        .await?
        .serve(platform::Shutdown::on_signal())
        .await
}
