//! `#[route_get]`, `#[route_post]`, `#[route_put]`, `#[route_patch]`, `#[route_delete]` and
//! `#[route(METHODS, path)]` on a function: parse, validate, expand.
//!
//! On a method inside a `#[router_module]` impl these attributes never expand on their own:
//! the module consumes them (see `router_module`), reusing this module's parse and validate
//! stages.

pub(crate) mod expand;
pub(crate) mod parse;
pub(crate) mod validate;

use proc_macro2::TokenStream;
use syn::ItemFn;

use self::parse::{FixedMethod, Flavor, HandlerSig, RouteArgs};
use self::validate::Context;
use crate::diagnostics::{Errors, Failed};

/// `#[route_get]`.
pub(crate) fn get(attr: TokenStream, item: TokenStream) -> Result<TokenStream, Failed> {
    function(Flavor::Fixed(FixedMethod::Get), attr, item)
}

/// `#[route_post]`.
pub(crate) fn post(attr: TokenStream, item: TokenStream) -> Result<TokenStream, Failed> {
    function(Flavor::Fixed(FixedMethod::Post), attr, item)
}

/// `#[route_put]`.
pub(crate) fn put(attr: TokenStream, item: TokenStream) -> Result<TokenStream, Failed> {
    function(Flavor::Fixed(FixedMethod::Put), attr, item)
}

/// `#[route_patch]`.
pub(crate) fn patch(attr: TokenStream, item: TokenStream) -> Result<TokenStream, Failed> {
    function(Flavor::Fixed(FixedMethod::Patch), attr, item)
}

/// `#[route_delete]`.
pub(crate) fn delete(attr: TokenStream, item: TokenStream) -> Result<TokenStream, Failed> {
    function(Flavor::Fixed(FixedMethod::Delete), attr, item)
}

/// `#[route(METHODS, path)]`.
pub(crate) fn any(attr: TokenStream, item: TokenStream) -> Result<TokenStream, Failed> {
    function(Flavor::Any, attr, item)
}

/// A route attribute expanding on its own: on a free function (or on a method whose impl has
/// no `#[router_module]`, which is an error).
fn function(flavor: Flavor, attr: TokenStream, item: TokenStream) -> Result<TokenStream, Failed> {
    let failed = |error| Failed {
        item: item.clone(),
        error,
    };
    let function: ItemFn = match syn::parse2(item.clone()) {
        Ok(function) => function,
        Err(_) => {
            return Err(failed(syn::Error::new_spanned(
                &item,
                format!(
                    "`#[{}]` goes on an `async fn` (or on a method of a `#[router_module]` impl)",
                    flavor.attr_name()
                ),
            )))
        }
    };
    let mut errors = Errors::default();
    let args = errors.take(RouteArgs::parse(attr, flavor));
    if let Some(args) = &args {
        validate::args(args, &mut errors);
    }
    let handler = HandlerSig::new(&function.sig);
    validate::handler(&handler, flavor, Context::Free, &mut errors);
    validate::single_route_attribute(&function.attrs, &mut errors);
    errors.finish().map_err(failed)?;
    let args = args.expect("arguments parsed when there is no error");
    Ok(expand::free_fn(&function, &args, &handler))
}
