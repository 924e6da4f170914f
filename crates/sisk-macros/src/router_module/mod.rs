//! `#[router_module(prefix = "..")]` on an impl block: Sisk's `RouterModule` and
//! `[RoutePrefix]`. Attribute macros expand outside-in, so this one sees the `#[route_*]`
//! attributes of the block's methods before they expand, takes them off, and emits one
//! `RouterModule` impl for all of them.

mod expand;
mod parse;
mod validate;

use proc_macro2::TokenStream;
use quote::quote;
use syn::ItemImpl;

use self::parse::{ModuleArgs, ModuleItem};
use crate::diagnostics::{Errors, Failed};

/// `#[router_module]`.
pub(crate) fn router_module(attr: TokenStream, item: TokenStream) -> Result<TokenStream, Failed> {
    let impl_block: ItemImpl = syn::parse2(item.clone()).map_err(|_| Failed {
        item: item.clone(),
        error: syn::Error::new_spanned(
            &item,
            "`#[router_module]` goes on an impl block: `#[router_module(prefix = \"/chat\")] impl Chat { .. }`",
        ),
    })?;
    let mut errors = Errors::default();
    let args = errors.take(syn::parse2::<ModuleArgs>(attr));
    let module = ModuleItem::new(impl_block, &mut errors);
    let receivers = validate::module(
        args.as_ref().unwrap_or(&ModuleArgs::default()),
        &module,
        &mut errors,
    );
    if let Err(error) = errors.finish() {
        return Err(Failed {
            item: fallback(&module),
            error,
        });
    }
    let args = args.unwrap_or_default();
    Ok(expand::module(&args, &module, &receivers))
}

/// What to emit when the module has errors: the impl block without its route attributes (so
/// they do not expand on their own and report "needs `#[router_module]`"), and a
/// `RouterModule` impl with no routes, so `router.set_object(..)` elsewhere reports nothing
/// more (thiserror's fallback idea).
fn fallback(module: &ModuleItem) -> TokenStream {
    let item = &module.item;
    if item.trait_.is_some() {
        return quote!(#item);
    }
    let (impl_generics, _, where_clause) = item.generics.split_for_impl();
    let self_ty = &item.self_ty;
    quote! {
        #item

        impl #impl_generics ::sisk::__private::RouterModule for #self_ty #where_clause {
            fn routes(
                self: ::sisk::__private::Arc<Self>,
            ) -> ::std::vec::Vec<::sisk::__private::Route> {
                ::std::vec::Vec::new()
            }
        }
    }
}
