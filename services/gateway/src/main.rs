//! `onetip-gateway`: the gateway on its own.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = gateway::Settings::from_process()?;
    platform::telemetry::init(&settings.service.common);
    let served = gateway::run(settings, platform::Shutdown::on_signal()).await;
    platform::telemetry::flush();
    served
}
