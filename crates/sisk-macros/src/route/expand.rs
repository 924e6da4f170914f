//! Code generation for a checked route. Nothing here rejects input; every name is an absolute
//! `::sisk::__private` path so the user's imports cannot change what it means.
//!
//! A free function
//!
//! ```text
//! #[route_get("/sse")]
//! async fn events(req: HttpRequest) -> HttpResponse { body }
//! ```
//!
//! becomes a plain function with the same name, parameter and output, whose future also names
//! the route (see `sisk_core::RouteFuture`):
//!
//! ```text
//! fn events(req: HttpRequest) -> impl RouteFuture<Output = HttpResponse> {
//!     async fn events(req: HttpRequest) -> HttpResponse { body }   // the user's function
//!     struct __SiskRoute;
//!     impl RouteAttribute for __SiskRoute {
//!         fn route(handler) -> Route { Route::new(RouteMethod::Get, "/sse", handler) }
//!     }
//!     route_future::<__SiskRoute, _>(events(req))
//! }
//! ```

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{Attribute, Ident, ItemFn, Pat};

use super::parse::{HandlerSig, MethodSet, RouteArgs};
use super::validate::has_impl_trait;

/// `Route::new(methods, path, handler)` with the attribute's name, request handlers and CORS
/// setting; `handler` is an expression.
pub(crate) fn route_value(args: &RouteArgs, handler: &TokenStream) -> TokenStream {
    let method = match &args.method {
        MethodSet::Fixed(m) => {
            let constant = format_ident!("{}", m.constant());
            quote!(::sisk::__private::RouteMethod::#constant)
        }
        MethodSet::Expr(expr) => quote_spanned! {expr.span()=>
            {
                let __sisk_methods: ::sisk::__private::RouteMethod = #expr;
                __sisk_methods
            }
        },
    };
    let path = match &args.path {
        Some(path) => path.to_token_stream(),
        None => quote!("/"),
    };
    let name = args.name.iter();
    let handlers = args.request_handlers.iter().map(|h| {
        quote_spanned! {h.span()=>
            .with_request_handler({
                let __sisk_handler: ::sisk::__private::RequestHandler = #h;
                __sisk_handler
            })
        }
    });
    let cors = args.cors.iter();
    quote! {
        ::sisk::__private::Route::new(#method, #path, #handler)
            #(.with_name(#name))*
            #(#handlers)*
            #(.with_cors(#cors))*
    }
}

/// Statements that make a wrong parameter or return type fail at the user's type, with
/// sisk's own message, instead of somewhere in generated code.
pub(crate) fn type_checks(handler: &HandlerSig<'_>) -> TokenStream {
    let params = handler.params.iter().map(|p| {
        let ty = &p.ty;
        quote_spanned! {ty.span()=> ::sisk::__private::assert_request_param::<#ty>();}
    });
    let output = handler.output();
    let output = (!has_impl_trait(&output)).then(|| {
        quote_spanned! {output.span()=> ::sisk::__private::assert_into_response::<#output>();}
    });
    quote!(#(#params)* #output)
}

/// A `#[route_*]` free function: a plain function of the same name whose future carries the
/// route (module docs above).
pub(crate) fn free_fn(item: &ItemFn, args: &RouteArgs, handler: &HandlerSig<'_>) -> TokenStream {
    let (outer_attrs, inner_attrs): (Vec<&Attribute>, Vec<&Attribute>) =
        item.attrs.iter().partition(|a| stays_outside(a));
    let vis = &item.vis;
    let ident = &item.sig.ident;
    let output = handler.output();

    // The outer function forwards its one argument; it reuses the user's parameter name
    // when that is a plain binding, so docs and rust-analyzer show `req: HttpRequest`.
    let (outer_params, forwarded): (Vec<TokenStream>, Vec<Ident>) = handler
        .params
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let name = match &*p.pat {
                Pat::Ident(id) if id.by_ref.is_none() && id.subpat.is_none() => id.ident.clone(),
                _ => format_ident!("__sisk_arg{}", i),
            };
            let ty = &p.ty;
            (quote!(#name: #ty), name)
        })
        .unzip();

    let mut inner = item.clone();
    inner.attrs = inner_attrs.into_iter().cloned().collect();
    inner.vis = syn::Visibility::Inherited;

    let route = route_value(args, &quote!(__sisk_handler));
    let checks = type_checks(handler);
    let future = quote_spanned! {ident.span()=>
        impl ::sisk::__private::RouteFuture<Output = #output>
    };
    quote! {
        #(#outer_attrs)*
        #vis fn #ident(#(#outer_params),*) -> #future {
            #inner

            #[allow(dead_code)]
            struct __SiskRoute;

            impl ::sisk::__private::RouteAttribute for __SiskRoute {
                fn route<__SiskH, __SiskA>(__sisk_handler: __SiskH) -> ::sisk::__private::Route
                where
                    __SiskH: ::sisk::__private::Handler<__SiskA>,
                {
                    #route
                }
            }

            #checks
            ::sisk::__private::route_future::<__SiskRoute, _>(#ident(#(#forwarded),*))
        }
    }
}

/// Attributes that describe the function as users see it (docs, `cfg`, lint levels,
/// deprecation) stay on the outer function; the rest (`#[tracing::instrument]`, `#[inline]`,
/// ...) go on the user's async function inside, where the body is.
fn stays_outside(attr: &Attribute) -> bool {
    [
        "doc",
        "cfg",
        "allow",
        "warn",
        "deny",
        "forbid",
        "expect",
        "deprecated",
    ]
    .iter()
    .any(|name| attr.path().is_ident(name))
}
