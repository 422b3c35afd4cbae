//! `blink_scope!`: checks the closure and hands it to the runtime.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{parse::Parser, punctuated::Punctuated, spanned::Spanned, Error, Expr, Token};

const FORMS: &str = "expected `blink_scope!(|b| body)` or `blink_scope!(parent, |b| body)`";

pub fn expand(input: TokenStream) -> syn::Result<TokenStream> {
    let args = Punctuated::<Expr, Token![,]>::parse_terminated.parse2(input.clone())?;
    let mut args = args.into_iter();
    match (args.next(), args.next(), args.next()) {
        (None, _, _) => Err(Error::new_spanned(input, FORMS)),
        (Some(closure), None, _) => {
            check_closure(&closure)?;
            Ok(quote!(::blink_alloc::frame(#closure)))
        }
        (Some(parent), Some(closure), None) => {
            check_closure(&closure)?;
            let scope = quote::quote_spanned!(parent.span()=> scope);
            Ok(quote!((#parent).#scope(#closure)))
        }
        (Some(_), Some(_), Some(extra)) => Err(Error::new_spanned(
            extra,
            format!("unexpected argument: {FORMS}"),
        )),
    }
}

/// The last argument must be a closure with one parameter, the scope.
fn check_closure(expr: &Expr) -> syn::Result<()> {
    let Expr::Closure(closure) = expr else {
        return Err(Error::new_spanned(
            expr,
            format!("expected a closure with one parameter, the scope: {FORMS}"),
        ));
    };
    if let Some(asyncness) = &closure.asyncness {
        return Err(Error::new_spanned(
            asyncness,
            "an async closure cannot run in a blink scope: the scope ends when the closure returns",
        ));
    }
    if closure.inputs.len() != 1 {
        let (or1, inputs, or2) = (&closure.or1_token, &closure.inputs, &closure.or2_token);
        return Err(Error::new_spanned(
            quote!(#or1 #inputs #or2),
            format!(
                "the closure takes {} parameters; it must take exactly one, the scope: {FORMS}",
                closure.inputs.len()
            ),
        ));
    }
    Ok(())
}
