//! Parsing `#[router_module(..)]` and the impl block it is on: the module's arguments, and
//! each method's route attributes, taken off the method.
//!
//! ```text
//! router_module(...) = [ key-value *( "," key-value ) [ "," ] ]
//! key-value          = "prefix" "=" string
//!                    / "request_handlers" "=" "[" expr *( "," expr ) [ "," ] "]"
//!                    / "on_setup" "=" ident              ; a method of the impl block
//! ```

use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Expr, Ident, ImplItem, ImplItemFn, ItemImpl, LitStr};

use crate::attr::{self, kw, ExprList};
use crate::diagnostics::Errors;
use crate::route::parse::{Flavor, RouteArgs};

/// The arguments of `#[router_module(..)]`.
#[derive(Default)]
pub(crate) struct ModuleArgs {
    pub(crate) prefix: Option<LitStr>,
    pub(crate) request_handlers: Vec<Expr>,
    pub(crate) on_setup: Option<Ident>,
}

impl Parse for ModuleArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut args = ModuleArgs::default();
        let mut handlers: Option<ExprList> = None;
        while !input.is_empty() {
            let lookahead = input.lookahead1();
            if lookahead.peek(kw::prefix) {
                let key: kw::prefix = input.parse()?;
                args.prefix = Some(attr::value(input, &args.prefix, "prefix", key.span)?);
            } else if lookahead.peek(kw::request_handlers) {
                let key: kw::request_handlers = input.parse()?;
                handlers = Some(attr::value(input, &handlers, "request_handlers", key.span)?);
            } else if lookahead.peek(kw::on_setup) {
                let key: kw::on_setup = input.parse()?;
                args.on_setup = Some(attr::value(input, &args.on_setup, "on_setup", key.span)?);
            } else {
                return Err(lookahead.error());
            }
            if !attr::comma_or_end(input)? {
                break;
            }
        }
        args.request_handlers = handlers.map(|list| list.exprs).unwrap_or_default();
        Ok(args)
    }
}

/// One route of the module: the method (route attributes removed) and one of its attributes.
pub(crate) struct ModuleRoute {
    pub(crate) method: ImplItemFn,
    pub(crate) args: RouteArgs,
}

/// The impl block with its route attributes taken off (what is emitted, even on error), and
/// the routes they declared.
pub(crate) struct ModuleItem {
    pub(crate) item: ItemImpl,
    pub(crate) routes: Vec<ModuleRoute>,
}

impl ModuleItem {
    /// Takes the route attributes off the methods of `item`; errors in them go to `errors`.
    pub(crate) fn new(mut item: ItemImpl, errors: &mut Errors) -> Self {
        let mut routes = Vec::new();
        for impl_item in &mut item.items {
            match impl_item {
                ImplItem::Fn(method) => {
                    let attrs = take_route_attrs(&mut method.attrs);
                    for (flavor, attr) in attrs {
                        if let Some(args) = errors.take(RouteArgs::from_attribute(&attr, flavor)) {
                            routes.push(ModuleRoute {
                                method: method.clone(),
                                args,
                            });
                        }
                    }
                }
                ImplItem::Const(c) => not_a_method(&mut c.attrs, errors),
                ImplItem::Type(t) => not_a_method(&mut t.attrs, errors),
                ImplItem::Macro(m) => not_a_method(&mut m.attrs, errors),
                _ => {}
            }
        }
        Self { item, routes }
    }
}

fn take_route_attrs(attrs: &mut Vec<Attribute>) -> Vec<(Flavor, Attribute)> {
    let mut taken = Vec::new();
    attrs.retain(|attr| match Flavor::of(attr) {
        Some(flavor) => {
            taken.push((flavor, attr.clone()));
            false
        }
        None => true,
    });
    taken
}

fn not_a_method(attrs: &mut Vec<Attribute>, errors: &mut Errors) {
    for (flavor, attr) in take_route_attrs(attrs) {
        errors.push(syn::Error::new_spanned(
            attr,
            format!(
                "`#[{}]` goes on an `async fn` method of the impl block",
                flavor.attr_name()
            ),
        ));
    }
}
