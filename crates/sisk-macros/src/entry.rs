//! The one place every attribute goes through: run the macro's stages, turn an error into
//! the original item plus `compile_error!`, and print the expansion when
//! `SISK_MACROS_DEBUG` is set.

use proc_macro2::TokenStream;
use quote::quote;

use crate::diagnostics::Failed;

/// A macro's stages, from the attribute's arguments and the item to the output.
pub(crate) type Stages = fn(TokenStream, TokenStream) -> Result<TokenStream, Failed>;

/// Runs `stages` for the attribute `name`.
pub(crate) fn attribute(
    name: &str,
    attr: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
    stages: Stages,
) -> proc_macro::TokenStream {
    let output = match stages(attr.into(), item.into()) {
        Ok(output) => output,
        Err(Failed { item, error }) => {
            let error = error.into_compile_error();
            quote!(#item #error)
        }
    };
    if debug_enabled() {
        eprintln!("---- #[{name}] expands to ----\n{output}\n---- end of #[{name}] ----");
    }
    output.into()
}

/// `SISK_MACROS_DEBUG` set to anything but empty or `0`.
fn debug_enabled() -> bool {
    std::env::var_os("SISK_MACROS_DEBUG").is_some_and(|v| !v.is_empty() && v != "0")
}
