//! The recommender's operator commands, for `onetip-recommender` and the
//! `onetip` launcher alike:
//!
//! * `export-decisions [--since T] [--out FILE]`: resolved decisions as
//!   Vowpal Wabbit DSJSON, one line each (standard output by default).
//! * `evaluate --policy NAME [--since T]`: IPS and SNIPS estimates of a
//!   policy's mean reward from the log, beside the logged mean, as JSON.
//!
//! `T` is RFC 3339 (`2026-12-01T00:00:00Z`), a date (`2026-12-01`) or epoch
//! milliseconds.

use anyhow::{Context, bail};
use platform::Env;

use crate::policy::PolicyFactory;
use crate::store::Store;
use crate::{Settings, export, open_database};

/// The commands this module answers.
pub const COMMANDS: [&str; 2] = ["export-decisions", "evaluate"];

/// Runs `args` (the command and its flags) against the database the
/// settings in `env` name.
pub async fn run(args: &[String], env: &Env) -> anyhow::Result<()> {
    let (command, flags) = args.split_first().context("no command")?;
    let mut since = 0i64;
    let mut out: Option<String> = None;
    let mut policy: Option<String> = None;
    let mut rest = flags.iter();
    while let Some(flag) = rest.next() {
        let mut value = || rest.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--since" => since = parse_since(value()?)?,
            "--out" => out = Some(value()?.clone()),
            "--policy" => policy = Some(value()?.clone()),
            other => bail!("unknown flag {other}"),
        }
    }
    let settings = Settings::from_env(env)?;
    let store = Store::new(open_database(&settings).await?);
    match command.as_str() {
        "export-decisions" => {
            let count = match out {
                Some(path) => {
                    let file =
                        std::fs::File::create(&path).with_context(|| format!("creating {path}"))?;
                    let mut writer = std::io::BufWriter::new(file);
                    let n = export::export_dsjson(&store, since, &mut writer).await?;
                    std::io::Write::flush(&mut writer)?;
                    n
                }
                None => {
                    let stdout = std::io::stdout();
                    let mut lock = stdout.lock();
                    export::export_dsjson(&store, since, &mut lock).await?
                }
            };
            eprintln!("exported {count} decisions");
        }
        "evaluate" => {
            let policy = policy.context("evaluate needs --policy NAME")?;
            let factory = PolicyFactory::new(settings.epsilon);
            let estimate = export::evaluate(&store, &factory, &policy, since).await?;
            println!("{}", serde_json::to_string(&estimate)?);
        }
        other => bail!("unknown command {other} (known: {})", COMMANDS.join(", ")),
    }
    Ok(())
}

/// `--since`: RFC 3339, a date, or epoch milliseconds.
pub fn parse_since(text: &str) -> anyhow::Result<i64> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(ms) = text.parse::<i64>() {
        return Ok(ms);
    }
    if let Ok(t) = time::OffsetDateTime::parse(text, &Rfc3339) {
        return Ok((t.unix_timestamp_nanos() / 1_000_000) as i64);
    }
    if let Some(day) = crate::domain::candidate::parse_day(text).filter(|_| text.len() == 10) {
        return Ok(day.midnight().assume_utc().unix_timestamp() * 1000);
    }
    bail!("--since takes RFC 3339, YYYY-MM-DD or epoch milliseconds, not {text:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_reads_three_forms() {
        assert_eq!(parse_since("1700000000000").unwrap(), 1_700_000_000_000);
        assert_eq!(parse_since("2026-12-01").unwrap(), 1_796_083_200_000);
        assert_eq!(
            parse_since("2026-12-01T00:00:00Z").unwrap(),
            1_796_083_200_000
        );
        assert!(parse_since("yesterday").is_err());
    }
}
