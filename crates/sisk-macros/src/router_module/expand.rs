//! Code generation for a checked router module: the impl block as written (route attributes
//! taken off, so every method stays an ordinary method) plus one `RouterModule` impl.
//!
//! ```text
//! impl RouterModule for Chat {
//!     fn prefix(&self) -> &str { "/chat" }
//!     fn request_handlers(&self) -> Vec<RequestHandler> { vec![..] }
//!     fn on_setup(&self, router: &mut Router) { Self::on_setup(self, router) }
//!     fn routes(self: Arc<Self>) -> Vec<Route> {
//!         vec![Route::new(RouteMethod::Get, "/<room>/events", {
//!             let module = Arc::clone(&self);
//!             move |req| { let module = Arc::clone(&module); async move { module.events(req).await.into_response() } }
//!         })]
//!     }
//! }
//! ```

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::ImplItem;

use super::parse::{ModuleArgs, ModuleItem, ModuleRoute};
use crate::route::expand::route_value;
use crate::route::parse::HandlerSig;
use crate::route::validate::ReceiverKind;

/// The impl block plus its `RouterModule` impl.
pub(crate) fn module(
    args: &ModuleArgs,
    module: &ModuleItem,
    receivers: &[ReceiverKind],
) -> TokenStream {
    let item = &module.item;
    let (impl_generics, _, where_clause) = item.generics.split_for_impl();
    let self_ty = &item.self_ty;
    let prefix = args.prefix.as_ref().map(|prefix| {
        quote! {
            fn prefix(&self) -> &str {
                #prefix
            }
        }
    });
    let handlers = (!args.request_handlers.is_empty()).then(|| {
        let handlers = args.request_handlers.iter().map(|h| {
            quote_spanned! {h.span()=>
                {
                    let __sisk_handler: ::sisk::__private::RequestHandler = #h;
                    __sisk_handler
                }
            }
        });
        quote! {
            fn request_handlers(&self) -> ::std::vec::Vec<::sisk::__private::RequestHandler> {
                ::std::vec![#(#handlers),*]
            }
        }
    });
    let on_setup = on_setup(args, module).map(|name| {
        quote! {
            fn on_setup(&self, router: &mut ::sisk::__private::Router) {
                Self::#name(self, router);
            }
        }
    });
    let routes = module
        .routes
        .iter()
        .zip(receivers)
        .map(|(r, kind)| route(r, *kind));
    quote! {
        #item

        impl #impl_generics ::sisk::__private::RouterModule for #self_ty #where_clause {
            #prefix
            #handlers
            #on_setup

            fn routes(
                self: ::sisk::__private::Arc<Self>,
            ) -> ::std::vec::Vec<::sisk::__private::Route> {
                ::std::vec![#(#routes),*]
            }
        }
    }
}

/// The hook: the method `on_setup = name` names, else a method called `on_setup` that is not a
/// route (Sisk's overridable `OnSetup`).
fn on_setup<'a>(args: &'a ModuleArgs, module: &'a ModuleItem) -> Option<&'a syn::Ident> {
    if let Some(name) = &args.on_setup {
        return Some(name);
    }
    module.item.items.iter().find_map(|item| match item {
        ImplItem::Fn(f)
            if f.sig.ident == "on_setup"
                && !module
                    .routes
                    .iter()
                    .any(|r| r.method.sig.ident == "on_setup") =>
        {
            Some(&f.sig.ident)
        }
        _ => None,
    })
}

/// One route of the module: a closure that keeps a clone of the module's `Arc` and calls the
/// method with the request.
fn route(route: &ModuleRoute, receiver: ReceiverKind) -> TokenStream {
    let sig = &route.method.sig;
    let name = &sig.ident;
    let handler = HandlerSig::new(sig);
    let (req, arg) = match handler.params.first() {
        Some(param) => {
            let ty = &param.ty;
            (
                quote!(__sisk_req),
                Some(quote_spanned! {ty.span()=>
                    <#ty as ::sisk::__private::RequestParam>::from_request(__sisk_req)
                }),
            )
        }
        None => (quote!(_), None),
    };
    let (keep_module, module_arg) = match receiver {
        ReceiverKind::None => (None, None),
        ReceiverKind::Ref => (
            Some(quote!(let __sisk_module = ::sisk::__private::Arc::clone(&__sisk_module);)),
            Some(quote!(&*__sisk_module)),
        ),
        ReceiverKind::Arc => (
            Some(quote!(let __sisk_module = ::sisk::__private::Arc::clone(&__sisk_module);)),
            Some(quote!(__sisk_module)),
        ),
    };
    let call_args = module_arg.into_iter().chain(arg);
    let output = handler.output();
    let respond = quote_spanned! {output.span()=>
        ::sisk::__private::IntoResponse::into_response(__sisk_output)
    };
    let closure = quote_spanned! {name.span()=>
        move |#req: ::sisk::__private::HttpRequest| {
            #keep_module
            async move {
                let __sisk_output = Self::#name(#(#call_args),*).await;
                #respond
            }
        }
    };
    let value = route_value(&route.args, &closure);
    let share = keep_module
        .is_some()
        .then(|| quote!(let __sisk_module = ::sisk::__private::Arc::clone(&self);));
    quote! {
        {
            #share
            #value
        }
    }
}
