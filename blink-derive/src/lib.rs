//! Macros for [blink-alloc](https://docs.rs/blink-alloc): `#[derive(BlinkPut)]`
//! and `blink_scope!`. Use them through `blink_alloc`, which re-exports them
//! with its default `derive` feature.

mod ast;
mod expand;
mod scope;

use proc_macro::TokenStream;

/// Derives `blink_alloc::BlinkPut`: a deep copy into an arena that re-binds
/// the arena lifetime. See the trait for the rules.
///
/// Field attributes: `#[blink(clone)]` clones the field, `#[blink(skip)]`
/// sets it to `Default::default()`; both need a `'static` field type.
/// Container attribute: `#[blink(crate = "path::to::blink_alloc")]`.
#[proc_macro_derive(BlinkPut, attributes(blink))]
pub fn derive_blink_put(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::derive(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Runs a closure in a frame arena: `blink_scope!(|b| body)` takes a warm
/// arena from a thread-local pool, `blink_scope!(parent, |b| body)` opens a
/// scope nested in a `Blink` or scope handle. See `blink_alloc::frame` and
/// `blink_alloc::Blink::scope`.
#[proc_macro]
pub fn blink_scope(input: TokenStream) -> TokenStream {
    scope::expand(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
