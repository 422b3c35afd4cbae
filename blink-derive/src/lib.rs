//! Macros for [blink-alloc](https://docs.rs/blink-alloc): `#[derive(BlinkPut)]`
//! and `blink_scope!`. Use them through `blink_alloc`, which re-exports them
//! with its default `derive` feature.

mod ast;
mod expand;
mod scope;

use proc_macro::TokenStream;

/// Derives `blink_alloc::BlinkPut`: a deep copy into an arena that re-binds
/// the arena lifetime. The trait's docs, section "Deriving", say what each
/// field becomes and show each attribute with a runnable example.
///
/// Attributes:
///
/// | attribute | on | effect |
/// |---|---|---|
/// | `#[blink(clone)]` | field | clones the field (a `'static`, `Clone` type) |
/// | `#[blink(skip)]` | field | `Default::default()` in the copy (a `'static`, `Default` type) |
/// | `#[blink(crate = "path")]` | type | the runtime crate's path, if not `::blink_alloc` |
/// | `#[blink(bound = "T: BlinkPut<'_> + Copy")]` | type | replaces the inferred bounds; `'_` is the target's lifetime |
///
/// Any other `#[blink(...)]`, or one on a variant or a generic parameter,
/// is an error.
///
/// Without attributes: fields that mention the arena lifetime or a copied
/// type parameter are deep-copied; `'static` fields (`&'static str`) and
/// fields of `'static` parameters (`T: 'static`, `T: Any`) are kept as is
/// (cloned), and `Output` keeps their types; `PhantomData` fields are made
/// anew, and parameters only they mention need no `BlinkPut`. Refused: a
/// union, a type with `Drop`, `repr(packed)`, a second lifetime, a field
/// that mixes `'static` with the arena lifetime.
///
/// ```text
/// #[derive(BlinkPut)]
/// #[blink(crate = "arena")]                // the dependency is renamed
/// struct Doc<'a, Unit> {
///     title: &'a str,                     // copied into the target
///     source: &'static str,               // kept as is
///     #[blink(clone)] shared: Rc<Config>, // cloned
///     #[blink(skip)] cache: Vec<u32>,     // empty in the copy
///     unit: PhantomData<Unit>,            // `Unit` needs no `BlinkPut`
/// }
/// ```
#[proc_macro_derive(BlinkPut, attributes(blink))]
pub fn derive_blink_put(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::derive(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Runs a closure in a frame arena. Use it as `blink_alloc::blink_scope!`,
/// whose docs say more: that `macro_rules!` calls this one with
/// `crate = $crate, ` in front, so the expansion names the runtime crate
/// under any dependency name.
///
/// Called directly, it takes the same optional prefix:
/// `blink_scope!(crate = path::to::blink_alloc, |frame| body)` (or
/// `crate = "path"`); without it the runtime crate is `::blink_alloc`.
/// Forms: `blink_scope!(|frame| body)` takes a warm arena from a
/// thread-local pool (`blink_alloc::frame`), `blink_scope!(parent, |scope|
/// body)` opens a scope nested in a `Blink` or scope handle
/// (`blink_alloc::Blink::scope`).
///
/// The body is a closure: a `break`, `continue` or `.await` that would leave
/// it, a returned `frame.put(..)` / `frame.copy_str(..)` (a reference into
/// the frame), and `value.put_in(&frame)` are errors that say what to
/// write instead; a body that uses `?` must return a `Result` or an
/// `Option`.
#[proc_macro]
pub fn blink_scope(input: TokenStream) -> TokenStream {
    scope::expand(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
