//! Error collection and the spans errors point at.

use proc_macro2::{Span, TokenStream};
use sisk_core::{PathError, PathErrorKind, PathPattern};
use syn::LitStr;

/// Collects every mistake found in one item, so the user sees them all at once
/// (`syn::Error::combine`), as Rocket's `Diagnostics` and serde's `Ctxt` do.
#[derive(Default)]
pub(crate) struct Errors {
    first: Option<syn::Error>,
}

impl Errors {
    /// Records one error.
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.first {
            Some(first) => first.combine(error),
            None => self.first = Some(error),
        }
    }

    /// Records the error of `result`, if any, and gives back its value.
    pub(crate) fn take<T>(&mut self, result: syn::Result<T>) -> Option<T> {
        result.map_err(|e| self.push(e)).ok()
    }

    /// `Ok(())` if nothing was recorded, else all the errors.
    pub(crate) fn finish(self) -> syn::Result<()> {
        self.first.map_or(Ok(()), Err)
    }
}

/// A macro that failed: the item to emit anyway (so the rest of the crate and rust-analyzer
/// still see it, STYLE rule 10) and the errors to put next to it.
pub(crate) struct Failed {
    pub(crate) item: TokenStream,
    pub(crate) error: syn::Error,
}

/// Checks a route-path literal with sisk-core's own parser, the one the router runs when the
/// server is built: there is no second grammar.
pub(crate) fn check_path(lit: &LitStr) -> syn::Result<PathPattern> {
    PathPattern::parse(&lit.value()).map_err(|err| path_error(lit, &lit.value(), &err))
}

/// Turns a [`PathError`] into an error at the offending character of `lit`.
///
/// `Literal::subspan` gives a span inside the literal only on nightly; on stable it returns
/// `None` and the error points at the whole literal, so the message also draws a caret under
/// the character at fault.
pub(crate) fn path_error(lit: &LitStr, path: &str, err: &PathError) -> syn::Error {
    let char_len = path[err.index..].chars().next().map_or(1, char::len_utf8);
    let span = subspan(lit, err.index, char_len).unwrap_or_else(|| lit.span());
    let caret_at = path[..err.index.min(path.len())].chars().count();
    let mut message = format!(
        "invalid route path: {}\n  \"{path}\"\n   {}^",
        err.kind,
        " ".repeat(caret_at)
    );
    if let PathErrorKind::MissingLeadingSlash = err.kind {
        message.push_str(&format!("\nhelp: start it with `/`: \"/{path}\""));
    } else {
        message.push_str("\nhelp: a route path looks like \"/users/<id>/posts\"");
    }
    syn::Error::new(span, message)
}

/// The span of bytes `index..index + len` of the string value inside `lit`, when the literal
/// is written without escapes (so value offsets are source offsets) and the compiler can make
/// sub-spans.
fn subspan(lit: &LitStr, index: usize, len: usize) -> Option<Span> {
    let token = lit.token();
    let source = token.to_string();
    let value = lit.value();
    // `"..."`, or `r"..."` / `r#"..."#`: the opening and closing delimiter lengths.
    let (open, close) = if source.starts_with('"') {
        (1, 1)
    } else {
        let hashes = source
            .strip_prefix('r')?
            .chars()
            .take_while(|&c| c == '#')
            .count();
        (2 + hashes, 1 + hashes)
    };
    if source.get(open..source.len().checked_sub(close)?)? != value {
        return None;
    }
    let start = open;
    token.subspan(start + index..start + index + len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(path: &str) -> String {
        let lit = LitStr::new(path, Span::call_site());
        check_path(&lit).unwrap_err().to_string()
    }

    #[test]
    fn path_errors_draw_a_caret_under_the_character() {
        assert_eq!(
            message("/users/<id"),
            "invalid route path: expected `>` to close this `<` parameter\n  \"/users/<id\"\n          ^\nhelp: a route path looks like \"/users/<id>/posts\""
        );
        assert!(message("users").contains("help: start it with `/`: \"/users\""));
    }

    #[test]
    fn errors_are_combined() {
        let mut errors = Errors::default();
        errors.push(syn::Error::new(Span::call_site(), "a"));
        errors.push(syn::Error::new(Span::call_site(), "b"));
        let all: Vec<String> = errors
            .finish()
            .unwrap_err()
            .into_iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(all, ["a", "b"]);
    }
}
