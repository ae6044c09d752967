//! `--help` of every subcommand describes the command and each of its arguments.

use crate::common::ulighed;

const COMMANDS: [&[&str]; 10] = [
    &["synth"],
    &["run"],
    &["plan"],
    &["measures"],
    &["measures", "proportion"],
    &["measures", "rate"],
    &["measures", "dsr"],
    &["measures", "summary"],
    &["convert"],
    &["validate"],
];

/// The argument lines of a help text (`  -o, --output <OUTPUT>  text`, `  <INPUT>  text`) with
/// what follows the argument's name, clap's bracketed defaults and value lists left out.
fn undocumented_arguments(help: &str) -> Vec<String> {
    let mut missing = Vec::new();
    let mut in_arguments = false;
    let lines: Vec<&str> = help.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.ends_with(':') && !line.starts_with(' ') {
            in_arguments = matches!(*line, "Arguments:" | "Options:");
            continue;
        }
        let trimmed = line.trim_start();
        let is_argument = in_arguments
            && line.starts_with("  ")
            && !line.starts_with("          ")
            && (trimmed.starts_with('-') || trimmed.starts_with('<'));
        if !is_argument {
            continue;
        }
        let name_end = trimmed.find("  ").unwrap_or(trimmed.len());
        let rest = trimmed[name_end..].trim();
        let without_brackets: String = {
            let mut depth = 0;
            rest.chars()
                .filter(|c| {
                    match c {
                        '[' => depth += 1,
                        ']' => depth -= 1,
                        _ => return depth == 0,
                    }
                    false
                })
                .collect()
        };
        // A description may also start on the next line, indented under the name.
        let next_is_text = lines
            .get(i + 1)
            .is_some_and(|l| l.starts_with("          ") && !l.trim().starts_with('['));
        if without_brackets.trim().is_empty() && !next_is_text {
            missing.push(trimmed[..name_end].to_string());
        }
    }
    missing
}

#[test]
fn every_subcommand_and_argument_is_described_in_its_help() {
    for command in COMMANDS {
        let mut args = command.to_vec();
        args.push("--help");
        let output = ulighed(&args);
        assert_eq!(output.status.code(), Some(0), "{command:?} --help");
        let help = String::from_utf8_lossy(&output.stdout);
        let first = help.lines().next().unwrap_or_default();
        assert!(
            !first.is_empty() && !first.starts_with("Usage:"),
            "{command:?} --help starts with a description, not {first:?}"
        );
        let missing = undocumented_arguments(&help);
        assert!(
            missing.is_empty(),
            "{command:?} --help: undocumented {missing:?}\n{help}"
        );
    }
}

#[test]
fn the_help_checker_finds_an_undocumented_argument() {
    let help = "Does things\n\nUsage: x [OPTIONS]\n\nOptions:\n      --format <FORMAT>  [default: text] [possible values: text, json]\n  -o, --output <OUTPUT>  Output CSV\n  -h, --help             Print help\n";
    assert_eq!(undocumented_arguments(help), vec!["--format <FORMAT>"]);
}
