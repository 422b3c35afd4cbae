//! The derive's view of the input: shapes, fields and their attributes,
//! checked once, with spans kept for errors.
//!
//! Every `#[blink(...)]` is read here, wherever it is: an attribute the
//! derive does not know, or one in a place where it means nothing (on a
//! variant, a generic parameter, `clone` on the type, `crate` on a field),
//! is an error rather than silently ignored.

use syn::{
    meta::ParseNestedMeta, punctuated::Punctuated, spanned::Spanned, Attribute, Data, DeriveInput,
    Error, Fields, Ident, LitStr, Member, Meta, Path, Token, Type, WherePredicate,
};

/// What `#[blink(...)]` asks of a field.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `BlinkPut::copy_to`, the default.
    Put,
    /// `#[blink(clone)]`.
    Clone,
    /// `#[blink(skip)]`: `Default::default()`.
    Skip,
}

impl Mode {
    pub fn attr(self) -> &'static str {
        match self {
            Mode::Put => "",
            Mode::Clone => "#[blink(clone)]",
            Mode::Skip => "#[blink(skip)]",
        }
    }
}

pub struct Field<'a> {
    pub member: Member,
    pub ty: &'a Type,
    pub mode: Mode,
}

pub struct Variant<'a> {
    /// `None` for a struct.
    pub ident: Option<&'a Ident>,
    pub fields: Vec<Field<'a>>,
    pub style: Style,
}

#[derive(Clone, Copy)]
pub enum Style {
    Named,
    Tuple,
    Unit,
}

pub struct Input<'a> {
    pub original: &'a DeriveInput,
    pub krate: Path,
    /// `#[blink(bound = "...")]`: replaces the inferred bounds.
    pub bound: Option<Vec<WherePredicate>>,
    pub variants: Vec<Variant<'a>>,
    /// An enum with no variant.
    pub empty_enum: bool,
}

const CONTAINER_ATTRS: &str =
    "the type takes `#[blink(crate = \"path\")]` and `#[blink(bound = \"T: Bound, ...\")]`";
const FIELD_ATTRS: &str = "a field takes `#[blink(clone)]` or `#[blink(skip)]`";

impl<'a> Input<'a> {
    pub fn from_syn(input: &'a DeriveInput) -> syn::Result<Self> {
        check_not_packed(&input.attrs)?;
        let (krate, bound) = container_attrs(input)?;
        for param in &input.generics.params {
            let attrs = match param {
                syn::GenericParam::Lifetime(p) => &p.attrs,
                syn::GenericParam::Type(p) => &p.attrs,
                syn::GenericParam::Const(p) => &p.attrs,
            };
            if let Some(attr) = blink_attrs(attrs).next() {
                return Err(Error::new_spanned(
                    attr,
                    format!(
                        "`#[blink]` takes no attribute on a generic parameter; {CONTAINER_ATTRS}"
                    ),
                ));
            }
        }
        let mut empty_enum = false;
        let variants = match &input.data {
            Data::Struct(data) => vec![Variant::from_fields(None, &data.fields)?],
            Data::Enum(data) => {
                empty_enum = data.variants.is_empty();
                data.variants
                    .iter()
                    .map(|v| {
                        if let Some(attr) = blink_attrs(&v.attrs).next() {
                            return Err(Error::new_spanned(
                                attr,
                                "`#[blink]` takes no attribute on an enum variant; put \
                                 `#[blink(clone)]` or `#[blink(skip)]` on the variant's fields",
                            ));
                        }
                        Variant::from_fields(Some(&v.ident), &v.fields)
                    })
                    .collect::<syn::Result<_>>()?
            }
            Data::Union(data) => {
                return Err(Error::new_spanned(
                    data.union_token,
                    "BlinkPut cannot be derived for a union: which field is live is unknown; \
                     implement it by hand",
                ))
            }
        };
        Ok(Input {
            original: input,
            krate,
            bound,
            variants,
            empty_enum,
        })
    }
}

impl<'a> Variant<'a> {
    fn from_fields(ident: Option<&'a Ident>, fields: &'a Fields) -> syn::Result<Self> {
        let style = match fields {
            Fields::Named(_) => Style::Named,
            Fields::Unnamed(_) => Style::Tuple,
            Fields::Unit => Style::Unit,
        };
        let fields = fields
            .iter()
            .enumerate()
            .map(|(index, field)| {
                let member = match &field.ident {
                    Some(ident) => Member::Named(ident.clone()),
                    None => Member::Unnamed(syn::Index {
                        index: index as u32,
                        span: field.ty.span(),
                    }),
                };
                Ok(Field {
                    member,
                    ty: &field.ty,
                    mode: field_mode(field)?,
                })
            })
            .collect::<syn::Result<_>>()?;
        Ok(Variant {
            ident,
            fields,
            style,
        })
    }
}

fn blink_attrs(attrs: &[Attribute]) -> impl Iterator<Item = &Attribute> {
    attrs.iter().filter(|a| a.path().is_ident("blink"))
}

/// Calls `each` for every item of every `#[blink(...)]` in `attrs`; an
/// empty `#[blink()]` is an error.
fn parse_blink_attrs(
    attrs: &[Attribute],
    expected: &str,
    mut each: impl FnMut(ParseNestedMeta) -> syn::Result<()>,
) -> syn::Result<()> {
    for attr in blink_attrs(attrs) {
        if let Meta::List(list) = &attr.meta {
            if list.tokens.is_empty() {
                return Err(Error::new_spanned(
                    attr,
                    format!("empty `#[blink()]`: {expected}"),
                ));
            }
        }
        attr.parse_nested_meta(&mut each)?;
    }
    Ok(())
}

/// `repr(packed)` fields may be unaligned, and the derive borrows each.
fn check_not_packed(attrs: &[Attribute]) -> syn::Result<()> {
    for attr in attrs.iter().filter(|a| a.path().is_ident("repr")) {
        let Ok(items) = attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
        else {
            continue;
        };
        if let Some(packed) = items.iter().find(|m| m.path().is_ident("packed")) {
            return Err(Error::new_spanned(
                packed,
                "BlinkPut cannot be derived for a `repr(packed)` type: its fields may be \
                 unaligned and the derive borrows each one; drop `packed`, or implement \
                 `BlinkPut` by hand, copying each field out by value first",
            ));
        }
    }
    Ok(())
}

/// `#[blink(crate = "...")]` (or `::blink_alloc`) and
/// `#[blink(bound = "...")]`.
fn container_attrs(input: &DeriveInput) -> syn::Result<(Path, Option<Vec<WherePredicate>>)> {
    let mut krate = None;
    let mut bound = None;
    parse_blink_attrs(&input.attrs, CONTAINER_ATTRS, |meta| {
        if meta.path.is_ident("crate") {
            if krate.is_some() {
                return Err(meta.error("duplicate `#[blink(crate = ...)]`"));
            }
            let path: LitStr = meta.value()?.parse()?;
            krate = Some(path.parse::<Path>()?);
            Ok(())
        } else if meta.path.is_ident("bound") {
            if bound.is_some() {
                return Err(meta.error("duplicate `#[blink(bound = ...)]`"));
            }
            let text: LitStr = meta.value()?.parse()?;
            let predicates = text
                .parse_with(Punctuated::<WherePredicate, Token![,]>::parse_terminated)
                .map_err(|error| {
                    Error::new(
                        text.span(),
                        format!(
                            "`#[blink(bound = \"...\")]` takes where-clause predicates, such as \
                             \"T: BlinkPut<'_> + Clone\": {error}"
                        ),
                    )
                })?;
            bound = Some(predicates.into_iter().collect());
            Ok(())
        } else if meta.path.is_ident("clone") || meta.path.is_ident("skip") {
            Err(meta.error(
                "`clone` and `skip` are field attributes: put them on a field, not on the type",
            ))
        } else {
            Err(meta.error(format!("unknown attribute: {CONTAINER_ATTRS}")))
        }
    })?;
    let krate = krate.unwrap_or_else(|| syn::parse_quote!(::blink_alloc));
    Ok((krate, bound))
}

fn field_mode(field: &syn::Field) -> syn::Result<Mode> {
    let mut mode = Mode::Put;
    parse_blink_attrs(&field.attrs, FIELD_ATTRS, |meta| {
        let new = if meta.path.is_ident("clone") {
            Mode::Clone
        } else if meta.path.is_ident("skip") {
            Mode::Skip
        } else if meta.path.is_ident("crate") || meta.path.is_ident("bound") {
            return Err(meta.error(
                "`crate` and `bound` are type attributes: put them on the struct or enum, \
                 not on a field",
            ));
        } else {
            return Err(meta
                .error("unknown field attribute: expected `#[blink(clone)]` or `#[blink(skip)]`"));
        };
        if mode != Mode::Put {
            return Err(meta.error("a field takes one of `#[blink(clone)]` and `#[blink(skip)]`"));
        }
        mode = new;
        Ok(())
    })?;
    Ok(mode)
}
