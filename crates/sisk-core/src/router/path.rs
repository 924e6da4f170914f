//! Sisk's route-path grammar, parsed once, used by the router at run time and by
//! `sisk-macros` at compile time.
//!
//! ```text
//! path      = "/" [ segment *( "/"+ segment ) ] *"/"   ; or Route::ANY_PATH
//! segment   = literal / parameter                      ; spaces and tabs around it are trimmed
//! parameter = "<" name ">"                             ; a whole segment, never part of one
//! name      = 1*( ALPHA / DIGIT / "_" / "-" / "." )
//! literal   = 1*( any char but "/", "<", ">" )
//! ```
//!
//! Empty segments are ignored, so `/a//b/` and `/a/b` are the same path (as in Sisk).

use std::fmt;

/// A parsed route path: literal segments and `<name>` parameters, or [`ANY_PATH`](crate::Route::ANY_PATH).
///
/// # Examples
///
/// ```
/// use sisk_core::PathPattern;
///
/// let pattern = PathPattern::parse("/users/<id>/posts/")?;
/// assert_eq!(pattern.to_string(), "/users/<id>/posts");
/// assert_eq!(pattern.parameters().collect::<Vec<_>>(), ["id"]);
/// # Ok::<(), sisk_core::PathError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathPattern {
    segments: Vec<Segment>,
    any: bool,
}

/// One segment of a [`PathPattern`].
///
/// # Examples
///
/// ```
/// use sisk_core::{PathPattern, Segment};
///
/// let pattern = PathPattern::parse("/users/<id>")?;
/// let expected = [Segment::Literal("users".into()), Segment::Parameter("id".into())];
/// assert_eq!(pattern.segments(), expected);
/// # Ok::<(), sisk_core::PathError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A literal segment that must match as written (or ignoring ASCII case, if asked).
    Literal(String),
    /// A `<name>` parameter that matches any one non-empty segment.
    Parameter(String),
}

/// Why a route path could not be parsed, and where.
///
/// `index` is the byte offset in the path string of the character at fault, so the macros can
/// point at it inside the string literal.
///
/// # Examples
///
/// ```
/// use sisk_core::{PathErrorKind, PathPattern};
///
/// let err = PathPattern::parse("/users/<id").unwrap_err();
/// assert_eq!(err.kind, PathErrorKind::UnclosedParameter);
/// assert_eq!(err.index, 7);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathError {
    /// Byte offset of the offending character in the path string.
    pub index: usize,
    /// What is wrong there.
    pub kind: PathErrorKind,
}

/// The kinds of [`PathError`].
///
/// # Examples
///
/// ```
/// use sisk_core::{PathErrorKind, PathPattern};
///
/// let kind = |path| PathPattern::parse(path).err().map(|e| e.kind);
/// assert_eq!(kind("users"), Some(PathErrorKind::MissingLeadingSlash));
/// assert_eq!(kind("/a<id>"), Some(PathErrorKind::PartialSegment));
/// assert_eq!(kind("/<id>/<id>"), Some(PathErrorKind::DuplicateParameter("id".into())));
/// assert_eq!(kind("/users/<id>"), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PathErrorKind {
    /// The path does not start with `/`.
    MissingLeadingSlash,
    /// A `<` with no `>` closing it in the same segment.
    UnclosedParameter,
    /// A `>` with no `<` opening it.
    UnopenedParameter,
    /// `<>`: a parameter needs a name.
    EmptyParameterName,
    /// A parameter name uses a character outside letters, digits, `_`, `-` and `.`.
    InvalidParameterName(char),
    /// A parameter shares its segment with other text (`/a<id>`); Sisk parameters are whole segments.
    PartialSegment,
    /// Two parameters of one path have the same name.
    DuplicateParameter(String),
}

impl fmt::Display for PathErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingLeadingSlash => f.write_str("expected the path to start with `/`"),
            Self::UnclosedParameter => f.write_str("expected `>` to close this `<` parameter"),
            Self::UnopenedParameter => f.write_str("found `>` without a `<` opening it"),
            Self::EmptyParameterName => {
                f.write_str("expected a parameter name between `<` and `>`")
            }
            Self::InvalidParameterName(c) => write!(
                f,
                "found `{c}` in a parameter name; use letters, digits, `_`, `-` or `.`"
            ),
            Self::PartialSegment => f.write_str(
                "expected a parameter to be a whole segment, as in `/users/<id>`, not part of one",
            ),
            Self::DuplicateParameter(name) => {
                write!(
                    f,
                    "parameter `{name}` appears twice; give each parameter its own name"
                )
            }
        }
    }
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.kind, self.index)
    }
}

impl std::error::Error for PathError {}

/// Sisk's catch-all path: a route with it matches every request path.
pub(crate) const ANY_PATH: &str = "/<<ANY>>";

impl PathPattern {
    /// Parses a Sisk route path.
    ///
    /// # Errors
    ///
    /// A [`PathError`] naming the first mistake and its byte offset.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{PathPattern, Segment};
    ///
    /// let p = PathPattern::parse("//hello/ <name> ")?;
    /// assert_eq!(p.segments(), [Segment::Literal("hello".into()), Segment::Parameter("name".into())]);
    /// assert!(PathPattern::parse("hello").is_err());
    /// # Ok::<(), sisk_core::PathError>(())
    /// ```
    pub fn parse(path: &str) -> Result<Self, PathError> {
        if path == ANY_PATH {
            return Ok(Self {
                segments: Vec::new(),
                any: true,
            });
        }
        if !path.starts_with('/') {
            return Err(PathError {
                index: 0,
                kind: PathErrorKind::MissingLeadingSlash,
            });
        }
        let mut segments = Vec::new();
        let mut start = 0;
        for raw in path.split('/') {
            let offset = start;
            start += raw.len() + 1;
            let trimmed = raw.trim_matches([' ', '\t']);
            if trimmed.is_empty() {
                continue;
            }
            let lead = raw.len() - raw.trim_start_matches([' ', '\t']).len();
            let segment = parse_segment(trimmed, offset + lead)?;
            if let Segment::Parameter(name) = &segment {
                if segments
                    .iter()
                    .any(|s| matches!(s, Segment::Parameter(n) if n == name))
                {
                    return Err(PathError {
                        index: offset + lead + 1,
                        kind: PathErrorKind::DuplicateParameter(name.clone()),
                    });
                }
            }
            segments.push(segment);
        }
        Ok(Self {
            segments,
            any: false,
        })
    }

    /// The segments in order (empty for `/` and for the any-path).
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{PathPattern, Segment};
    ///
    /// let pattern = PathPattern::parse("/files//<name>/")?; // empty segments are ignored
    /// assert_eq!(pattern.segments().len(), 2);
    /// assert_eq!(pattern.segments()[1], Segment::Parameter("name".into()));
    /// assert!(PathPattern::parse("/")?.segments().is_empty());
    /// # Ok::<(), sisk_core::PathError>(())
    /// ```
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Whether this is [`Route::ANY_PATH`](crate::Route::ANY_PATH).
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::{PathPattern, Route};
    ///
    /// assert!(PathPattern::parse(Route::ANY_PATH)?.is_any_path());
    /// assert!(!PathPattern::parse("/")?.is_any_path());
    /// # Ok::<(), sisk_core::PathError>(())
    /// ```
    pub fn is_any_path(&self) -> bool {
        self.any
    }

    /// The parameter names in order of appearance.
    ///
    /// # Examples
    ///
    /// ```
    /// use sisk_core::PathPattern;
    ///
    /// let pattern = PathPattern::parse("/<org>/repos/<repo>")?;
    /// assert_eq!(pattern.parameters().collect::<Vec<_>>(), ["org", "repo"]);
    /// # Ok::<(), sisk_core::PathError>(())
    /// ```
    pub fn parameters(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Parameter(name) => Some(name.as_str()),
            Segment::Literal(_) => None,
        })
    }

    /// The pattern with `prefix`'s segments in front (Sisk's `CombinePaths`).
    pub(crate) fn prefixed(&self, prefix: &PathPattern) -> PathPattern {
        if self.any || prefix.segments.is_empty() {
            return self.clone();
        }
        let mut segments = prefix.segments.clone();
        segments.extend(self.segments.iter().cloned());
        PathPattern {
            segments,
            any: false,
        }
    }

    /// The path a request must have to match, when the pattern has no parameters: its
    /// literals joined (lower-cased when matching ignores case), in the form the route table
    /// normalises request paths to.
    pub(crate) fn literal_path(&self, ignore_case: bool) -> Option<String> {
        if self.any {
            return None;
        }
        let mut path = String::new();
        for segment in &self.segments {
            let Segment::Literal(lit) = segment else {
                return None;
            };
            path.push('/');
            path.push_str(lit);
        }
        if path.is_empty() {
            path.push('/');
        }
        if ignore_case {
            path.make_ascii_lowercase();
        }
        Some(path)
    }

    /// The route-table key: literals (lower-cased when matching ignores case) and positional
    /// parameters, so `/u/<id>` and `/u/<name>` share one key and collide only on methods.
    pub(crate) fn table_key(&self, ignore_case: bool) -> String {
        let mut key = String::new();
        let mut position = 0;
        for segment in &self.segments {
            key.push('/');
            match segment {
                Segment::Literal(lit) => {
                    let escaped = lit.replace('{', "{{").replace('}', "}}");
                    if ignore_case {
                        key.push_str(&escaped.to_ascii_lowercase());
                    } else {
                        key.push_str(&escaped);
                    }
                }
                Segment::Parameter(_) => {
                    key.push_str(&format!("{{p{position}}}"));
                    position += 1;
                }
            }
        }
        if key.is_empty() {
            key.push('/');
        }
        key
    }
}

fn parse_segment(segment: &str, offset: usize) -> Result<Segment, PathError> {
    let open = segment.find('<');
    let close = segment.find('>');
    match (open, close) {
        (None, None) => Ok(Segment::Literal(segment.to_owned())),
        (None, Some(i)) => Err(PathError {
            index: offset + i,
            kind: PathErrorKind::UnopenedParameter,
        }),
        (Some(i), None) => Err(PathError {
            index: offset + i,
            kind: PathErrorKind::UnclosedParameter,
        }),
        (Some(o), Some(c)) if c < o => Err(PathError {
            index: offset + c,
            kind: PathErrorKind::UnopenedParameter,
        }),
        (Some(o), Some(c)) => {
            if o != 0 || c != segment.len() - 1 {
                let index = if o != 0 { o } else { c + 1 };
                return Err(PathError {
                    index: offset + index,
                    kind: PathErrorKind::PartialSegment,
                });
            }
            let name = &segment[1..c];
            if name.is_empty() {
                return Err(PathError {
                    index: offset + o,
                    kind: PathErrorKind::EmptyParameterName,
                });
            }
            if let Some((i, ch)) = name
                .char_indices()
                .find(|&(_, ch)| !(ch.is_alphanumeric() || matches!(ch, '_' | '-' | '.')))
            {
                let kind = match ch {
                    '<' => PathErrorKind::UnclosedParameter,
                    _ => PathErrorKind::InvalidParameterName(ch),
                };
                return Err(PathError {
                    index: offset + 1 + i,
                    kind,
                });
            }
            Ok(Segment::Parameter(name.to_owned()))
        }
    }
}

impl fmt::Display for PathPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.any {
            return f.write_str(ANY_PATH);
        }
        if self.segments.is_empty() {
            return f.write_str("/");
        }
        for segment in &self.segments {
            match segment {
                Segment::Literal(lit) => write!(f, "/{lit}")?,
                Segment::Parameter(name) => write!(f, "/<{name}>")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(path: &str) -> PathError {
        PathPattern::parse(path).unwrap_err()
    }

    #[test]
    fn empty_segments_and_trailing_slashes_are_ignored() {
        let a = PathPattern::parse("/a//b/").unwrap();
        let b = PathPattern::parse("/a/b").unwrap();
        assert_eq!(a, b);
        assert_eq!(PathPattern::parse("/").unwrap().to_string(), "/");
        assert_eq!(PathPattern::parse("///").unwrap().segments(), []);
    }

    #[test]
    fn segments_are_trimmed_of_spaces_and_tabs() {
        let p = PathPattern::parse("/ a /\t<id>\t").unwrap();
        assert_eq!(p.to_string(), "/a/<id>");
    }

    #[test]
    fn parameters_are_listed_in_order() {
        let p = PathPattern::parse("/<a>/x/<b.c-d_e>").unwrap();
        assert_eq!(p.parameters().collect::<Vec<_>>(), ["a", "b.c-d_e"]);
    }

    #[test]
    fn any_path_is_recognised() {
        let p = PathPattern::parse("/<<ANY>>").unwrap();
        assert!(p.is_any_path());
        assert_eq!(p.to_string(), "/<<ANY>>");
    }

    #[test]
    fn errors_point_at_the_offending_byte() {
        assert_eq!(
            err("users"),
            PathError {
                index: 0,
                kind: PathErrorKind::MissingLeadingSlash
            }
        );
        assert_eq!(err("/users/<id").index, 7);
        assert_eq!(err("/users/<id").kind, PathErrorKind::UnclosedParameter);
        assert_eq!(err("/users/id>").kind, PathErrorKind::UnopenedParameter);
        assert_eq!(err("/users/id>").index, 9);
        assert_eq!(err("/x/<>").kind, PathErrorKind::EmptyParameterName);
        assert_eq!(err("/x/<>").index, 3);
        assert_eq!(err("/x/a<id>").kind, PathErrorKind::PartialSegment);
        assert_eq!(err("/x/a<id>").index, 4);
        assert_eq!(err("/x/<id>b").index, 7);
        assert_eq!(
            err("/x/<a b>").kind,
            PathErrorKind::InvalidParameterName(' ')
        );
        assert_eq!(err("/x/<a b>").index, 5);
        assert_eq!(err("/x/>a<").kind, PathErrorKind::UnopenedParameter);
        assert_eq!(err("/x/<<a>").kind, PathErrorKind::UnclosedParameter);
        assert_eq!(
            err("/<id>/x/<id>"),
            PathError {
                index: 9,
                kind: PathErrorKind::DuplicateParameter("id".into())
            }
        );
    }

    #[test]
    fn table_keys_ignore_parameter_names_and_escape_braces() {
        let a = PathPattern::parse("/u/<id>").unwrap();
        let b = PathPattern::parse("/u/<name>").unwrap();
        assert_eq!(a.table_key(false), b.table_key(false));
        assert_eq!(a.table_key(false), "/u/{p0}");
        let c = PathPattern::parse("/A{b}").unwrap();
        assert_eq!(c.table_key(true), "/a{{b}}");
        assert_eq!(PathPattern::parse("/").unwrap().table_key(false), "/");
    }

    #[test]
    fn prefixing_joins_segments() {
        let prefix = PathPattern::parse("/api/").unwrap();
        let p = PathPattern::parse("/users/<id>").unwrap().prefixed(&prefix);
        assert_eq!(p.to_string(), "/api/users/<id>");
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics_and_errors_point_inside(path in "\\PC{0,40}") {
            if let Err(e) = PathPattern::parse(&path) {
                proptest::prop_assert!(e.index <= path.len());
                proptest::prop_assert!(path.is_char_boundary(e.index));
            }
        }

        #[test]
        fn display_round_trips(path in "(/([a-z]{1,4}|<[a-z]{1,3}>)){0,5}/?") {
            if let Ok(p) = PathPattern::parse(&path) {
                proptest::prop_assert_eq!(PathPattern::parse(&p.to_string()).unwrap(), p);
            }
        }
    }
}
