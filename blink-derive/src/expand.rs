//! Code generation for `#[derive(BlinkPut)]`.
//!
//! For `struct Node<'a, T> { .. }` it writes, inside `const _: () = { .. };`:
//! - a check that `Node` does not implement `Drop` (two impls of a local
//!   trait that conflict if it does), which the drop rule of `BlinkPut`
//!   relies on;
//! - `unsafe impl<'a, '__blink, T> BlinkPut<'__blink> for Node<'a, T>` with
//!   `Output = Node<'__blink, <T as BlinkPut<'__blink>>::Output>`, and
//!   `put_in` / `try_put_in` that copy field by field.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::{
    spanned::Spanned, visit::Visit, visit_mut::VisitMut, DeriveInput, Error, GenericParam, Ident,
    Lifetime, Type,
};

use crate::ast::{Field, Input, Mode, Style, Variant};

pub fn derive(input: &DeriveInput) -> syn::Result<TokenStream> {
    let input = Input::from_syn(input)?;
    let generics = Generics::check(input.original)?;
    check_fields(&input, &generics)?;
    Ok(expand(&input, &generics))
}

/// The lifetime and type parameters of the input.
struct Generics {
    /// The arena lifetime, if the type has one.
    arena: Option<Lifetime>,
    types: Vec<Ident>,
    /// The target lifetime, named so as not to clash.
    target: Lifetime,
}

impl Generics {
    fn check(input: &DeriveInput) -> syn::Result<Self> {
        let mut lifetimes = input.generics.lifetimes();
        let arena = lifetimes.next().map(|param| param.lifetime.clone());
        if let Some(extra) = lifetimes.next() {
            return Err(Error::new_spanned(
                &extra.lifetime,
                format!(
                    "BlinkPut needs at most one lifetime, the arena lifetime; `{}` is a second \
                     one, so which borrows to re-bind is ambiguous",
                    extra.lifetime
                ),
            ));
        }
        let types = input
            .generics
            .type_params()
            .map(|param| param.ident.clone())
            .collect();
        Ok(Generics {
            arena,
            types,
            target: Lifetime::new("'__blink", Span::call_site()),
        })
    }

    /// Rewrites `'a` to the target lifetime and each type parameter `T` to
    /// `<T as BlinkPut<'__blink>>::Output`.
    fn substitute<'a>(&'a self, krate: &'a syn::Path) -> Substitute<'a> {
        Substitute {
            generics: self,
            krate,
        }
    }
}

struct Substitute<'a> {
    generics: &'a Generics,
    krate: &'a syn::Path,
}

impl VisitMut for Substitute<'_> {
    fn visit_lifetime_mut(&mut self, lifetime: &mut Lifetime) {
        if Some(&*lifetime) == self.generics.arena.as_ref() {
            *lifetime = self.generics.target.clone();
        }
    }

    fn visit_type_mut(&mut self, ty: &mut Type) {
        if let Type::Path(path) = ty {
            if path.qself.is_none() {
                if let Some(ident) = path.path.get_ident() {
                    if self.generics.types.contains(ident) {
                        let (krate, target) = (self.krate, &self.generics.target);
                        *ty = syn::parse_quote!(<#ident as #krate::BlinkPut<#target>>::Output);
                        return;
                    }
                }
            }
        }
        syn::visit_mut::visit_type_mut(self, ty);
    }
}

/// Whether a type mentions the arena lifetime or a type parameter.
struct Mentions<'a> {
    generics: &'a Generics,
    found: Option<String>,
}

impl<'ast> Visit<'ast> for Mentions<'_> {
    fn visit_lifetime(&mut self, lifetime: &'ast Lifetime) {
        if Some(lifetime) == self.generics.arena.as_ref() {
            self.found = Some(format!("the arena lifetime `{lifetime}`"));
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        if let Some(ident) = path.get_ident() {
            if self.generics.types.contains(ident) {
                self.found = Some(format!("the type parameter `{ident}`"));
            }
        }
        syn::visit::visit_path(self, path);
    }
}

/// `#[blink(clone)]` and `#[blink(skip)]` fields must be `'static`: they are
/// not copied through `BlinkPut`, so only `'static` proves that their drop
/// cannot read a dangling borrow.
fn check_fields(input: &Input, generics: &Generics) -> syn::Result<()> {
    for field in input.variants.iter().flat_map(|v| &v.fields) {
        if field.mode == Mode::Put {
            continue;
        }
        let mut mentions = Mentions {
            generics,
            found: None,
        };
        mentions.visit_type(field.ty);
        if let Some(what) = mentions.found {
            let attr = if field.mode == Mode::Clone {
                "clone"
            } else {
                "skip"
            };
            return Err(Error::new_spanned(
                field.ty,
                format!(
                    "a `#[blink({attr})]` field must have a `'static` type, but this one mentions \
                     {what}; remove the attribute to copy it with `BlinkPut`"
                ),
            ));
        }
    }
    Ok(())
}

fn expand(input: &Input, generics: &Generics) -> TokenStream {
    let krate = &input.krate;
    let original = input.original;
    let name = &original.ident;
    let target = &generics.target;
    let (impl_generics, type_generics, where_clause) = original.generics.split_for_impl();

    // impl<'a, '__blink, T, const N: usize>
    let mut params: Vec<TokenStream> = Vec::new();
    let mut output_args: Vec<TokenStream> = Vec::new();
    for param in &original.generics.params {
        match param {
            GenericParam::Lifetime(def) => {
                let lifetime = &def.lifetime;
                let bounds = &def.bounds;
                params.push(if bounds.is_empty() {
                    quote!(#lifetime)
                } else {
                    quote!(#lifetime: #bounds)
                });
                output_args.push(quote!(#target));
            }
            GenericParam::Type(def) => {
                let ident = &def.ident;
                params.push(quote!(#ident));
                output_args.push(quote!(<#ident as #krate::BlinkPut<#target>>::Output));
            }
            GenericParam::Const(def) => {
                let (ident, ty) = (&def.ident, &def.ty);
                params.push(quote!(const #ident: #ty));
                output_args.push(quote!(#ident));
            }
        }
    }
    let mut impl_params = params.clone();
    impl_params.insert(generics.arena.is_some() as usize, quote!(#target));

    // where T: BlinkPut<'__blink>, T: Bounds, T::Output: Bounds', ...
    let mut predicates: Vec<TokenStream> = Vec::new();
    for param in original.generics.type_params() {
        let ident = &param.ident;
        predicates.push(quote!(#ident: #krate::BlinkPut<#target>));
        for bound in &param.bounds {
            let mut output_bound = bound.clone();
            generics
                .substitute(krate)
                .visit_type_param_bound_mut(&mut output_bound);
            predicates.push(quote!(#ident: #bound));
            predicates.push(quote!(<#ident as #krate::BlinkPut<#target>>::Output: #output_bound));
        }
    }
    if let Some(clause) = where_clause {
        for predicate in &clause.predicates {
            let mut output_predicate = predicate.clone();
            generics
                .substitute(krate)
                .visit_where_predicate_mut(&mut output_predicate);
            predicates.push(quote!(#predicate));
            predicates.push(quote!(#output_predicate));
        }
    }
    for field in input.variants.iter().flat_map(|v| &v.fields) {
        if field.mode != Mode::Put {
            let ty = field.ty;
            predicates.push(quote_spanned!(ty.span()=> #ty: 'static));
        }
    }

    let put_arms = input.variants.iter().map(|v| arm(input, v, false));
    let try_arms = input.variants.iter().map(|v| arm(input, v, true));
    let output = quote!(#name<#(#output_args),*>);
    let drop_check = format_ident!("BlinkPutTypesMustNotImplementDrop");

    quote! {
        #[allow(non_local_definitions)]
        const _: () = {
            /// The drop rule of `BlinkPut` holds for a derived type only if
            /// the type has no `Drop` of its own: these impls conflict if it
            /// has.
            trait #drop_check {}
            #[allow(drop_bounds)]
            impl<T: ::core::ops::Drop + ?::core::marker::Sized> #drop_check for T {}
            impl #impl_generics #drop_check for #name #type_generics #where_clause {}

            // SAFETY: `#name` has no `Drop` (checked above), so dropping its
            // `Output` drops only its fields: the `BlinkPut` outputs of the
            // copied fields, which keep the drop rule, and the `'static`
            // `clone` and `skip` fields, which hold no borrow.
            #[automatically_derived]
            unsafe impl<#(#impl_params),*> #krate::BlinkPut<#target> for #name #type_generics
            where #(#predicates,)*
            {
                type Output = #output;

                #[inline]
                fn put_in<__A: #krate::BlinkAllocator>(
                    &self,
                    blink: &#target #krate::Blink<__A>,
                ) -> Self::Output {
                    match self { #(#put_arms)* }
                }

                #[inline]
                fn try_put_in<__A: #krate::BlinkAllocator>(
                    &self,
                    blink: &#target #krate::Blink<__A>,
                ) -> ::core::result::Result<Self::Output, #krate::AllocError> {
                    ::core::result::Result::Ok(match self { #(#try_arms)* })
                }
            }
        };
    }
}

/// One `match` arm: binds the fields, copies each.
fn arm(input: &Input, variant: &Variant, fallible: bool) -> TokenStream {
    let name = &input.original.ident;
    let path = match variant.ident {
        Some(ident) => quote!(#name::#ident),
        None => quote!(#name),
    };
    let bindings: Vec<Ident> = (0..variant.fields.len())
        .map(|i| format_ident!("__field{}", i))
        .collect();
    let values = variant
        .fields
        .iter()
        .zip(&bindings)
        .map(|(field, binding)| value(input, field, binding, fallible));
    let members = variant.fields.iter().map(|f| &f.member);
    let members2 = members.clone();
    match variant.style {
        Style::Unit => quote!(#path => #path,),
        Style::Named | Style::Tuple => quote! {
            #path { #(#members: #bindings),* } => #path { #(#members2: #values),* },
        },
    }
}

/// The copy of one field.
fn value(input: &Input, field: &Field, binding: &Ident, fallible: bool) -> TokenStream {
    let krate = &input.krate;
    let ty = field.ty;
    let span = ty.span();
    // `<FieldType as BlinkPut>` puts a missing impl's error on the field type.
    match (field.mode, fallible) {
        (Mode::Put, false) => {
            quote_spanned!(span=> <#ty as #krate::BlinkPut<'__blink>>::put_in(#binding, blink))
        }
        (Mode::Put, true) => {
            quote_spanned!(span=> <#ty as #krate::BlinkPut<'__blink>>::try_put_in(#binding, blink)?)
        }
        (Mode::Clone, _) => quote_spanned!(span=> ::core::clone::Clone::clone(#binding)),
        (Mode::Skip, _) => quote_spanned!(span=> ::core::default::Default::default()),
    }
}
