//! What a run measured, and `bench/RESULTS.md` written from it: the
//! machine, the tables, every target of issue 13 checked against the
//! figures, and the findings kept by hand in `bench/FINDINGS.md`.

use std::fmt::Write;
use std::time::Duration;

use crate::Plan;
use crate::drive::Measure;
use crate::fleet::Backend;

#[derive(Default, Clone)]
pub struct Row {
    pub name: String,
    pub full: Measure,
    /// Paced at half of `full`'s rate.
    pub half: Option<Measure>,
}

pub struct Budget {
    pub users: usize,
    pub views_per_user_s: f64,
    pub seconds: u32,
    pub mean_per_user_min: f64,
    pub max_per_user_min: f64,
    pub bad: u64,
}

/// A users row: how many hold sessions, how many the load went to, and
/// the setup (seeding the databases, then warming the load's users).
pub struct UsersRow {
    pub holding: usize,
    pub load: usize,
    pub measure: Measure,
    pub seed: Duration,
    pub warm: Duration,
}

pub struct BackendResults {
    pub backend: Backend,
    pub startup: Duration,
    pub hot: Vec<Row>,
    pub rss_idle: f64,
    pub rss_peak: f64,
    pub rss_after: f64,
    pub budget: Option<Budget>,
    pub tasks: Vec<(usize, Measure)>,
    pub users: Vec<UsersRow>,
    pub decisions: Vec<(u64, Measure, Duration)>,
}

impl BackendResults {
    pub fn new(backend: Backend, startup: Duration) -> Self {
        Self {
            backend,
            startup,
            hot: Vec::new(),
            rss_idle: 0.0,
            rss_peak: 0.0,
            rss_after: 0.0,
            budget: None,
            tasks: Vec::new(),
            users: Vec::new(),
            decisions: Vec::new(),
        }
    }
}

pub struct Results {
    pub plan: Plan,
    pub quick: bool,
    pub cold: Vec<Duration>,
    pub hello: Row,
    pub plumbing: Row,
    pub backends: Vec<BackendResults>,
    pub wall: Duration,
}

fn command(program: &str, args: &[&str]) -> String {
    std::process::Command::new(program)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

fn proc_field(file: &str, name: &str) -> String {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .find_map(|l| {
            Some(
                l.strip_prefix(name)?
                    .trim_start()
                    .strip_prefix(':')?
                    .trim()
                    .to_owned(),
            )
        })
        .unwrap_or_default()
}

/// `value (÷hello, ÷plumbing)` where both ratios are "baseline is 1, more
/// is better": baseline ÷ value for costs, value ÷ baseline for rates.
fn with_ratios(value: f64, hello: f64, plumbing: f64, cost: bool, digits: usize) -> String {
    let r = |b: f64| if cost { b / value } else { value / b };
    format!("{value:.digits$} ({:.2}, {:.2})", r(hello), r(plumbing))
}

fn ok(met: bool) -> &'static str {
    if met { "met" } else { "**missed**" }
}

impl Results {
    pub fn new(plan: Plan, quick: bool) -> Self {
        Self {
            plan,
            quick,
            cold: Vec::new(),
            hello: Row::default(),
            plumbing: Row::default(),
            backends: Vec::new(),
            wall: Duration::ZERO,
        }
    }

    fn hot_table(&self, out: &mut String, b: &BackendResults) {
        let (h, p) = (&self.hello, &self.plumbing);
        let _ = writeln!(
            out,
            "| request | CPU µs/request | req/s at c32 | p50 ms at c32 | p99 ms at c32 | p99 ms at half rate (rate/s) | bad answers |\n|---|---|---|---|---|---|---|"
        );
        for row in [h, p].into_iter().chain(&b.hot) {
            let f = &row.full;
            let half = row.half.map_or("—".to_owned(), |m| {
                format!(
                    "{} ({:.0})",
                    with_ratios(
                        m.p99_ms,
                        h.half.map_or(f64::NAN, |x| x.p99_ms),
                        p.half.map_or(f64::NAN, |x| x.p99_ms),
                        true,
                        2
                    ),
                    m.rps
                )
            });
            let _ = writeln!(
                out,
                "| {} | {} | {} | {:.2} | {} | {} | {} |",
                row.name,
                with_ratios(f.cpu_us, h.full.cpu_us, p.full.cpu_us, true, 1),
                with_ratios(f.rps, h.full.rps, p.full.rps, false, 0),
                f.p50_ms,
                with_ratios(f.p99_ms, h.full.p99_ms, p.full.p99_ms, true, 2),
                half,
                f.bad + row.half.map_or(0, |m| m.bad),
            );
        }
    }

    fn scaling(&self, out: &mut String) {
        let _ = write!(out, "| row |");
        for b in &self.backends {
            let _ = write!(
                out,
                " {0} CPU µs/req | {0} req/s | {0} p99 ms | {0} setup |",
                b.backend.name()
            );
        }
        let _ = write!(out, "\n|---|");
        for _ in &self.backends {
            let _ = write!(out, "---|---|---|---|");
        }
        let _ = writeln!(out);
        let cell = |m: &Measure, setup: Option<Duration>| {
            format!(
                " {:.1} | {:.0} | {:.2} | {} |",
                m.cpu_us,
                m.rps,
                m.p99_ms,
                setup.map_or("—".to_owned(), |d| format!("{:.1} s", d.as_secs_f64()))
            )
        };
        let Some(first) = self.backends.first() else {
            return;
        };
        for i in 0..first.tasks.len() {
            let _ = write!(out, "| {} open tasks, 1 user |", first.tasks[i].0);
            for b in &self.backends {
                let _ = write!(
                    out,
                    "{}",
                    b.tasks.get(i).map_or(String::new(), |t| cell(&t.1, None))
                );
            }
            let _ = writeln!(out);
        }
        for (i, u) in first.users.iter().enumerate() {
            let _ = if u.holding == 1 {
                write!(out, "| 1 user holding a session (the hot path's) |")
            } else {
                write!(
                    out,
                    "| {} users holding sessions (load over {} of them) |",
                    u.holding, u.load
                )
            };
            for b in &self.backends {
                let _ = write!(
                    out,
                    "{}",
                    b.users.get(i).map_or(String::new(), |u| {
                        let mut c = cell(&u.measure, None);
                        if u.holding > 1 {
                            c.truncate(c.len() - " — |".len());
                            let _ = write!(
                                c,
                                " seed {:.1} s + warm {:.1} s |",
                                u.seed.as_secs_f64(),
                                u.warm.as_secs_f64()
                            );
                        }
                        c
                    })
                );
            }
            let _ = writeln!(out);
        }
        for i in 0..first.decisions.len() {
            let _ = write!(out, "| {} stored decisions |", first.decisions[i].0);
            for b in &self.backends {
                let _ = write!(
                    out,
                    "{}",
                    b.decisions
                        .get(i)
                        .map_or(String::new(), |t| cell(&t.1, Some(t.2)))
                );
            }
            let _ = writeln!(out);
        }
    }

    fn targets(&self, out: &mut String) {
        let p = &self.plumbing;
        let _ = writeln!(out, "| target | measured | |\n|---|---|---|");
        for b in &self.backends {
            let name = b.backend.name();
            if let (Some(rec), Some(page)) = (b.hot.first(), b.hot.get(1)) {
                let cpu = p.full.cpu_us / rec.full.cpu_us;
                let rps = rec.full.rps / p.full.rps;
                let _ = writeln!(
                    out,
                    "| {name}: recommend ≥ 1.0 × plumbing (CPU, throughput) | {cpu:.2}, {rps:.2} | {} |",
                    ok(cpu >= 1.0 && rps >= 1.0)
                );
                let cpu = p.full.cpu_us / page.full.cpu_us;
                let rps = page.full.rps / p.full.rps;
                let _ = writeln!(
                    out,
                    "| {name}: tip page ≥ 0.8 × plumbing (CPU, throughput) | {cpu:.2}, {rps:.2} | {} |",
                    ok(cpu >= 0.8 && rps >= 0.8)
                );
                for row in [rec, page] {
                    if let Some(half) = row.half {
                        let _ = writeln!(
                            out,
                            "| {name}: {} p99 < 10 ms at half rate | {:.2} ms | {} |",
                            row.name,
                            half.p99_ms,
                            ok(half.p99_ms < 10.0)
                        );
                    }
                }
            }
            // The issue's targets are in MB (10^6 bytes); /proc gives KiB.
            let mb = |mib: f64| mib * 1.048576;
            let _ = writeln!(
                out,
                "| {name}: RSS idle < 30 MB, under load < 100 MB | {:.1} MiB ({:.1} MB), {:.1} MiB ({:.1} MB) | {} |",
                b.rss_idle,
                mb(b.rss_idle),
                b.rss_peak,
                mb(b.rss_peak),
                ok(mb(b.rss_idle) < 30.0 && mb(b.rss_peak) < 100.0)
            );
            if let Some(budget) = &b.budget {
                let per_view = budget.mean_per_user_min / (budget.views_per_user_s * 60.0);
                let _ = writeln!(
                    out,
                    "| {name}: 0 Todoist calls per view (warm); ≤ 6 per user per minute | {per_view:.3} per view, at most {:.1}/user/min | {} |",
                    budget.max_per_user_min,
                    ok(budget.max_per_user_min <= 6.0)
                );
            }
            if let (Some(few), Some(most)) = (b.tasks.first(), b.tasks.last()) {
                let g = most.1.cpu_us / few.1.cpu_us;
                let _ = writeln!(
                    out,
                    "| {name}: recommend CPU from {} to {} open tasks < 2× | {g:.2}× | {} |",
                    few.0,
                    most.0,
                    ok(g < 2.0)
                );
            }
            if let (Some(one), Some(many)) = (b.users.first(), b.users.last()) {
                let g = many.measure.cpu_us / one.measure.cpu_us;
                let same_load = b
                    .users
                    .iter()
                    .find(|u| u.holding > 1 && u.load == many.load && u.holding < many.holding)
                    .map_or(String::new(), |u| {
                        format!(
                            "; {} → {} with the same load: {:.2}×",
                            u.holding,
                            many.holding,
                            many.measure.cpu_us / u.measure.cpu_us
                        )
                    });
                let _ = writeln!(
                    out,
                    "| {name}: flat with users (1 → {}), within 1.2× | {g:.2}×{same_load} | {} |",
                    many.holding,
                    ok(g < 1.2)
                );
            }
            if let (Some(one), Some(last)) = (b.hot.first(), b.decisions.last()) {
                let g = last.1.cpu_us / one.full.cpu_us;
                let _ = writeln!(
                    out,
                    "| {name}: flat with stored decisions (→ {}), within 1.2× | {g:.2}× | {} |",
                    last.0,
                    ok(g < 1.2)
                );
            }
        }
        let mut cold = self.cold.clone();
        cold.sort();
        if let Some(median) = cold.get(cold.len() / 2) {
            let _ = writeln!(
                out,
                "| cold start < 0.2 s | {:.3} s | {} |",
                median.as_secs_f64(),
                ok(median.as_secs_f64() < 0.2)
            );
        }
    }

    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let commit = command("git", &["rev-parse", "--short", "HEAD"]);
        let dirty = !command("git", &["status", "--porcelain", "--untracked-files=no"]).is_empty();
        let _ = writeln!(out, "# Benchmark results\n");
        let _ = writeln!(
            out,
            "Written by `bash bench/run.sh`{} on {} at commit `{commit}`{}; the run took {:.0} s.\n",
            if self.quick {
                " **--quick** (short loads, small rows: not the reference figures)"
            } else {
                ""
            },
            command("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
            if dirty {
                " (with uncommitted changes)"
            } else {
                ""
            },
            self.wall.as_secs_f64()
        );
        let _ = writeln!(
            out,
            "Machine: {} cores ({}), {} memory, Linux {}. Servers pinned to core 0 (`taskset -c 0`), the load (`wrk -t1 -c32`, {} s per figure after {} s of warm-up; the paced client) on core 1.\n",
            command("nproc", &["--all"]),
            proc_field("/proc/cpuinfo", "model name"),
            proc_field("/proc/meminfo", "MemTotal"),
            command("uname", &["-r"]),
            self.plan.seconds,
            self.plan.warm_seconds,
        );
        out.push_str(include_str!("../METHOD.md"));
        for b in &self.backends {
            let _ = writeln!(
                out,
                "\n## Hot paths through the gateway, {}\n",
                b.backend.name()
            );
            self.hot_table(&mut out, b);
        }
        let _ = writeln!(out, "\n## Memory and start\n");
        let _ = writeln!(
            out,
            "| fleet | RSS idle | peak RSS under load (VmHWM) | RSS 2 s after load | launch to /health green |\n|---|---|---|---|---|"
        );
        for b in &self.backends {
            let _ = writeln!(
                out,
                "| {} | {:.1} MiB | {:.1} MiB | {:.1} MiB | {:.3} s |",
                b.backend.name(),
                b.rss_idle,
                b.rss_peak,
                b.rss_after,
                b.startup.as_secs_f64()
            );
        }
        let colds: Vec<String> = self
            .cold
            .iter()
            .map(|d| format!("{:.3} s", d.as_secs_f64()))
            .collect();
        let _ = writeln!(
            out,
            "\nCold start on the embedded defaults (SQLite, fresh `DATA_DIR`, keys generated, migrations run, the sandbox Todoist), launch to `/health` 200: {}.\n",
            colds.join(", ")
        );
        if let Some(budget) = self.backends.iter().find_map(|b| b.budget.as_ref()) {
            let _ = writeln!(
                out,
                "## Todoist budget\n\n{} users each viewing the tip page {} times a second for {} s (warm cache, `TODOIST_CACHE_TTL` default): the fake Todoist received {:.2} calls per user per minute on average, {:.2} at most for one user ({} bad answers).\n",
                budget.users,
                budget.views_per_user_s,
                budget.seconds,
                budget.mean_per_user_min,
                budget.max_per_user_min,
                budget.bad
            );
        }
        let _ = writeln!(
            out,
            "## How recommend's cost grows (sticky `POST /api/recommend`, c32)\n"
        );
        self.scaling(&mut out);
        let _ = writeln!(out, "\n## Targets of issue 13\n");
        self.targets(&mut out);
        out.push('\n');
        out.push_str(
            &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/bench/FINDINGS.md"))
                .unwrap_or_default(),
        );
        out
    }
}
