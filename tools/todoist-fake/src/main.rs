//! `todoist-fake`: the fake Todoist on its own.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let env = platform::Env::from_process();
    let common = platform::CommonSettings::from_env(&env)?;
    platform::telemetry::init(&common);
    todoist_fake::build(todoist_fake::addr(&env)?)
        .await?
        .serve(platform::Shutdown::on_signal())
        .await
}
