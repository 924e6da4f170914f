//! The rules of a router module: an inherent impl, a valid prefix, valid routes whose
//! parameters do not clash with the prefix's, an `on_setup` that names a method of the block.

use sisk_core::PathPattern;
use syn::{ImplItem, ItemImpl};

use super::parse::{ModuleArgs, ModuleItem};
use crate::diagnostics::{self, Errors};
use crate::route::parse::HandlerSig;
use crate::route::validate::{self as route, Context, ReceiverKind};

/// Checks the module and each route; returns how each route's method takes the module, in the
/// order of `module.routes`.
pub(crate) fn module(
    args: &ModuleArgs,
    module: &ModuleItem,
    errors: &mut Errors,
) -> Vec<ReceiverKind> {
    if let Some((_, path, _)) = &module.item.trait_ {
        errors.push(syn::Error::new_spanned(
            path,
            "`#[router_module]` goes on an inherent impl block (`impl Chat { .. }`), not on a trait impl",
        ));
    }
    let prefix = args
        .prefix
        .as_ref()
        .and_then(|prefix| errors.take(diagnostics::check_path(prefix)));
    if let Some(on_setup) = &args.on_setup {
        if !has_method(&module.item, on_setup) {
            errors.push(syn::Error::new_spanned(
                on_setup,
                format!(
                    "no method `{on_setup}` in this impl block: `on_setup` names a method `fn {on_setup}(&self, router: &mut Router)` of the block"
                ),
            ));
        }
    }
    module
        .routes
        .iter()
        .map(|r| {
            route::args(&r.args, errors);
            if let (Some(prefix), Some(path)) = (&prefix, &r.args.path) {
                clashes_with_prefix(prefix, path, errors);
            }
            let handler = HandlerSig::new(&r.method.sig);
            route::handler(&handler, r.args.flavor, Context::Module, errors)
        })
        .collect()
}

/// A route parameter with the same name as one of the prefix's.
fn clashes_with_prefix(prefix: &PathPattern, path: &syn::LitStr, errors: &mut Errors) {
    let Ok(own) = PathPattern::parse(&path.value()) else {
        return;
    };
    for name in own.parameters() {
        if prefix.parameters().any(|p| p == name) {
            errors.push(syn::Error::new_spanned(
                path,
                format!(
                    "parameter `{name}` is already in the module prefix \"{prefix}\": give it another name"
                ),
            ));
        }
    }
}

fn has_method(item: &ItemImpl, name: &syn::Ident) -> bool {
    item.items
        .iter()
        .any(|i| matches!(i, ImplItem::Fn(f) if f.sig.ident == *name))
}
