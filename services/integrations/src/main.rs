//! `onetip-integrations`: the integrations service on its own.
//!
//! `onetip-integrations rotate-keys [--batch-size N]` re-encrypts every
//! stored credential under the newest key of `TOKEN_VAULT_KEYS`, then exits.

use anyhow::{Context, bail};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = args.first().map(String::as_str);
    if let Some(other) = command.filter(|c| *c != "rotate-keys") {
        bail!("unknown command {other:?}; expected no command or `rotate-keys`");
    }
    let settings = integrations::Settings::from_process()?;
    platform::telemetry::init(&settings.common);
    let done = match command {
        Some(_) => rotate_keys(settings, &args[1..]).await,
        None => integrations::run(settings, platform::Shutdown::on_signal()).await,
    };
    platform::telemetry::flush();
    done
}

async fn rotate_keys(settings: integrations::Settings, args: &[String]) -> anyhow::Result<()> {
    let mut options = integrations::vault::rotate::RotateOptions::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--batch-size" => {
                options.batch_size = args
                    .next()
                    .context("--batch-size needs a number")?
                    .parse()
                    .context("--batch-size needs a number")?;
            }
            other => bail!("unknown option {other:?}"),
        }
    }
    let db = integrations::open_database(&settings).await?;
    let store = integrations::store::Store::new(db);
    let vault = integrations::vault::Vault::new(settings.vault_keys.clone());
    let report = integrations::vault::rotate::rotate(&store, &vault, options).await?;
    println!(
        "resealed {} row(s) under key {} in {} batch(es) ({:.1?}); {} changed meanwhile, {} unreadable and left as they are",
        report.resealed,
        vault.active_key_id(),
        report.batches,
        report.elapsed,
        report.skipped_concurrent,
        report.unreadable
    );
    for (key_id, rows) in store.credentials_by_key().await? {
        println!("  key {key_id}: {rows} row(s)");
    }
    if report.unreadable > 0 {
        bail!(
            "{} row(s) could not be opened with the current key ring",
            report.unreadable
        );
    }
    Ok(())
}
