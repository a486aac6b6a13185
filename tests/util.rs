//! Shared helpers.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, OnceLock};

use assay::Evaluator;

/// The evaluator over the embedded corpus, built once for all tests.
pub fn evaluator() -> &'static Evaluator {
    shared_evaluator_ref()
}

/// The same evaluator, to hand to a server.
pub fn shared_evaluator() -> Arc<Evaluator> {
    Arc::clone(shared_evaluator_ref())
}

fn shared_evaluator_ref() -> &'static Arc<Evaluator> {
    static EVALUATOR: OnceLock<Arc<Evaluator>> = OnceLock::new();
    EVALUATOR.get_or_init(|| Arc::new(Evaluator::embedded().expect("the embedded corpus loads")))
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the `assay` binary with `args`, optionally feeding `stdin`.
pub fn assay(args: &[&str], stdin: Option<&str>) -> Output {
    use std::io::Write;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_assay"));
    cmd.args(args)
        .current_dir(root())
        .env_remove("ASSAY_CORPUS")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("assay starts");
    // Feed standard input from another thread: `assay grade` streams, writing
    // results while it still reads, so writing all input first could fill
    // the output pipe and leave both sides waiting.
    let feeder = child.stdin.take().map(|mut pipe| {
        let text = stdin.unwrap_or_default().to_owned();
        std::thread::spawn(move || pipe.write_all(text.as_bytes()))
    });
    let output = child.wait_with_output().expect("assay finishes");
    if let Some(feeder) = feeder {
        // A command that exits without reading everything closes the pipe.
        let _ = feeder.join();
    }
    output
}

/// Standard output as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Copies the shipped corpus into a fresh temporary directory.
pub fn corpus_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temp dir");
    for entry in std::fs::read_dir(root().join("corpus")).expect("corpus dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "toml") {
            let name = path.file_name().expect("file name");
            std::fs::copy(&path, dir.path().join(name)).expect("copy");
        }
    }
    dir
}

/// Reads a file as text.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("readable file")
}

/// Starts `assay serve --listen 127.0.0.1:0 --log-json` with `args` and
/// `envs`; returns the child, the address its log says it listens on, and
/// the rest of its log (read it, or drain it, so the child never blocks).
pub fn serve_binary(
    args: &[&str],
    envs: &[(&str, &std::ffi::OsStr)],
) -> (
    std::process::Child,
    String,
    std::io::BufReader<std::process::ChildStderr>,
) {
    use std::io::BufRead;
    use std::process::Stdio;
    let mut command = Command::new(env!("CARGO_BIN_EXE_assay"));
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--log-json"])
        .args(args)
        .env_remove("ASSAY_CORPUS")
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .stdout(Stdio::null());
    for (name, value) in envs {
        command.env(name, value);
    }
    let mut child = command.spawn().expect("assay serve starts");
    let mut log = std::io::BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    while log.read_line(&mut line).unwrap_or(0) > 0 {
        let record: serde_json::Value = serde_json::from_str(&line).expect("JSON log lines");
        if let Some(addr) = record["addr"].as_str() {
            return (child, addr.to_owned(), log);
        }
        line.clear();
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("assay serve exited before listening");
}
