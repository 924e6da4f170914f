//! Shared attribute parsing: the keywords, `key = value` pairs, `[expr, ...]` lists, and the
//! "specified more than once" rule.

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{bracketed, Expr, Token};

/// Attribute keys. Declared as keywords so an unknown key gets "expected one of: `name`, ..."
/// pointing at it, from a `syn` lookahead.
pub(crate) mod kw {
    syn::custom_keyword!(name);
    syn::custom_keyword!(request_handlers);
    syn::custom_keyword!(cors);
    syn::custom_keyword!(prefix);
    syn::custom_keyword!(on_setup);
}

/// `[expr, expr, ...]`: a bracketed list of expressions (request handlers).
pub(crate) struct ExprList {
    pub(crate) exprs: Vec<Expr>,
}

impl Parse for ExprList {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let content;
        bracketed!(content in input);
        let exprs = Punctuated::<Expr, Token![,]>::parse_terminated(&content)?;
        Ok(Self {
            exprs: exprs.into_iter().collect(),
        })
    }
}

/// Parses `= value` after a key that was just read, rejecting a second use of the same key.
pub(crate) fn value<T: Parse>(
    input: ParseStream<'_>,
    slot: &Option<T>,
    key: &str,
    key_span: Span,
) -> syn::Result<T> {
    if slot.is_some() {
        return Err(syn::Error::new(
            key_span,
            format!("`{key}` specified more than once; keep one `{key} = ...`"),
        ));
    }
    input.parse::<Token![=]>()?;
    input.parse()
}

/// After one item of a comma-separated argument list: the end, or a comma then more.
/// Returns whether more arguments follow.
pub(crate) fn comma_or_end(input: ParseStream<'_>) -> syn::Result<bool> {
    if input.is_empty() {
        return Ok(false);
    }
    input.parse::<Token![,]>()?;
    Ok(!input.is_empty())
}
