//! A tiny `--name value` command-line parser for the bench binaries (no extra dependency).

use std::collections::HashMap;
use std::fmt::Display;
use std::str::FromStr;

/// Parsed `--name value` pairs and bare `--flag`s.
#[derive(Debug, Default)]
pub struct Args {
    values: HashMap<String, String>,
    flags: Vec<String>,
}

impl Args {
    /// Parses the process arguments; a `--name` followed by another `--…` (or nothing) is a
    /// flag.
    pub fn from_env() -> Self {
        Self::parse(std::env::args().skip(1))
    }

    /// Parses `args` (without the program name).
    pub fn parse(args: impl IntoIterator<Item = String>) -> Self {
        let mut parsed = Args::default();
        let mut iter = args.into_iter().peekable();
        while let Some(arg) = iter.next() {
            let Some(name) = arg.strip_prefix("--") else {
                continue;
            };
            if let Some((name, value)) = name.split_once('=') {
                parsed.values.insert(name.to_owned(), value.to_owned());
            } else if iter.peek().is_some_and(|next| !next.starts_with("--")) {
                let value = iter.next().unwrap_or_default();
                parsed.values.insert(name.to_owned(), value);
            } else {
                parsed.flags.push(name.to_owned());
            }
        }
        parsed
    }

    /// The value of `--name` parsed as `T`, or `default`.
    ///
    /// # Panics
    ///
    /// When the value does not parse (the binaries stop with the message).
    pub fn get<T>(&self, name: &str, default: T) -> T
    where
        T: FromStr,
        T::Err: Display,
    {
        match self.values.get(name) {
            None => default,
            Some(raw) => raw
                .parse()
                .unwrap_or_else(|err| panic!("--{name} {raw}: {err}")),
        }
    }

    /// The raw value of `--name`.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// Whether the bare flag `--name` was given.
    pub fn flag(&self, name: &str) -> bool {
        self.flags.iter().any(|f| f == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_flags() {
        let args = Args::parse(
            ["--clients", "10", "--no-build", "--runs=3", "--x"]
                .into_iter()
                .map(String::from),
        );
        assert_eq!(args.get("clients", 0usize), 10);
        assert_eq!(args.get("runs", 0usize), 3);
        assert_eq!(args.get("missing", 7usize), 7);
        assert!(args.flag("no-build"));
        assert!(args.flag("x"));
        assert!(!args.flag("clients"));
    }
}
