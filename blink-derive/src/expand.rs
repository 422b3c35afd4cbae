//! Code generation for `#[derive(BlinkPut)]`.
//!
//! For `struct Node<'a, T> { .. }` it writes, inside `const _: () = { .. };`:
//! - a check that `Node` does not implement `Drop` (two impls of a local
//!   trait that conflict if it does), which the drop rule of `BlinkPut`
//!   relies on;
//! - `unsafe impl<'a, '__blink, T> BlinkPut<'__blink> for Node<'a, T>` with
//!   `Output = Node<'__blink, <T as BlinkPut<'__blink>>::Output>`, and
//!   `copy_to` / `try_copy_to` that copy field by field.
//!
//! `'__blink` and the allocator parameter `__A` are renamed (`'__blink1`,
//! ...) when the item already uses the name.
//!
//! A type parameter is one of three kinds:
//! - *mapped* (the default): `T` becomes `<T as BlinkPut>::Output`, and the
//!   impl asks `T: BlinkPut`;
//! - *`'static`* (declared `T: 'static` or `T: Any`): it holds no arena
//!   borrow, so `Output` keeps `T`;
//! - *phantom* (no copied field mentions it but `PhantomData` ones): `Output`
//!   keeps `T`, which needs no `BlinkPut`.
//!
//! A copied field whose type changes (it mentions the arena lifetime or a
//! mapped parameter) is copied with `BlinkPut`; one whose type is `'static`
//! by its declaration (it mentions `'static` or a `'static` parameter) keeps
//! its type and is cloned; a `PhantomData` is made anew; any other field
//! (`u32`, `String`, a type without lifetime) goes through `BlinkPut`.

use std::collections::HashSet;

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::{
    spanned::Spanned, visit::Visit, visit_mut::VisitMut, DeriveInput, Error, GenericParam, Ident,
    Lifetime, Type, TypeParamBound, WherePredicate,
};

use crate::ast::{Field, Input, Mode, Style, Variant};

pub fn derive(input: &DeriveInput) -> syn::Result<TokenStream> {
    let input = Input::from_syn(input)?;
    let generics = Generics::classify(&input)?;
    let kinds = field_kinds(&input, &generics)?;
    Ok(expand(&input, &generics, &kinds))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ParamKind {
    Mapped,
    Static,
    Phantom,
}

/// The lifetime and type parameters of the input.
struct Generics {
    /// The arena lifetime, if the type has one.
    arena: Option<Lifetime>,
    params: Vec<(Ident, ParamKind)>,
    /// Whether `Self` names another type than `Output`.
    self_changes: bool,
    /// The target lifetime, named so as not to clash with the item's names.
    target: Lifetime,
    /// The allocator parameter of `copy_to`, likewise.
    alloc: Ident,
}

impl Generics {
    fn classify(input: &Input) -> syn::Result<Self> {
        let original = input.original;
        let mut lifetimes = original.generics.lifetimes();
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
        let mut used = HashSet::new();
        used_idents(original.to_token_stream(), &mut used);
        let target = Lifetime::new(&format!("'{}", fresh("__blink", &used)), Span::call_site());
        let alloc = Ident::new(&fresh("__A", &used), Span::call_site());

        let idents: Vec<Ident> = original
            .generics
            .type_params()
            .map(|p| p.ident.clone())
            .collect();
        let mut generics = Generics {
            arena,
            params: idents
                .iter()
                .map(|i| (i.clone(), ParamKind::Phantom))
                .collect(),
            self_changes: false,
            target,
            alloc,
        };
        // A parameter that a copied field (not a `PhantomData`) mentions is
        // mapped, unless it is `'static`.
        let mut in_copied = HashSet::new();
        for field in input.variants.iter().flat_map(|v| &v.fields) {
            if field.mode == Mode::Put && !is_phantom_data(field.ty) {
                in_copied.extend(generics.mentions(field.ty).params);
            }
        }
        for (ident, kind) in &mut generics.params {
            *kind = if is_static_param(original, ident) {
                ParamKind::Static
            } else if in_copied.contains(ident) {
                ParamKind::Mapped
            } else {
                ParamKind::Phantom
            };
        }
        generics.self_changes = generics.arena.is_some()
            || generics
                .params
                .iter()
                .any(|(_, kind)| *kind == ParamKind::Mapped);
        Ok(generics)
    }

    fn kind(&self, ident: &Ident) -> Option<ParamKind> {
        self.params
            .iter()
            .find(|(i, _)| i == ident)
            .map(|(_, kind)| *kind)
    }

    fn mentions(&self, ty: &Type) -> Found {
        let mut seen = Seen {
            generics: self,
            arena: false,
            statics: false,
            self_type: false,
            params: Vec::new(),
        };
        seen.visit_type(ty);
        seen.into_found()
    }

    /// Rewrites `'a` to the target lifetime and each mapped type parameter
    /// `T` to `<T as BlinkPut<'__blink>>::Output`.
    fn substitute<'a>(&'a self, krate: &'a syn::Path) -> Substitute<'a> {
        Substitute {
            generics: self,
            krate,
        }
    }
}

/// Every identifier (and lifetime name) in `tokens`.
fn used_idents(tokens: TokenStream, used: &mut HashSet<String>) {
    for token in tokens {
        match token {
            TokenTree::Ident(ident) => {
                used.insert(ident.to_string());
            }
            TokenTree::Group(group) => used_idents(group.stream(), used),
            _ => {}
        }
    }
}

/// `base`, or `base1`, `base2`, ... the first one not in `used`.
fn fresh(base: &str, used: &HashSet<String>) -> String {
    (0..)
        .map(|n| match n {
            0 => base.to_owned(),
            n => format!("{base}{n}"),
        })
        .find(|name| !used.contains(name))
        .expect("a fresh name")
}

/// Declared `T: 'static` or `T: Any` (in its bounds or the where clause).
fn is_static_param(input: &DeriveInput, ident: &Ident) -> bool {
    let is_static = |bound: &TypeParamBound| match bound {
        TypeParamBound::Lifetime(lifetime) => lifetime.ident == "static",
        TypeParamBound::Trait(trait_bound) => trait_bound
            .path
            .segments
            .last()
            .is_some_and(|segment| segment.ident == "Any"),
        _ => false,
    };
    let declared = input
        .generics
        .type_params()
        .filter(|p| p.ident == *ident)
        .flat_map(|p| &p.bounds)
        .any(is_static);
    let in_where = input
        .generics
        .where_clause
        .iter()
        .flat_map(|clause| &clause.predicates)
        .any(|predicate| match predicate {
            WherePredicate::Type(predicate) => {
                matches!(&predicate.bounded_ty, Type::Path(path)
                    if path.qself.is_none() && path.path.is_ident(ident))
                    && predicate.bounds.iter().any(is_static)
            }
            _ => false,
        });
    declared || in_where
}

/// `PhantomData<..>` (by its last path segment).
fn is_phantom_data(ty: &Type) -> bool {
    match ty {
        Type::Path(path) => {
            path.qself.is_none()
                && path
                    .path
                    .segments
                    .last()
                    .is_some_and(|s| s.ident == "PhantomData")
        }
        _ => false,
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
                    if self.generics.kind(ident) == Some(ParamKind::Mapped) {
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

/// Rewrites `'_` to the target lifetime, in `#[blink(bound = "...")]`.
struct Underscore<'a>(&'a Lifetime);

impl VisitMut for Underscore<'_> {
    fn visit_lifetime_mut(&mut self, lifetime: &mut Lifetime) {
        if lifetime.ident == "_" {
            *lifetime = self.0.clone();
        }
    }
}

/// What a type mentions of the generics.
struct Seen<'a> {
    generics: &'a Generics,
    arena: bool,
    statics: bool,
    self_type: bool,
    params: Vec<Ident>,
}

/// [`Seen`] without the borrow of the generics.
struct Found {
    arena: bool,
    statics: bool,
    self_type: bool,
    params: Vec<Ident>,
}

impl Seen<'_> {
    fn into_found(self) -> Found {
        Found {
            arena: self.arena,
            statics: self.statics,
            self_type: self.self_type,
            params: self.params,
        }
    }
}

impl<'ast> Visit<'ast> for Seen<'_> {
    fn visit_lifetime(&mut self, lifetime: &'ast Lifetime) {
        if Some(lifetime) == self.generics.arena.as_ref() {
            self.arena = true;
        } else if lifetime.ident == "static" {
            self.statics = true;
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        if path.leading_colon.is_none() {
            if let Some(first) = path.segments.first() {
                if first.ident == "Self" {
                    self.self_type = true;
                } else if self.generics.kind(&first.ident).is_some()
                    && !self.params.contains(&first.ident)
                {
                    self.params.push(first.ident.clone());
                }
            }
        }
        syn::visit::visit_path(self, path);
    }
}

impl Found {
    fn has(&self, generics: &Generics, kind: ParamKind) -> bool {
        self.params.iter().any(|p| generics.kind(p) == Some(kind))
    }

    /// Whether the type is another one in `Output`.
    fn changes(&self, generics: &Generics) -> bool {
        self.arena
            || self.has(generics, ParamKind::Mapped)
            || (self.self_type && generics.self_changes)
    }
}

/// How the derive copies one field.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `BlinkPut::copy_to`.
    Put,
    /// `Clone::clone`: `#[blink(clone)]`, or a `'static` type kept as is.
    Clone,
    /// `Default::default()`: `#[blink(skip)]`.
    Skip,
    /// `PhantomData`, made anew.
    Phantom,
}

/// Each field's [`Kind`], in order, with the checks that refuse a field.
fn field_kinds(input: &Input, generics: &Generics) -> syn::Result<Vec<Kind>> {
    let mut kinds = Vec::new();
    for field in input.variants.iter().flat_map(|v| &v.fields) {
        let seen = generics.mentions(field.ty);
        let kind = match field.mode {
            Mode::Clone | Mode::Skip => {
                check_static_field(field, &seen, generics)?;
                if field.mode == Mode::Clone {
                    Kind::Clone
                } else {
                    Kind::Skip
                }
            }
            Mode::Put if is_phantom_data(field.ty) => Kind::Phantom,
            Mode::Put if seen.changes(generics) => {
                if seen.statics {
                    return Err(Error::new_spanned(
                        field.ty,
                        "this field's type mixes `'static` with the arena lifetime (or a copied \
                         type parameter): its deep copy re-binds every borrow in it to the target \
                         arena, so the `'static` ones could not stay `'static`; write the arena \
                         lifetime for them too, or move the `'static` data to a field of its own \
                         (kept as is)",
                    ));
                }
                Kind::Put
            }
            Mode::Put if seen.statics || seen.has(generics, ParamKind::Static) => Kind::Clone,
            Mode::Put => Kind::Put,
        };
        kinds.push(kind);
    }
    Ok(kinds)
}

/// `#[blink(clone)]` and `#[blink(skip)]` fields must be `'static`: they are
/// not copied through `BlinkPut`, so only `'static` proves that their drop
/// cannot read a dangling borrow; and their type must be the same in
/// `Output`.
fn check_static_field(field: &Field, seen: &Found, generics: &Generics) -> syn::Result<()> {
    let attr = field.mode.attr();
    let what = if seen.arena {
        let arena = generics.arena.as_ref().expect("seen");
        format!("the arena lifetime `{arena}`")
    } else if let Some(param) = seen
        .params
        .iter()
        .find(|p| generics.kind(p) == Some(ParamKind::Mapped))
    {
        format!("the type parameter `{param}`, which other fields copy with `BlinkPut`")
    } else if seen.self_type && generics.self_changes {
        return Err(Error::new_spanned(
            field.ty,
            format!(
                "a `{attr}` field's type must not mention `Self`: `Self` has the arena lifetime \
                 (or copied type parameters), so this field would have another type in \
                 `Output`; write the type out with `'static`, or remove the attribute to copy \
                 it with `BlinkPut`"
            ),
        ));
    } else {
        return Ok(());
    };
    Err(Error::new_spanned(
        field.ty,
        format!(
            "a `{attr}` field must have a `'static` type, but this one mentions {what}; remove \
             the attribute to copy it with `BlinkPut`"
        ),
    ))
}

fn expand(input: &Input, generics: &Generics, kinds: &[Kind]) -> TokenStream {
    let krate = &input.krate;
    let original = input.original;
    let name = &original.ident;
    let target = &generics.target;
    let alloc = &generics.alloc;
    let (impl_generics, type_generics, where_clause) = original.generics.split_for_impl();

    // impl<'a, '__blink, T: Bounds, const N: usize>
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
                // A copied parameter is sized: `&T` and `Box<T>` copy only
                // sized `T`s, and `Output` is sized.
                let mapped = generics.kind(ident) == Some(ParamKind::Mapped);
                let bounds: Vec<&TypeParamBound> = def
                    .bounds
                    .iter()
                    .filter(|bound| !(mapped && is_maybe(bound)))
                    .collect();
                params.push(if bounds.is_empty() {
                    quote!(#ident)
                } else {
                    quote!(#ident: #(#bounds)+*)
                });
                output_args.push(match generics.kind(ident) {
                    Some(ParamKind::Mapped) => {
                        quote!(<#ident as #krate::BlinkPut<#target>>::Output)
                    }
                    _ => quote!(#ident),
                });
            }
            GenericParam::Const(def) => {
                let (ident, ty) = (&def.ident, &def.ty);
                params.push(quote!(const #ident: #ty));
                output_args.push(quote!(#ident));
            }
        }
    }
    let mut impl_params = params;
    impl_params.insert(generics.arena.is_some() as usize, quote!(#target));

    // Bounds inferred from the fields, which `#[blink(bound = "...")]`
    // replaces: `T: BlinkPut<'__blink>` for each mapped parameter, ...
    let mut inferred: Vec<TokenStream> = Vec::new();
    let mut static_in_put: HashSet<&Ident> = HashSet::new();
    let fields = input.variants.iter().flat_map(|v| &v.fields);
    for (field, kind) in fields.zip(kinds) {
        let seen = generics.mentions(field.ty);
        let ty = field.ty;
        let keeps_param =
            seen.has(generics, ParamKind::Static) || seen.has(generics, ParamKind::Phantom);
        match kind {
            Kind::Put => static_in_put.extend(
                generics
                    .params
                    .iter()
                    .filter(|(p, kind)| *kind == ParamKind::Static && seen.params.contains(p))
                    .map(|(p, _)| p),
            ),
            Kind::Clone if keeps_param => {
                inferred.push(quote_spanned!(ty.span()=> #ty: ::core::clone::Clone));
            }
            Kind::Skip if keeps_param => {
                inferred.push(quote_spanned!(ty.span()=> #ty: ::core::default::Default));
            }
            _ => {}
        }
    }
    for (ident, kind) in &generics.params {
        match kind {
            ParamKind::Mapped => inferred.push(quote!(#ident: #krate::BlinkPut<#target>)),
            ParamKind::Static if static_in_put.contains(ident) => {
                inferred.push(quote!(#ident: #krate::BlinkPut<#target, Output = #ident>));
            }
            _ => {}
        }
    }
    let mut predicates = match &input.bound {
        None => inferred,
        Some(bound) => bound
            .iter()
            .map(|predicate| {
                let mut predicate = predicate.clone();
                Underscore(target).visit_where_predicate_mut(&mut predicate);
                quote!(#predicate)
            })
            .collect(),
    };

    // ... and those always there: the kept parameters outlive the target,
    // `Output` meets the item's bounds, `clone` and `skip` fields are
    // `'static`.
    for (ident, kind) in &generics.params {
        match kind {
            ParamKind::Static => predicates.push(quote!(#ident: 'static)),
            ParamKind::Phantom => predicates.push(quote!(#ident: #target)),
            ParamKind::Mapped => {}
        }
    }
    for param in original.generics.type_params() {
        let ident = &param.ident;
        if generics.kind(ident) != Some(ParamKind::Mapped) {
            continue;
        }
        // `?Sized` stays on `T`: `Output` is always sized.
        let bounds: Vec<TypeParamBound> = param
            .bounds
            .iter()
            .filter(|bound| !is_maybe(bound))
            .map(|bound| {
                let mut bound = bound.clone();
                generics
                    .substitute(krate)
                    .visit_type_param_bound_mut(&mut bound);
                bound
            })
            .collect();
        if !bounds.is_empty() {
            predicates.push(quote!(<#ident as #krate::BlinkPut<#target>>::Output: #(#bounds)+*));
        }
    }
    if let Some(clause) = where_clause {
        for predicate in &clause.predicates {
            let mut predicate = predicate.clone();
            if let WherePredicate::Type(predicate) = &mut predicate {
                if let Type::Path(path) = &predicate.bounded_ty {
                    let mapped = path.qself.is_none()
                        && path.path.get_ident().and_then(|i| generics.kind(i))
                            == Some(ParamKind::Mapped);
                    if mapped {
                        predicate.bounds = std::mem::take(&mut predicate.bounds)
                            .into_iter()
                            .filter(|bound| !is_maybe(bound))
                            .collect();
                    }
                }
            }
            if !matches!(&predicate, WherePredicate::Type(p) if p.bounds.is_empty()) {
                predicates.push(quote!(#predicate));
            }
            let mut output_predicate = predicate.clone();
            if let WherePredicate::Type(predicate) = &mut output_predicate {
                predicate.bounds = std::mem::take(&mut predicate.bounds)
                    .into_iter()
                    .filter(|bound| !is_maybe(bound))
                    .collect();
                if predicate.bounds.is_empty() {
                    continue;
                }
            }
            generics
                .substitute(krate)
                .visit_where_predicate_mut(&mut output_predicate);
            if output_predicate.to_token_stream().to_string()
                != predicate.to_token_stream().to_string()
            {
                predicates.push(quote!(#output_predicate));
            }
        }
    }
    for (field, kind) in input.variants.iter().flat_map(|v| &v.fields).zip(kinds) {
        if field.mode != Mode::Put {
            let ty = field.ty;
            predicates.push(quote_spanned!(ty.span()=> #ty: 'static));
        } else if *kind == Kind::Clone {
            // Kept as is: `'static` by its declaration, said again for the
            // drop rule.
            let ty = field.ty;
            predicates.push(quote_spanned!(ty.span()=> #ty: 'static));
        }
    }

    let blink = Ident::new("blink", Span::mixed_site());
    let (put_body, try_body) = if input.empty_enum {
        (quote!(match *self {}), quote!(match *self {}))
    } else {
        let mut kinds = kinds.iter();
        let mut put_arms = Vec::new();
        let mut try_arms = Vec::new();
        for variant in &input.variants {
            let variant_kinds: Vec<Kind> =
                kinds.by_ref().take(variant.fields.len()).copied().collect();
            put_arms.push(arm(input, generics, variant, &variant_kinds, &blink, false));
            try_arms.push(arm(input, generics, variant, &variant_kinds, &blink, true));
        }
        (
            quote!(match self { #(#put_arms)* }),
            quote!(::core::result::Result::Ok(match self { #(#try_arms)* })),
        )
    };
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
            // copied fields, which keep the drop rule, the `'static` kept,
            // `clone` and `skip` fields, which hold no borrow, and
            // `PhantomData`s, which hold nothing.
            #[automatically_derived]
            unsafe impl<#(#impl_params),*> #krate::BlinkPut<#target> for #name #type_generics
            where #(#predicates,)*
            {
                type Output = #output;

                #[inline]
                fn copy_to<#alloc: #krate::BlinkAllocator>(
                    &self,
                    #blink: &#krate::PutTarget<#target, #alloc>,
                ) -> Self::Output {
                    #put_body
                }

                #[inline]
                fn try_copy_to<#alloc: #krate::BlinkAllocator>(
                    &self,
                    #blink: &#krate::PutTarget<#target, #alloc>,
                ) -> ::core::result::Result<Self::Output, #krate::AllocError> {
                    #try_body
                }
            }
        };
    }
}

fn is_maybe(bound: &TypeParamBound) -> bool {
    matches!(bound, TypeParamBound::Trait(t) if matches!(t.modifier, syn::TraitBoundModifier::Maybe(_)))
}

/// One `match` arm: binds the fields, copies each.
fn arm(
    input: &Input,
    generics: &Generics,
    variant: &Variant,
    kinds: &[Kind],
    blink: &Ident,
    fallible: bool,
) -> TokenStream {
    let name = &input.original.ident;
    let path = match variant.ident {
        Some(ident) => quote!(#name::#ident),
        None => quote!(#name),
    };
    let mut patterns = Vec::new();
    let mut values = Vec::new();
    for (i, (field, kind)) in variant.fields.iter().zip(kinds).enumerate() {
        let member = &field.member;
        let binding = Ident::new(&format!("__field{i}"), Span::mixed_site());
        if matches!(kind, Kind::Skip | Kind::Phantom) {
            patterns.push(quote!(#member: _));
        } else {
            patterns.push(quote!(#member: #binding));
        }
        let value = value(input, generics, field, *kind, &binding, blink, fallible);
        values.push(quote!(#member: #value));
    }
    match variant.style {
        Style::Unit => quote!(#path => #path,),
        Style::Named | Style::Tuple => quote! {
            #path { #(#patterns),* } => #path { #(#values),* },
        },
    }
}

/// The copy of one field.
fn value(
    input: &Input,
    generics: &Generics,
    field: &Field,
    kind: Kind,
    binding: &Ident,
    blink: &Ident,
    fallible: bool,
) -> TokenStream {
    let krate = &input.krate;
    let target = &generics.target;
    let ty = field.ty;
    let span = ty.span();
    // `<FieldType as BlinkPut>` puts a missing impl's error on the field type.
    match (kind, fallible) {
        (Kind::Put, false) => {
            quote_spanned!(span=> <#ty as #krate::BlinkPut<#target>>::copy_to(#binding, #blink))
        }
        (Kind::Put, true) => {
            quote_spanned!(span=> <#ty as #krate::BlinkPut<#target>>::try_copy_to(#binding, #blink)?)
        }
        (Kind::Clone, _) => quote_spanned!(span=> ::core::clone::Clone::clone(#binding)),
        (Kind::Skip, _) => quote_spanned!(span=> ::core::default::Default::default()),
        (Kind::Phantom, _) => quote_spanned!(span=> ::core::marker::PhantomData),
    }
}
