//! Progress and outcome messages: readable lines on standard error for people, or one JSON
//! object per line on standard output for schedulers (`--log-format json`).

use serde::Serialize;

/// The log's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// How much to say in text form: `--quiet` only errors, `--verbose` every step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Verbosity {
    Quiet,
    #[default]
    Normal,
    Verbose,
}

/// One event of a run.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event<'a> {
    /// An analysis starts.
    Start { analysis: &'a str },
    /// An analysis was skipped: nothing it reads has changed.
    Skip { analysis: &'a str, reason: &'a str },
    /// A step finished.
    Step {
        analysis: &'a str,
        step: &'a str,
        year: Option<i32>,
        rows: u64,
        seconds: f64,
    },
    /// An analysis finished and its outputs were written.
    Done {
        analysis: &'a str,
        patients: u64,
        suppressed_primary: usize,
        suppressed_secondary: usize,
        folder: &'a str,
        seconds: f64,
    },
    /// A document (the annual analysis or the midway status of every analysis) was written.
    Document { kind: &'a str, folder: &'a str },
    /// Something went wrong that does not stop the run (its outputs are written).
    Warning { message: &'a str },
    /// An analysis failed; the others go on.
    Failed {
        analysis: &'a str,
        exit_code: i32,
        message: &'a str,
    },
}

/// Where and how events are written.
#[derive(Debug, Clone, Copy, Default)]
pub struct Log {
    pub format: LogFormat,
    pub verbosity: Verbosity,
}

impl Log {
    pub fn event(&self, event: &Event<'_>) {
        match self.format {
            LogFormat::Json => {
                if let Ok(line) = serde_json::to_string(event) {
                    super::console::log_line(&line);
                }
            }
            LogFormat::Text => {
                let important = matches!(event, Event::Failed { .. } | Event::Warning { .. });
                let shown = match self.verbosity {
                    Verbosity::Quiet => important,
                    Verbosity::Normal => !matches!(event, Event::Step { .. } | Event::Start { .. }),
                    Verbosity::Verbose => true,
                };
                if shown {
                    super::console::err(&format!("{}\n", text(event)));
                }
            }
        }
    }
}

fn text(event: &Event<'_>) -> String {
    match event {
        Event::Start { analysis } => format!("{analysis}: started"),
        Event::Skip { analysis, reason } => format!("{analysis}: skipped, {reason}"),
        Event::Step {
            analysis,
            step,
            year,
            rows,
            seconds,
        } => format!(
            "{analysis}: {step}{} {rows} rows in {seconds:.1} s",
            year.map(|y| format!(" {y}")).unwrap_or_default()
        ),
        Event::Done {
            analysis,
            patients,
            suppressed_primary,
            suppressed_secondary,
            folder,
            seconds,
        } => format!(
            "{analysis}: {patients} patients; {suppressed_primary} cells suppressed (primary), {suppressed_secondary} (secondary); wrote {folder} in {seconds:.1} s"
        ),
        Event::Document { kind, folder } => format!("{kind}: wrote {folder}"),
        Event::Warning { message } => format!("warning: {message}"),
        Event::Failed {
            analysis,
            exit_code,
            message,
        } => format!("{analysis}: failed (exit code {exit_code}): {message}"),
    }
}

/// A live progress line on a terminal for a long step ("label ... 12 s"), redrawn until dropped.
/// Nothing is drawn when standard error is not a terminal, in JSON form or with `--quiet`.
pub struct Progress {
    stop: Option<std::sync::mpsc::Sender<()>>,
    worker: Option<std::thread::JoinHandle<()>>,
}

impl Log {
    /// Starts a progress line for a step.
    pub fn progress(&self, label: String) -> Progress {
        use std::io::IsTerminal;
        let drawn = self.format == LogFormat::Text
            && self.verbosity != Verbosity::Quiet
            && std::io::stderr().is_terminal();
        if !drawn {
            return Progress {
                stop: None,
                worker: None,
            };
        }
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let worker = std::thread::spawn(move || {
            let started = std::time::Instant::now();
            let frames = ['|', '/', '-', '\\'];
            let mut frame = 0;
            loop {
                super::console::err(&format!(
                    "\r{} {label} {:.0} s ",
                    frames[frame % frames.len()],
                    started.elapsed().as_secs_f64()
                ));
                frame += 1;
                if stopped
                    .recv_timeout(std::time::Duration::from_millis(200))
                    .is_ok()
                {
                    super::console::err(&format!("\r{}\r", " ".repeat(label.len() + 16)));
                    break;
                }
            }
        });
        Progress {
            stop: Some(stop),
            worker: Some(worker),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}
