//! Parsing a route attribute's arguments into [`RouteArgs`], a typed IR that keeps the user's
//! tokens (and so their spans) for the later stages.
//!
//! ```text
//! route_get(...)  = [ path ] [ "," key-values ]        ; also route_post, _put, _patch, _delete
//! route(...)      = methods "," path [ "," key-values ]
//! methods         = any expression of type RouteMethod  ; RouteMethod::Post | RouteMethod::Put
//! key-values      = key-value *( "," key-value ) [ "," ]
//! key-value       = "name" "=" string
//!                 / "request_handlers" "=" "[" expr *( "," expr ) [ "," ] "]"
//!                 / "cors" "=" bool
//! ```

use proc_macro2::{Span, TokenStream};
use syn::parse::{ParseStream, Parser};
use syn::{
    Attribute, Expr, FnArg, LitBool, LitStr, Meta, PatType, Receiver, ReturnType, Signature, Token,
    Type,
};

use crate::attr::{self, kw, ExprList};

/// The HTTP methods that have their own attribute, as in Sisk (`[RouteGet]` ... `[RouteDelete]`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum FixedMethod {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl FixedMethod {
    /// The `RouteMethod` constant this attribute stands for.
    pub(crate) fn constant(self) -> &'static str {
        match self {
            Self::Get => "Get",
            Self::Post => "Post",
            Self::Put => "Put",
            Self::Patch => "Patch",
            Self::Delete => "Delete",
        }
    }
}

/// Which route attribute: one with a fixed method, or `#[route(METHODS, path)]`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Flavor {
    Fixed(FixedMethod),
    Any,
}

impl Flavor {
    /// The attribute's name, for messages.
    pub(crate) fn attr_name(self) -> &'static str {
        match self {
            Self::Fixed(FixedMethod::Get) => "route_get",
            Self::Fixed(FixedMethod::Post) => "route_post",
            Self::Fixed(FixedMethod::Put) => "route_put",
            Self::Fixed(FixedMethod::Patch) => "route_patch",
            Self::Fixed(FixedMethod::Delete) => "route_delete",
            Self::Any => "route",
        }
    }

    /// The flavor of an attribute written on a method, recognised by its last path segment
    /// (`#[route_get]`, `#[sisk::route_get]`), or `None` if it is not a route attribute.
    pub(crate) fn of(attr: &Attribute) -> Option<Self> {
        let name = attr.path().segments.last()?.ident.to_string();
        Some(match name.as_str() {
            "route_get" => Self::Fixed(FixedMethod::Get),
            "route_post" => Self::Fixed(FixedMethod::Post),
            "route_put" => Self::Fixed(FixedMethod::Put),
            "route_patch" => Self::Fixed(FixedMethod::Patch),
            "route_delete" => Self::Fixed(FixedMethod::Delete),
            "route" => Self::Any,
            _ => return None,
        })
    }
}

/// The method set of a route.
pub(crate) enum MethodSet {
    /// Given by the attribute's name.
    Fixed(FixedMethod),
    /// The user's expression, from `#[route(expr, ..)]`.
    Expr(Expr),
}

/// A parsed route attribute.
pub(crate) struct RouteArgs {
    pub(crate) flavor: Flavor,
    pub(crate) method: MethodSet,
    /// `None` means Sisk's default, `/`.
    pub(crate) path: Option<LitStr>,
    pub(crate) name: Option<LitStr>,
    pub(crate) request_handlers: Vec<Expr>,
    pub(crate) cors: Option<LitBool>,
    /// The attribute as written on a method of a `#[router_module]` impl; `None` for an
    /// attribute being expanded on a free function (then the call site is the attribute).
    pub(crate) attr: Option<Attribute>,
}

impl RouteArgs {
    /// Parses the arguments of the route attribute of `flavor` being expanded.
    pub(crate) fn parse(tokens: TokenStream, flavor: Flavor) -> syn::Result<Self> {
        (|input: ParseStream<'_>| Self::parse_args(input, flavor, None)).parse2(tokens)
    }

    /// An error about the attribute as a whole (something missing from it).
    pub(crate) fn error(&self, message: impl std::fmt::Display) -> syn::Error {
        whole_attr_error(self.attr.as_ref(), message)
    }

    /// Parses a route attribute found on a method inside a `#[router_module]` impl.
    pub(crate) fn from_attribute(attr: &Attribute, flavor: Flavor) -> syn::Result<Self> {
        let parse = |tokens: TokenStream| {
            (|input: ParseStream<'_>| Self::parse_args(input, flavor, Some(attr.clone())))
                .parse2(tokens)
        };
        match &attr.meta {
            Meta::Path(_) => parse(TokenStream::new()),
            Meta::List(list) => parse(list.tokens.clone()),
            Meta::NameValue(nv) => Err(syn::Error::new_spanned(
                nv.eq_token,
                format!("expected `#[{}(\"/path\")]`, not `=`", flavor.attr_name()),
            )),
        }
    }

    fn parse_args(
        input: ParseStream<'_>,
        flavor: Flavor,
        attr: Option<Attribute>,
    ) -> syn::Result<Self> {
        let mut args = RouteArgs {
            flavor,
            method: match flavor {
                Flavor::Fixed(m) => MethodSet::Fixed(m),
                Flavor::Any => MethodSet::Expr(Expr::Verbatim(TokenStream::new())),
            },
            path: None,
            name: None,
            request_handlers: Vec::new(),
            cors: None,
            attr,
        };
        match flavor {
            Flavor::Any => {
                if !args.parse_methods_and_path(input)? {
                    return Ok(args);
                }
            }
            Flavor::Fixed(_) => {
                if input.is_empty() {
                    return Ok(args);
                }
                if input.peek(LitStr) {
                    args.path = Some(input.parse()?);
                    if !attr::comma_or_end(input)? {
                        return Ok(args);
                    }
                }
            }
        }
        args.parse_keys(input)?;
        Ok(args)
    }

    /// `methods , path`; returns whether more arguments follow.
    fn parse_methods_and_path(&mut self, input: ParseStream<'_>) -> syn::Result<bool> {
        if input.is_empty() {
            return Err(self.error(
                "expected a method set and a path: `#[route(RouteMethod::Get | RouteMethod::Post, \"/path\")]`",
            ));
        }
        if input.peek(LitStr) {
            return Err(input.error(
                "expected the method set before the path: `#[route(RouteMethod::Any, \"/path\")]`, or use `#[route_get(\"/path\")]`",
            ));
        }
        let methods: Expr = input.parse()?;
        if input.is_empty() {
            return Err(syn::Error::new_spanned(
                &methods,
                "expected a path after the method set: `#[route(RouteMethod::Get, \"/path\")]`",
            ));
        }
        input.parse::<Token![,]>()?;
        if !input.peek(LitStr) {
            return Err(
                input.error("expected the route path, a string literal such as \"/users/<id>\"")
            );
        }
        self.method = MethodSet::Expr(methods);
        self.path = Some(input.parse()?);
        attr::comma_or_end(input)
    }

    fn parse_keys(&mut self, input: ParseStream<'_>) -> syn::Result<()> {
        let path_allowed = self.path.is_none() && matches!(self.flavor, Flavor::Fixed(_));
        let mut handlers: Option<ExprList> = None;
        let mut first = true;
        loop {
            let lookahead = input.lookahead1();
            if first && path_allowed && lookahead.peek(LitStr) {
                // Never true (a leading path was already taken); the peek only adds "string
                // literal" to the lookahead's "expected one of: ..." message.
                return Err(lookahead.error());
            } else if lookahead.peek(kw::name) {
                let key: kw::name = input.parse()?;
                self.name = Some(attr::value(input, &self.name, "name", key.span)?);
            } else if lookahead.peek(kw::request_handlers) {
                let key: kw::request_handlers = input.parse()?;
                handlers = Some(attr::value(input, &handlers, "request_handlers", key.span)?);
            } else if lookahead.peek(kw::cors) {
                let key: kw::cors = input.parse()?;
                self.cors = Some(attr::value(input, &self.cors, "cors", key.span)?);
            } else {
                return Err(lookahead.error());
            }
            first = false;
            if !attr::comma_or_end(input)? {
                break;
            }
        }
        self.request_handlers = handlers.map(|list| list.exprs).unwrap_or_default();
        Ok(())
    }
}

/// An error spanning the whole of `attr`, or the call site (the attribute being expanded).
pub(crate) fn whole_attr_error(
    attr: Option<&Attribute>,
    message: impl std::fmt::Display,
) -> syn::Error {
    match attr {
        Some(attr) => syn::Error::new_spanned(attr, message),
        None => syn::Error::new(Span::call_site(), message),
    }
}

/// A handler's signature taken apart: the `self` receiver, if any, and the other parameters.
pub(crate) struct HandlerSig<'a> {
    pub(crate) sig: &'a Signature,
    pub(crate) receiver: Option<&'a Receiver>,
    pub(crate) params: Vec<&'a PatType>,
}

impl<'a> HandlerSig<'a> {
    pub(crate) fn new(sig: &'a Signature) -> Self {
        let mut receiver = None;
        let mut params = Vec::new();
        for input in &sig.inputs {
            match input {
                FnArg::Receiver(r) => receiver = Some(r),
                FnArg::Typed(p) => params.push(p),
            }
        }
        Self {
            sig,
            receiver,
            params,
        }
    }

    /// The declared output type, `()` when there is none.
    pub(crate) fn output(&self) -> Type {
        match &self.sig.output {
            ReturnType::Default => syn::parse_quote!(()),
            ReturnType::Type(_, ty) => (**ty).clone(),
        }
    }
}
