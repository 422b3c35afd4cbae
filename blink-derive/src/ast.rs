//! The derive's view of the input: shapes, fields and their attributes,
//! checked once, with spans kept for errors.

use syn::{spanned::Spanned, Data, DeriveInput, Error, Fields, Ident, LitStr, Member, Path, Type};

/// What `#[blink(...)]` asks of a field.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `BlinkPut::put_in`, the default.
    Put,
    /// `#[blink(clone)]`.
    Clone,
    /// `#[blink(skip)]`: `Default::default()`.
    Skip,
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
    pub variants: Vec<Variant<'a>>,
}

impl<'a> Input<'a> {
    pub fn from_syn(input: &'a DeriveInput) -> syn::Result<Self> {
        let krate = container_attrs(input)?;
        let variants = match &input.data {
            Data::Struct(data) => vec![Variant::from_fields(None, &data.fields)?],
            Data::Enum(data) => {
                let variants = data
                    .variants
                    .iter()
                    .map(|v| Variant::from_fields(Some(&v.ident), &v.fields))
                    .collect::<syn::Result<_>>()?;
                variants
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
            variants,
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

/// `#[blink(crate = "...")]`, or `::blink_alloc`.
fn container_attrs(input: &DeriveInput) -> syn::Result<Path> {
    let mut krate = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("blink")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("crate") {
                let path: LitStr = meta.value()?.parse()?;
                krate = Some(path.parse::<Path>()?);
                Ok(())
            } else {
                Err(meta
                    .error("unknown container attribute: expected `#[blink(crate = \"path\")]`"))
            }
        })?;
    }
    Ok(krate.unwrap_or_else(|| syn::parse_quote!(::blink_alloc)))
}

fn field_mode(field: &syn::Field) -> syn::Result<Mode> {
    let mut mode = Mode::Put;
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("blink")) {
        attr.parse_nested_meta(|meta| {
            let new = if meta.path.is_ident("clone") {
                Mode::Clone
            } else if meta.path.is_ident("skip") {
                Mode::Skip
            } else {
                return Err(meta.error(
                    "unknown field attribute: expected `#[blink(clone)]` or `#[blink(skip)]`",
                ));
            };
            if mode != Mode::Put {
                return Err(
                    meta.error("a field takes one of `#[blink(clone)]` and `#[blink(skip)]`")
                );
            }
            mode = new;
            Ok(())
        })?;
    }
    Ok(mode)
}
