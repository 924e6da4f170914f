//! The semantic rules of a route: the handler's signature, the path, the method set. Each
//! broken rule is a `syn::Error` at the smallest token that shows it, saying what to write.

use syn::{BinOp, Expr, Type};

use super::parse::{Flavor, HandlerSig, MethodSet, RouteArgs};
use crate::diagnostics::{self, Errors};

/// Where a handler is declared.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Context {
    /// A free function (or an associated function of a plain `impl`).
    Free,
    /// A method of a `#[router_module]` impl.
    Module,
}

/// How a module handler takes the module.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ReceiverKind {
    /// An associated function: no `self`.
    None,
    /// `&self`.
    Ref,
    /// `self: Arc<Self>`.
    Arc,
}

/// Checks a route attribute's arguments: the path (with sisk-core's parser) and the method set.
pub(crate) fn args(args: &RouteArgs, errors: &mut Errors) {
    if let Some(path) = &args.path {
        errors.take(diagnostics::check_path(path));
    }
    if let MethodSet::Expr(expr) = &args.method {
        if method_bits(expr) == Some(0) {
            errors.push(syn::Error::new_spanned(
                expr,
                "this method set is empty, so the route would answer no request; name at least one method, e.g. `RouteMethod::Get` or `RouteMethod::Post | RouteMethod::Put`",
            ));
        }
    }
}

/// Checks a handler's signature for `context`; returns how it takes the module (meaningful in
/// a module only).
pub(crate) fn handler(
    handler: &HandlerSig<'_>,
    flavor: Flavor,
    context: Context,
    errors: &mut Errors,
) -> ReceiverKind {
    let sig = handler.sig;
    let attr = flavor.attr_name();
    if sig.asyncness.is_none() {
        errors.push(syn::Error::new_spanned(
            sig.fn_token,
            format!(
                "`#[{attr}]` handlers must be `async fn`s: write `async fn {}(..)`",
                sig.ident
            ),
        ));
    }
    if let Some(constness) = &sig.constness {
        errors.push(syn::Error::new_spanned(
            constness,
            "a route handler cannot be `const`: remove `const`",
        ));
    }
    if let Some(unsafety) = &sig.unsafety {
        errors.push(syn::Error::new_spanned(
            unsafety,
            "a route handler cannot be `unsafe`: the router calls it with no safety contract; remove `unsafe`",
        ));
    }
    if let Some(abi) = &sig.abi {
        errors.push(syn::Error::new_spanned(
            abi,
            "a route handler uses the Rust ABI: remove the `extern`",
        ));
    }
    if let Some(variadic) = &sig.variadic {
        errors.push(syn::Error::new_spanned(
            variadic,
            "a route handler cannot be variadic",
        ));
    }
    if !sig.generics.params.is_empty() {
        errors.push(syn::Error::new_spanned(
            &sig.generics,
            "route handlers cannot be generic: the router calls them with one concrete `HttpRequest`; remove the generic parameters",
        ));
    } else if let Some(where_clause) = &sig.generics.where_clause {
        errors.push(syn::Error::new_spanned(
            where_clause,
            "route handlers cannot be generic: remove the `where` clause",
        ));
    }
    let receiver = receiver(handler, flavor, context, errors);
    for param in &handler.params {
        if let Type::ImplTrait(ty) = &*param.ty {
            errors.push(syn::Error::new_spanned(
                ty,
                "an `impl Trait` parameter makes the handler generic: take `HttpRequest`",
            ));
        }
    }
    for extra in handler.params.iter().skip(1) {
        errors.push(syn::Error::new_spanned(
            extra,
            "a route handler takes at most one parameter, the `HttpRequest`: read route parameters, the query, headers and the body from it",
        ));
    }
    if context == Context::Free && handler.params.is_empty() && handler.receiver.is_none() {
        errors.push(syn::Error::new(
            sig.paren_token.span.join(),
            format!(
                "a `#[{attr}]` function takes the request: write `{}(_req: HttpRequest)`; parameterless handlers are fine as methods of a `#[router_module]` impl, or with `Route::get(\"/path\", handler)`",
                sig.ident
            ),
        ));
    }
    receiver
}

fn receiver(
    handler: &HandlerSig<'_>,
    flavor: Flavor,
    context: Context,
    errors: &mut Errors,
) -> ReceiverKind {
    let Some(receiver) = handler.receiver else {
        return ReceiverKind::None;
    };
    if context == Context::Free {
        errors.push(syn::Error::new_spanned(
            receiver,
            format!(
                "`#[{}]` on a method needs `#[router_module]` on its impl block: add `#[router_module]` (or `#[router_module(prefix = \"/..\")]`) above the `impl`",
                flavor.attr_name()
            ),
        ));
        return ReceiverKind::None;
    }
    let mutable_ref = "router module handlers take `&self`, not `&mut self`: one `Arc` of the module is shared by all its routes and requests; keep state that changes behind a `Mutex` or an atomic";
    let kind = match (&receiver.reference, receiver.colon_token, &*receiver.ty) {
        (Some(_), _, _) if receiver.mutability.is_some() => Err(mutable_ref),
        (Some(_), _, _) => Ok(ReceiverKind::Ref),
        (None, Some(_), Type::Reference(r)) if r.mutability.is_some() => Err(mutable_ref),
        (None, Some(_), Type::Reference(_)) => Ok(ReceiverKind::Ref),
        (None, Some(_), Type::Path(p)) if p.path.segments.last().is_some_and(|s| s.ident == "Arc") => {
            Ok(ReceiverKind::Arc)
        }
        _ => Err("router module handlers take `&self` (or `self: Arc<Self>`): the module lives in one `Arc` shared by all its routes, so it cannot be moved into a handler"),
    };
    kind.unwrap_or_else(|message| {
        errors.push(syn::Error::new_spanned(receiver, message));
        ReceiverKind::None
    })
}

/// A second route attribute on a free function, which would wrap the generated function.
pub(crate) fn single_route_attribute(attrs: &[syn::Attribute], errors: &mut Errors) {
    for attr in attrs {
        if let Some(flavor) = Flavor::of(attr) {
            errors.push(syn::Error::new_spanned(
                attr,
                format!(
                    "a function takes one route attribute, this `#[{}]` is a second one: for several methods write `#[route(RouteMethod::Get | RouteMethod::Post, \"/path\")]`; for several paths use a `#[router_module]` impl",
                    flavor.attr_name()
                ),
            ));
        }
    }
}

/// The method set of an expression made only of `RouteMethod::X`, `RouteMethod::empty()`,
/// `|`, `&` and parentheses, as Sisk's bit values; `None` for anything else (checked by the
/// compiler and at build time instead).
fn method_bits(expr: &Expr) -> Option<u16> {
    match expr {
        Expr::Paren(e) => method_bits(&e.expr),
        Expr::Group(e) => method_bits(&e.expr),
        Expr::Binary(e) => {
            let (l, r) = (method_bits(&e.left)?, method_bits(&e.right)?);
            match e.op {
                BinOp::BitOr(_) => Some(l | r),
                BinOp::BitAnd(_) => Some(l & r),
                _ => None,
            }
        }
        Expr::Path(e) if e.qself.is_none() => {
            let segments: Vec<_> = e.path.segments.iter().map(|s| &s.ident).collect();
            let [.., ty, name] = segments.as_slice() else {
                return None;
            };
            if *ty != "RouteMethod" {
                return None;
            }
            Some(match name.to_string().as_str() {
                "Get" => 2,
                "Post" => 4,
                "Put" => 8,
                "Patch" => 16,
                "Delete" => 32,
                "Head" => 128,
                "Options" => 256,
                "Any" => 510,
                _ => return None,
            })
        }
        Expr::Call(e) if e.args.is_empty() => match &*e.func {
            Expr::Path(f) => {
                let segments: Vec<_> = f.path.segments.iter().map(|s| &s.ident).collect();
                match segments.as_slice() {
                    [.., ty, name]
                        if *ty == "RouteMethod" && (*name == "empty" || *name == "default") =>
                    {
                        Some(0)
                    }
                    _ => None,
                }
            }
            _ => None,
        },
        _ => None,
    }
}

/// Whether `ty` mentions `impl Trait` anywhere (then it cannot be named in a check).
pub(crate) fn has_impl_trait(ty: &Type) -> bool {
    struct Finder(bool);
    impl<'ast> syn::visit::Visit<'ast> for Finder {
        fn visit_type_impl_trait(&mut self, _: &'ast syn::TypeImplTrait) {
            self.0 = true;
        }
    }
    let mut finder = Finder(false);
    syn::visit::visit_type(&mut finder, ty);
    finder.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits(src: &str) -> Option<u16> {
        method_bits(&syn::parse_str(src).unwrap())
    }

    #[test]
    fn method_sets_are_evaluated_when_constant() {
        assert_eq!(bits("RouteMethod::Get"), Some(2));
        assert_eq!(bits("sisk::RouteMethod::Post | RouteMethod::Put"), Some(12));
        assert_eq!(bits("RouteMethod::Get & RouteMethod::Post"), Some(0));
        assert_eq!(bits("(RouteMethod::empty())"), Some(0));
        assert_eq!(bits("RouteMethod::default()"), Some(0));
        assert_eq!(bits("methods()"), None);
        assert_eq!(bits("RouteMethod::Get | SOME"), None);
    }
}
